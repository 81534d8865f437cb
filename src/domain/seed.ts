import type { Db } from '../db/connect.js';
import type { Actor } from '../engine/index.js';
import { createPlan, sendPlanEvent } from './plans.js';
import { createUnit } from './units.js';
import { seedPlan2020, seedUnits } from './seed-data.js';

export interface SeedResult {
  seeded: boolean;
  units: number;
  planId?: string;
  inspections?: number;
}

const SEED_ACTOR: Actor = { id: 'seed', role: 'system' };

/**
 * Loads the 2020 Đắk Lắk plan into an empty database: the unit registry, the
 * plan with its 12 targets, submitted and approved (so its 12 planned
 * inspections exist). A database that already has units is left alone.
 */
export async function seedDemo(db: Db, now: Date, timeZone: string): Promise<SeedResult> {
  const any = await db.selectFrom('units').select('code').limit(1).executeTakeFirst();
  if (any) return { seeded: false, units: 0 };
  // Parents first, so every parent_code refers to a row that exists.
  const order = { province: 0, department: 1, district: 1, commune: 2 } as Record<string, number>;
  const units = [...seedUnits].sort((a, b) => (order[a.kind] ?? 3) - (order[b.kind] ?? 3));
  for (const unit of units) await createUnit(db, unit);
  const plan = await createPlan(
    db,
    {
      year: seedPlan2020.year,
      title: seedPlan2020.title,
      decisionNo: seedPlan2020.decisionNo,
      reviewPeriod: seedPlan2020.reviewPeriod,
      visitWindow: seedPlan2020.visitWindow,
      targets: [...seedPlan2020.targets],
      coverage: seedPlan2020.coverage.map((c) => ({ ...c })),
    },
    SEED_ACTOR,
    now,
  );
  await sendPlanEvent(db, plan.id, { type: 'SUBMIT' }, SEED_ACTOR, { now, timeZone });
  await sendPlanEvent(db, plan.id, { type: 'APPROVE', decisionNo: seedPlan2020.decisionNo ?? '…/QĐ-UBND' }, SEED_ACTOR, { now, timeZone });
  return { seeded: true, units: units.length, planId: plan.id, inspections: seedPlan2020.targets.length };
}
