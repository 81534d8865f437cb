export interface Loop {
  /** Runs one pass now (unless one is running) and resolves when it is done. */
  kick(): Promise<void>;
  /** Stops scheduling and waits for the pass in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` every `intervalMs`, never two at once. Errors are reported and
 * the loop goes on: a database that is away for a while must not stop timers
 * and reminders for good.
 */
export function startLoop(pass: () => Promise<void>, intervalMs: number, onError: (err: unknown) => void): Loop {
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const run = (): Promise<void> => {
    if (running) return running;
    running = pass()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(() => void run(), intervalMs);
      });
    return running;
  };
  timer = setTimeout(() => void run(), intervalMs);
  return {
    kick: () => {
      clearTimeout(timer);
      return run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
