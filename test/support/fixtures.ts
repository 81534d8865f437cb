import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';
import { applyEvent, createInstance, type Actor } from '../../src/engine/index.js';

export const coordinator: Actor = { id: 'coord-1', role: 'coordinator' };
export const inspector: Actor = { id: 'insp-1', role: 'inspector' };
export const chairman: Actor = { id: 'chair-1', role: 'chairman' };
export const unitActor: Actor = { id: 'unit-1', role: 'unit' };

export const T0 = new Date('2020-07-01T03:00:00.000Z');

export function at(iso: string): Date {
  return new Date(iso);
}

/** A unit and an approved-looking plan to hang planned inspections on. */
export async function seedPlan(db: Db, unitCodes: string[] = ['U1']): Promise<string> {
  await db
    .insertInto('units')
    .values(unitCodes.map((code) => ({ code, name: `Unit ${code}`, kind: 'department', contacts: '[]' })))
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  const plan = await createInstance(db, { kind: 'plan', input: { planId: 'p', year: 2020 }, actor: coordinator, now: T0 });
  await db
    .insertInto('plans')
    .values({
      id: plan.id,
      year: 2020,
      title: 'Test plan',
      decision_no: null,
      review_from: '2019-01-01',
      review_to: '2020-06-30',
      visit_from: '2020-08-01',
      visit_to: '2020-10-31',
      targets: unitCodes,
      coverage: '[]',
    })
    .execute();
  return plan.id;
}

let unitCounter = 0;

/** A planned inspection of a fresh unit (a plan inspects each unit once). */
export async function newPlanned(db: Db, planId: string, unitCode?: string): Promise<string> {
  if (!unitCode) {
    unitCounter += 1;
    unitCode = `U-${process.pid}-${unitCounter}`;
    await db.insertInto('units').values({ code: unitCode, name: `Unit ${unitCode}`, kind: 'department', contacts: '[]' }).execute();
  }
  const r = await createInstance(db, {
    kind: 'planned',
    input: { planId, unitCode },
    planId,
    unitCode,
    actor: coordinator,
    now: T0,
  });
  return r.id;
}

/** Drives a planned inspection to `findings` (5 events after creation). */
export async function driveToFindings(db: Db, id: string, now = T0): Promise<void> {
  await applyEvent(db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now });
  await applyEvent(db, id, { type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo tự kiểm tra' }, unitActor, { now });
  await applyEvent(db, id, { type: 'SCHEDULE_VISIT', date: '2020-08-20' }, coordinator, { now });
  await applyEvent(db, id, { type: 'START_VISIT' }, inspector, { now });
  await applyEvent(db, id, { type: 'COMPLETE_VISIT', minutes: 'Biên bản' }, inspector, { now });
}

/**
 * Columns that change on a read, left out of the checksum: a token's
 * `last_used_at` is stamped when a request authenticates, whatever it asks.
 */
const VOLATILE_COLUMNS: Record<string, string[]> = { tokens: ['last_used_at'] };

/**
 * Row count and content checksum of every table of the schema (tables added by
 * later migrations included), to prove a rejected request changed nothing.
 */
export async function databaseFingerprint(db: Db): Promise<Record<string, string>> {
  const { rows: tables } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(db);
  // One round trip for all tables: the fuzz tests take a fingerprint often.
  const parts = tables.map(({ name }) => {
    const row = sql`(to_jsonb(t) - ${sql.val(VOLATILE_COLUMNS[name] ?? [])}::text[])::text`;
    return sql`select ${name}::text as name, count(*)::int as n, md5(string_agg(${row}, '|' order by ${row})) as h
      from ${sql.table(name)} t`;
  });
  const { rows } = await sql<{ name: string; n: number; h: string | null }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n}:${r.h}`]));
}
