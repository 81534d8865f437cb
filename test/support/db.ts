import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDb, dropDatabase, ensureDatabase, withDatabase, type Db } from '../../src/db/connect.js';

export interface TestDatabase {
  db: Db;
  url: string;
  adminUrl: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, fully migrated database of this test file's own (a clone of the run's template). */
export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name, inject('pgTemplate'));
  const url = withDatabase(adminUrl, name);
  const db = createDb(url, { max: options.max ?? 10 });
  return {
    db,
    url,
    adminUrl,
    name,
    async drop() {
      await db.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}
