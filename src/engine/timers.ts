import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { EngineError } from './errors.js';
import { applyTimerEvent } from './instances.js';

export interface TimerRunResult {
  fired: number;
  /** Timers whose event no longer applies (the instance moved on); removed. */
  stale: number;
  /** Timers whose event failed unexpectedly; kept and retried later. */
  failed: number;
}

interface DueTimer {
  id: number;
  instance_id: string;
  event: Record<string, unknown>;
  attempts: number;
}

/**
 * Fires every timer due at `now`, a batch per transaction. The claim locks the
 * timer and its instance with SKIP LOCKED, so any number of workers (in any
 * number of processes) can run at once: each timer is taken by exactly one,
 * and a worker never waits on a lock (so it cannot deadlock with requests).
 */
export async function fireDueTimers(
  db: Kysely<Database>,
  now: Date,
  options: { batchSize?: number; log?: (msg: string, err?: unknown) => void } = {},
): Promise<TimerRunResult> {
  const total: TimerRunResult = { fired: 0, stale: 0, failed: 0 };
  const batchSize = options.batchSize ?? 100;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const due = await sql<DueTimer>`
        select t.id, t.instance_id, t.event, t.attempts
        from timers t join instances i on i.id = t.instance_id
        where t.fire_at <= ${now}
        order by t.fire_at, t.id
        limit ${batchSize}
        for update of t, i skip locked`.execute(trx);
      const result: TimerRunResult = { fired: 0, stale: 0, failed: 0 };
      for (const timer of due.rows) {
        await sql`savepoint timer`.execute(trx);
        try {
          await applyTimerEvent(trx, timer.instance_id, timer.event, now);
          await trx.deleteFrom('timers').where('id', '=', timer.id).execute();
          await sql`release savepoint timer`.execute(trx);
          result.fired += 1;
        } catch (err) {
          await sql`rollback to savepoint timer`.execute(trx);
          if (err instanceof EngineError) {
            await trx.deleteFrom('timers').where('id', '=', timer.id).execute();
            result.stale += 1;
          } else {
            // Back off so one broken timer does not hold the batch; it stays visible with its error.
            const retryAt = new Date(now.getTime() + Math.min(3_600_000, 1000 * 2 ** timer.attempts));
            await trx
              .updateTable('timers')
              .set({ attempts: timer.attempts + 1, last_error: String(err), fire_at: retryAt })
              .where('id', '=', timer.id)
              .execute();
            result.failed += 1;
            options.log?.(`timer ${timer.id} failed`, err);
          }
        }
      }
      return { ...result, claimed: due.rows.length };
    });
    total.fired += batch.fired;
    total.stale += batch.stale;
    total.failed += batch.failed;
    if (batch.claimed < batchSize) return total;
  }
}
