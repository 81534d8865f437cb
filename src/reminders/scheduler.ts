import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadCalendarLookup } from '../domain/calendar-store.js';
import type { CalendarLookup } from '../domain/calendar.js';
import { DEFAULT_REMINDER_POLICY, planReminders, type ReminderPolicy } from './policy.js';

export interface SchedulerOptions {
  now: Date;
  /** Time zone of the send time (TZ_DEADLINES). */
  timeZone: string;
  /** 'HH:MM' local (REMINDER_SEND_TIME). */
  sendTime: string;
  policy?: ReminderPolicy;
  /** Deadlines planned per statement. */
  batchSize?: number;
  /** Batches per pass at most: a pass stays bounded; the next one goes on. */
  maxBatches?: number;
  /** Defaults to the stored calendars over the computed ones. */
  calendar?: CalendarLookup;
}

export interface SchedulerResult {
  /** Deadlines past due and not met, now `missed`. */
  missed: number;
  /** Pending reminders cancelled (deadline met, cancelled or moved). */
  cancelled: number;
  /** Deadlines whose reminders were (re)planned. */
  planned: number;
  /** Reminder rows created (or revived) by this pass. */
  created: number;
}

interface DeadlineToPlanRow {
  id: string;
  instance_id: string;
  unit_code: string | null;
  kind: string;
  status: string;
  due_date: string;
  due_at: Date;
  updated_at: Date;
}

/**
 * One scheduler pass: turns open deadlines and the policy into reminder rows.
 * Safe with any number of passes at once, in any number of processes: a
 * reminder's key is (deadline, due instant, offset, audience) and rows are
 * inserted with `on conflict do nothing` (a row cancelled earlier for the
 * same due instant is revived instead — the deadline is open again), and
 * every update is idempotent.
 */
export async function runSchedulerPass(db: Kysely<Database>, options: SchedulerOptions): Promise<SchedulerResult> {
  const { now } = options;
  const policy = options.policy ?? DEFAULT_REMINDER_POLICY;
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  const result: SchedulerResult = { missed: 0, cancelled: 0, planned: 0, created: 0 };

  // Only the self-report machine knows "overdue"; for the other kinds past due and not met is missed.
  const missed = await db
    .updateTable('deadlines')
    .set({ status: 'missed', updated_at: now })
    .where('status', '=', 'open')
    .where('due_at', '<=', now)
    .executeTakeFirst();
  result.missed = Number(missed.numUpdatedRows);

  // Met, cancelled or moved (an extension): what is still pending no longer fits. A reminder being
  // delivered right now is left to its dispatcher, and cancelled by a later pass if it comes back.
  const cancelled = await sql`
    update reminders r set status = 'cancelled', updated_at = ${now}
    from deadlines d
    where d.id = r.deadline_id and r.status = 'pending'
      and (r.claimed_until is null or r.claimed_until <= ${now})
      and (d.status not in ('open', 'missed') or d.due_at <> r.due_at)`.execute(db);
  result.cancelled = Number(cancelled.numAffectedRows ?? 0);

  const calendar = options.calendar ?? (await loadCalendarLookup(db));
  for (let batch = 0; batch < maxBatches; batch++) {
    const rows = await sql<DeadlineToPlanRow>`
      select d.id, d.instance_id, d.unit_code, d.kind, d.status, d.due_date, d.due_at, d.updated_at
      from deadlines d left join reminder_plans p on p.deadline_id = d.id
      where d.status in ('open', 'missed')
        and (p.deadline_id is null
          or p.seen_due_at <> d.due_at or p.seen_status <> d.status or p.seen_updated_at <> d.updated_at
          or p.next_check_at <= ${now})
      order by d.id
      limit ${batchSize}`.execute(db);
    if (rows.rows.length === 0) break;
    result.created += await planBatch(db, rows.rows, policy, { now, calendar, timeZone: options.timeZone, sendTime: options.sendTime });
    result.planned += rows.rows.length;
    if (rows.rows.length < batchSize) break;
  }
  return result;
}

async function planBatch(
  db: Kysely<Database>,
  deadlines: DeadlineToPlanRow[],
  policy: ReminderPolicy,
  ctx: { now: Date; calendar: CalendarLookup; timeZone: string; sendTime: string },
): Promise<number> {
  const reminders: Parameters<typeof insertReminders>[1] = [];
  const plans: { deadline_id: string; seen_updated_at: Date; seen_due_at: Date; seen_status: string; next_check_at: Date | null; planned_at: Date }[] = [];
  for (const d of deadlines) {
    const plan = planReminders({ kind: d.kind, dueDate: d.due_date, dueAt: d.due_at }, policy, ctx);
    for (const r of plan.reminders) {
      reminders.push({
        deadline_id: d.id,
        inspection_id: d.instance_id,
        unit_code: d.unit_code,
        offset_days: r.offsetDays,
        audience: r.audience,
        due_at: d.due_at,
        send_at: r.sendAt,
        created_at: ctx.now,
        updated_at: ctx.now,
      });
    }
    plans.push({
      deadline_id: d.id,
      seen_updated_at: d.updated_at,
      seen_due_at: d.due_at,
      seen_status: d.status,
      next_check_at: plan.nextCheckAt,
      planned_at: ctx.now,
    });
  }
  const created = await insertReminders(db, reminders, ctx.now);
  await db
    .insertInto('reminder_plans')
    .values(plans)
    .onConflict((oc) =>
      oc.column('deadline_id').doUpdateSet((eb) => ({
        seen_updated_at: eb.ref('excluded.seen_updated_at'),
        seen_due_at: eb.ref('excluded.seen_due_at'),
        seen_status: eb.ref('excluded.seen_status'),
        next_check_at: eb.ref('excluded.next_check_at'),
        planned_at: eb.ref('excluded.planned_at'),
      })),
    )
    .execute();
  return created;
}

async function insertReminders(
  db: Kysely<Database>,
  rows: {
    deadline_id: string;
    inspection_id: string;
    unit_code: string | null;
    offset_days: number;
    audience: 'unit' | 'coordinator' | 'chairman';
    due_at: Date;
    send_at: Date;
    created_at: Date;
    updated_at: Date;
  }[],
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  // One order for every inserter, so concurrent passes take the unique-index locks in the same order.
  rows.sort((a, b) =>
    a.deadline_id < b.deadline_id ? -1 : a.deadline_id > b.deadline_id ? 1 : a.offset_days - b.offset_days || a.audience.localeCompare(b.audience),
  );
  const inserted = await db
    .insertInto('reminders')
    .values(rows)
    .onConflict((oc) =>
      oc
        .constraint('reminders_once_uq')
        .doUpdateSet({ status: 'pending', attempts: 0, next_attempt_at: null, last_error: null, updated_at: now })
        .where('reminders.status', '=', 'cancelled')
        .where(sql<boolean>`excluded.send_at > ${now}`),
    )
    .returning('id')
    .execute();
  return inserted.length;
}
