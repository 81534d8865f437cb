import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** pgbench from PGBENCH, the PATH, or the newest Debian PostgreSQL installation. */
export function findPgbench(): string {
  if (process.env.PGBENCH) return process.env.PGBENCH;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(`${dir}/pgbench`)) return `${dir}/pgbench`;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(`${root}/${v}/bin/pgbench`))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return `${root}/${versions[0]}/bin/pgbench`;
  }
  throw new Error('pgbench not found: install postgresql-client/postgresql, or set PGBENCH');
}

export interface PgbenchResult {
  clients: number;
  tps: number;
  meanMs: number;
  transactions: number;
}

export async function pgbenchInit(bin: string, url: string, scale: number): Promise<void> {
  await run(bin, ['-i', '-q', '-s', String(scale), url], { maxBuffer: 16 * 1024 * 1024 });
}

/** The built-in TPC-B-like script, `clients` connections for `seconds`. */
export async function pgbenchRun(bin: string, url: string, clients: number, seconds: number, threads: number): Promise<PgbenchResult> {
  const { stdout } = await run(bin, ['-n', '-c', String(clients), '-j', String(Math.min(clients, threads)), '-T', String(seconds), url], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const tps = /tps = ([\d.]+)/.exec(stdout);
  const mean = /latency average = ([\d.]+) ms/.exec(stdout);
  const tx = /number of transactions actually processed: (\d+)/.exec(stdout);
  if (!tps || !mean) throw new Error(`could not read pgbench output:\n${stdout}`);
  return { clients, tps: Number(tps[1]), meanMs: Number(mean[1]), transactions: Number(tx?.[1] ?? 0) };
}

export async function pgbenchVersion(bin: string): Promise<string> {
  const { stdout } = await run(bin, ['--version']);
  return stdout.trim();
}
