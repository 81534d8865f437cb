import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../support/ports.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const FAULT_ADMIN_TOKEN = 'fault-admin-token-0123456789abcdef';

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resident set size of the process now, in MiB. */
  rssMb(): number;
  /** SIGTERM, then SIGKILL if it has not exited within `ms`. */
  stop(ms?: number): Promise<void>;
  /** kill -9: no shutdown of any kind. */
  kill9(): Promise<void>;
}

export interface ServiceOptions {
  databaseUrl: string;
  port?: number;
  env?: Record<string, string>;
  /** Prefix for the lines the process prints, when they should be echoed. */
  echo?: string;
  /** Extra node options (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/** `npm start`'s command (node --import tsx src/cli.ts serve) as a child process on loopback. */
export async function spawnService(options: ServiceOptions): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  let out = '';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      BOOTSTRAP_ADMIN_TOKEN: FAULT_ADMIN_TOKEN,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      // Every client here is one loopback address standing for many; the API-wide limit would throttle them as one.
      RATE_LIMIT_MAX: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (d: Buffer) => {
    const text = d.toString();
    out = (out + text).slice(-200_000);
    if (options.echo) for (const line of text.split('\n').filter(Boolean)) process.stdout.write(`${options.echo} ${line}\n`);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid!;
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    rssMb() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    async stop(ms = 20_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (gone) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls GET /ready until 200 (a process starting, bounded by `ms`). */
export async function waitReady(service: ServiceProcess, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  let exitedEarly = false;
  void service.exited.then(() => (exitedEarly = true));
  while (Date.now() < until) {
    if (exitedEarly) throw new Error(`the service exited before it was ready:\n${service.output()}`);
    try {
      const res = await fetch(`${service.url}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the service was not ready within ${ms} ms:\n${service.output()}`);
}
