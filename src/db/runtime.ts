import path from 'node:path';
import type { Config } from '../config.js';
import { createDb, ensureDatabase, withDatabase, type Db } from './connect.js';
import { startEmbeddedPostgres } from './embedded.js';
import { migrateToLatest } from './migrate.js';

export interface OpenDatabase {
  db: Db;
  /** Where the data lives, for the start-up message (no password). */
  description: string;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'kiemtra';

/**
 * The database the service runs on: DATABASE_URL when set, otherwise an
 * embedded PostgreSQL under DATA_DIR/pg (created on first start). Migrations
 * are applied either way before anything else touches it.
 */
export async function openDatabase(
  config: Config,
  log: (line: string) => void,
  options: { migrate?: boolean; poolSize?: number; onPoolError?: (err: Error) => void } = {},
): Promise<OpenDatabase> {
  let url: string;
  let stopServer = async () => undefined as void;
  let description: string;
  if (config.DATABASE_URL) {
    url = config.DATABASE_URL;
    const u = new URL(url);
    description = `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } else {
    const dir = path.resolve(config.DATA_DIR, 'pg');
    const server = await startEmbeddedPostgres({ dir, port: config.EMBEDDED_PG_PORT, log: () => undefined });
    stopServer = () => server.stop();
    try {
      await ensureDatabase(server.adminUrl, EMBEDDED_DATABASE);
    } catch (err) {
      await server.stop();
      throw err;
    }
    url = withDatabase(server.adminUrl, EMBEDDED_DATABASE);
    description = `embedded PostgreSQL in ${dir} (port ${config.EMBEDDED_PG_PORT})`;
  }
  const db = createDb(url, { max: options.poolSize ?? 10, onPoolError: options.onPoolError });
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(db as never);
      if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
    }
  } catch (err) {
    await db.destroy();
    await stopServer();
    throw err;
  }
  return {
    db,
    description,
    async close() {
      await db.destroy();
      await stopServer();
    },
  };
}
