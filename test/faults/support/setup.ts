import { sql } from 'kysely';
import type { Db } from '../../../src/db/connect.js';
import { applyEvent, createInstance, createInstances, type Actor } from '../../../src/engine/index.js';

export const setupActor: Actor = { id: 'fault-setup', role: 'coordinator' };

/**
 * `count` planned inspections of a plan of their own, made through the engine
 * in the test process (faster than the API for thousands): units `${prefix}n`,
 * a plan, and its inspections in one bulk creation.
 */
export async function bulkPlannedInspections(db: Db, count: number, prefix: string): Promise<string[]> {
  const now = new Date();
  const year = now.getUTCFullYear();
  await sql`
    insert into units (code, name, kind, contacts)
    select ${prefix} || lpad(g::text, 6, '0'), 'Đơn vị ' || g, 'department', '[]'::jsonb
    from generate_series(1, ${count}::int) g`.execute(db);
  const plan = await createInstance(db, { kind: 'plan', input: { planId: prefix, year }, actor: setupActor, now });
  const codes = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(6, '0')}`);
  await db
    .insertInto('plans')
    .values({
      id: plan.id,
      year,
      title: `Kế hoạch ${prefix}`,
      decision_no: null,
      review_from: `${year - 1}-01-01`,
      review_to: `${year - 1}-12-31`,
      visit_from: `${year}-01-01`,
      visit_to: `${year}-12-31`,
      targets: codes,
      coverage: '[]',
    })
    .execute();
  return createInstances(
    db,
    codes.map((unitCode) => ({ kind: 'planned' as const, input: { planId: plan.id, unitCode }, planId: plan.id, unitCode, actor: setupActor, now })),
  );
}

/** Sends `event(id)` to every instance, `concurrency` at a time, through the engine. */
export async function applyToAll(db: Db, ids: readonly string[], event: (id: string) => Record<string, unknown>, concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) await applyEvent(db, ids[i]!, event(ids[i]!), setupActor, { now: new Date() });
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
