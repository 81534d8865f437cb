import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/** SQLSTATEs after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs `fn` in a transaction, or inside the caller's transaction when `db`
 * already is one (approving a plan creates its inspections in the same
 * transaction). A serialization failure or deadlock is retried a few times.
 */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      if (attempt >= 5 || !RETRYABLE.has(sqlState(err) ?? '')) throw err;
    }
  }
}
