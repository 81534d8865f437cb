import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, InstanceRow } from '../db/schema.js';
import { EngineError } from './errors.js';
import { applyClaimedTimer, applyTimerEvent } from './instances.js';

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
 *
 * The claim reads the instances too, so firing a timer is one statement (its
 * step and the timer's removal). If a statement fails unexpectedly the batch
 * is rolled back and taken again one savepoint per timer, so that the failing
 * timer is set aside with its error and the others still fire.
 */
export async function fireDueTimers(
  db: Kysely<Database>,
  now: Date,
  options: { batchSize?: number; log?: (msg: string, err?: unknown) => void } = {},
): Promise<TimerRunResult> {
  const total: TimerRunResult = { fired: 0, stale: 0, failed: 0 };
  const batchSize = options.batchSize ?? 100;
  for (;;) {
    let batch: TimerRunResult & { claimed: number };
    try {
      batch = await db.transaction().execute((trx) => fireBatch(trx, now, batchSize));
    } catch (err) {
      if (!(err instanceof CarefulRetry)) throw err;
      batch = await db.transaction().execute((trx) => fireBatchCarefully(trx, now, batchSize, options.log));
    }
    total.fired += batch.fired;
    total.stale += batch.stale;
    total.failed += batch.failed;
    if (batch.claimed < batchSize) return total;
  }
}

/** A statement of the batch failed: the transaction is gone, take the batch again with savepoints. */
class CarefulRetry extends Error {}

type ClaimedRow = InstanceRow & { timer_id: number; timer_event: Record<string, unknown> };

async function fireBatch(trx: Transaction<Database>, now: Date, batchSize: number): Promise<TimerRunResult & { claimed: number }> {
  const due = await sql<ClaimedRow>`
    select t.id as timer_id, t.event as timer_event, i.*
    from timers t join instances i on i.id = t.instance_id
    where t.fire_at <= ${now}
    order by t.fire_at, t.id
    limit ${batchSize}
    for update of t, i skip locked`.execute(trx);
  const result = { fired: 0, stale: 0, failed: 0, claimed: due.rows.length };
  const stale: number[] = [];
  const stepped = new Set<string>();
  for (const { timer_id: id, timer_event: event, ...row } of due.rows) {
    try {
      if (stepped.has(row.id)) {
        // An earlier timer of this batch moved the instance: read it again.
        await applyTimerEvent(trx, row.id, event, now);
        await trx.deleteFrom('timers').where('id', '=', id).execute();
      } else {
        await applyClaimedTimer(trx, row, { id, event }, now);
      }
      stepped.add(row.id);
      result.fired += 1;
    } catch (err) {
      // The machine refused before anything was written: the instance moved on, the timer is stale.
      if (err instanceof EngineError) {
        stale.push(id);
        result.stale += 1;
      } else {
        throw new CarefulRetry('a timer failed', { cause: err });
      }
    }
  }
  if (stale.length > 0) await trx.deleteFrom('timers').where('id', 'in', stale).execute();
  return result;
}

async function fireBatchCarefully(
  trx: Transaction<Database>,
  now: Date,
  batchSize: number,
  log?: (msg: string, err?: unknown) => void,
): Promise<TimerRunResult & { claimed: number }> {
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
        log?.(`timer ${timer.id} failed`, err);
      }
    }
  }
  return { ...result, claimed: due.rows.length };
}
