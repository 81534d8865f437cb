import { sql } from 'kysely';
import type { Db } from '../src/db/connect.js';
import { applyEvent, createInstance, type Actor } from '../src/engine/index.js';
import { runSchedulerPass } from '../src/reminders/scheduler.js';

export const coordinator: Actor = { id: 'bench-coordinator', role: 'coordinator' };
export const inspector: Actor = { id: 'bench-inspector', role: 'inspector' };
export const unitActor: Actor = { id: 'bench-unit', role: 'unit' };

const DAY = 86_400_000;

/** 'YYYY-MM-DD', `days` from `now` (UTC date; the bench only needs it to be in the future or the past). */
export function dateFrom(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY).toISOString().slice(0, 10);
}

/** A plan row to hang planned inspections on (its instance is created through the engine). */
export async function benchPlan(db: Db, now: Date): Promise<string> {
  const plan = await createInstance(db, { kind: 'plan', input: { planId: 'bench', year: now.getUTCFullYear() }, actor: coordinator, now });
  await db
    .insertInto('plans')
    .values({
      id: plan.id,
      year: now.getUTCFullYear(),
      title: 'Bench plan',
      decision_no: null,
      review_from: dateFrom(now, -365),
      review_to: dateFrom(now, -1),
      visit_from: dateFrom(now, 30),
      visit_to: dateFrom(now, 120),
      targets: [],
      coverage: '[]',
    })
    .execute();
  return plan.id;
}

export type TemplateState = 'findings' | 'selfReport.requested';

/**
 * One planned inspection built through the engine and driven to `state`,
 * with every date in the future so nothing it carries is due: the model the
 * bulk copies are made of.
 */
export async function templateInstance(db: Db, planId: string, state: TemplateState, now: Date): Promise<string> {
  const unitCode = `BT-${state}-${now.getTime()}`;
  await db.insertInto('units').values({ code: unitCode, name: `Bench template ${state}`, kind: 'department', contacts: '[]' }).execute();
  const { id } = await createInstance(db, { kind: 'planned', input: { planId, unitCode }, planId, unitCode, actor: coordinator, now });
  await applyEvent(db, id, { type: 'REQUEST_SELF_REPORT', dueDate: dateFrom(now, 365) }, coordinator, { now });
  if (state === 'findings') {
    await applyEvent(db, id, { type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo tự kiểm tra công tác CCHC' }, unitActor, { now });
    await applyEvent(db, id, { type: 'SCHEDULE_VISIT', date: dateFrom(now, 400), team: ['Trưởng đoàn', 'Thành viên'] }, coordinator, { now });
    await applyEvent(db, id, { type: 'START_VISIT' }, inspector, { now });
    await applyEvent(db, id, { type: 'COMPLETE_VISIT', minutes: 'Biên bản làm việc', conclusionDueDate: dateFrom(now, 430) }, inspector, { now });
  }
  // Plan its reminders as a service would (default policy and send time).
  await runSchedulerPass(db, { now, timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
  return id;
}

export interface CloneOptions {
  /** Unit codes are `${prefix}${n}`; each copy gets a unit of its own (a plan inspects a unit once). */
  prefix: string;
  /** Copy the template's audit rows, deadlines and planned reminders too, so those tables have a realistic size. */
  withHistory: boolean;
  /** Copy the template's timer rows with this fire_at (SQL expression over `c.g`, the copy number). */
  timerFireAt?: ReturnType<typeof sql>;
  chunk?: number;
  log?: (line: string) => void;
}

/**
 * `count` copies of a template instance, made by the database itself
 * (generate_series), a chunk per statement. Copies are new rows with their
 * own ids and units; their audit rows, when copied, are the template's (the
 * bench does not verify their chains).
 */
export async function cloneInstances(db: Db, templateId: string, count: number, options: CloneOptions): Promise<void> {
  const chunk = options.chunk ?? 50_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await db.transaction().execute(async (trx) => {
      await sql`
        insert into units (code, name, kind, contacts)
        select ${options.prefix} || g, 'Bench unit ' || g, 'department', '[]'::jsonb
        from generate_series(${from}::int, ${to}::int) g`.execute(trx);
      await sql`
        create temp table bench_clone on commit drop as
        select gen_random_uuid() as id, g, ${options.prefix} || g as unit_code
        from generate_series(${from}::int, ${to}::int) g`.execute(trx);
      await sql`
        insert into instances (id, machine_name, machine_version, kind, plan_id, unit_code, state, snapshot, version, last_hash, created_at, updated_at)
        select c.id, t.machine_name, t.machine_version, t.kind, t.plan_id, c.unit_code, t.state,
               jsonb_set(t.snapshot, '{context,unitCode}', to_jsonb(c.unit_code)), t.version, t.last_hash, t.created_at, t.updated_at
        from bench_clone c, instances t where t.id = ${templateId}::uuid`.execute(trx);
      if (options.withHistory) {
        await sql`
          insert into audit_log (instance_id, seq, at, actor_id, actor_role, event, from_state, to_state, prev_hash, hash)
          select c.id, a.seq, a.at, a.actor_id, a.actor_role, a.event, a.from_state, a.to_state, a.prev_hash, a.hash
          from bench_clone c, audit_log a where a.instance_id = ${templateId}::uuid`.execute(trx);
        await sql`
          insert into deadlines (instance_id, unit_code, kind, subject, due_date, due_at, status, updated_at)
          select c.id, c.unit_code, d.kind, d.subject, d.due_date, d.due_at, d.status, d.updated_at
          from bench_clone c, deadlines d where d.instance_id = ${templateId}::uuid`.execute(trx);
        // What the reminder scheduler made of the template's deadlines, so a service started on the
        // copies finds them planned already (as it would after running for a while).
        await sql`
          create temp table bench_deadlines on commit drop as
          select nd.id as new_id, td.id as template_id, c.id as instance_id, c.unit_code
          from bench_clone c
          join deadlines nd on nd.instance_id = c.id
          join deadlines td on td.instance_id = ${templateId}::uuid and td.kind = nd.kind and td.subject = nd.subject`.execute(trx);
        await sql`
          insert into reminder_plans (deadline_id, seen_updated_at, seen_due_at, seen_status, next_check_at, planned_at)
          select m.new_id, p.seen_updated_at, p.seen_due_at, p.seen_status, p.next_check_at, p.planned_at
          from bench_deadlines m join reminder_plans p on p.deadline_id = m.template_id`.execute(trx);
        await sql`
          insert into reminders (deadline_id, inspection_id, unit_code, offset_days, audience, due_at, send_at, status, created_at, updated_at)
          select m.new_id, m.instance_id, m.unit_code, r.offset_days, r.audience, r.due_at, r.send_at, r.status, r.created_at, r.updated_at
          from bench_deadlines m join reminders r on r.deadline_id = m.template_id`.execute(trx);
      }
      if (options.timerFireAt) {
        await sql`
          insert into timers (instance_id, send_id, fire_at, event, created_at)
          select c.id, t.send_id, ${options.timerFireAt}, t.event, t.created_at
          from bench_clone c, timers t where t.instance_id = ${templateId}::uuid`.execute(trx);
      }
    });
    options.log?.(`  ${to.toLocaleString('en')} / ${count.toLocaleString('en')} copies`);
  }
}

/** Ids of the copies made with `prefix`, in copy order. */
export async function cloneIds(db: Db, prefix: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select id from instances where unit_code like ${`${prefix}%`} order by length(unit_code), unit_code`.execute(db);
  return rows.map((r) => r.id);
}

export async function vacuumAnalyze(db: Db): Promise<void> {
  await sql`vacuum analyze`.execute(db);
}
