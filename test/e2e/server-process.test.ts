import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';

const ADMIN = 'e2e-admin-token-0123456789abcdef';
let dataDir: string;
let port: number;
let pgPort: number;

function postgresProcessesFor(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-fa', `postgres.*${dir}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function startServer(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls readiness (a real process starting, not a deadline being waited for); bounded. */
async function waitReady(output: () => string): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not become ready:\n${output()}`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kiemtra-e2e-'));
  await chmod(dataDir, 0o755);
  port = await freePort();
  pgPort = await freePort();
});
afterAll(async () => {
  for (const line of postgresProcessesFor(dataDir)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('the service as a real process (npm start)', () => {
  it('starts with an embedded PostgreSQL and the demo plan, serves, and stops cleanly on SIGTERM', async () => {
    const server = startServer();
    await waitReady(server.output);
    expect(server.output()).toContain('demo data loaded');
    expect(server.output()).toContain(`/docs`);
    const res = await fetch(`http://127.0.0.1:${port}/inspections?kind=planned`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(12);
    expect((await fetch(`http://127.0.0.1:${port}/inspections`)).status).toBe(401);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });

  it('recovers after a crash (kill -9) that left PostgreSQL running and its lock file behind', async () => {
    const first = startServer();
    await waitReady(first.output);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = startServer();
    await waitReady(second.output);
    expect(second.output()).not.toContain('demo data loaded');
    const res = await fetch(`http://127.0.0.1:${port}/inspections?kind=planned`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(12);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });
});
