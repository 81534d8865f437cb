import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { CoverageRule, PlanRow } from '../db/schema.js';
import {
  applyEvent,
  createInstance,
  createInstances,
  inTransaction,
  type Actor,
  type CreateInstanceOptions,
  type EventResult,
} from '../engine/index.js';
import { conflict, badRequest, notFound } from '../problem.js';
import { authorizeEvent } from './access.js';
import { inspectionPlan } from '../../machines/index.js';
import { computeCoverage, DEFAULT_COVERAGE, type CoverageResult } from './coverage.js';

export interface NewPlan {
  year: number;
  title: string;
  decisionNo?: string;
  reviewPeriod: { from: string; to: string };
  visitWindow: { from: string; to: string };
  targets: string[];
  coverage?: CoverageRule[];
}

export interface PlanView {
  id: string;
  year: number;
  title: string;
  decisionNo: string | null;
  reviewPeriod: { from: string; to: string };
  visitWindow: { from: string; to: string };
  state: string;
  version: number;
  targets: string[];
  coverage: CoverageResult[];
  coverageRules: CoverageRule[];
  inspections: { id: string; unitCode: string | null; state: string }[];
  createdAt: string;
  updatedAt: string;
}

/** Checks a new plan against the registry; problems are reported together, by field. */
async function validatePlan(db: Db, plan: NewPlan): Promise<void> {
  const issues: { path: string; message: string }[] = [];
  if (plan.reviewPeriod.from > plan.reviewPeriod.to) issues.push({ path: 'reviewPeriod', message: 'from is after to' });
  if (plan.visitWindow.from > plan.visitWindow.to) issues.push({ path: 'visitWindow', message: 'from is after to' });
  const seen = new Set<string>();
  plan.targets.forEach((code, i) => {
    if (seen.has(code)) issues.push({ path: `targets.${i}`, message: `${code} is listed twice` });
    seen.add(code);
  });
  if (plan.targets.length > 0) {
    const known = new Set(
      (await db.selectFrom('units').select('code').where('code', 'in', plan.targets).execute()).map((u) => u.code),
    );
    plan.targets.forEach((code, i) => {
      if (!known.has(code)) issues.push({ path: `targets.${i}`, message: `unknown unit ${code}` });
    });
  }
  if (issues.length > 0) throw badRequest('The plan is invalid.', issues);
}

export async function createPlan(db: Db, plan: NewPlan, actor: Actor, now: Date): Promise<PlanView> {
  await validatePlan(db, plan);
  const id = randomUUID();
  await inTransaction(db, async (trx) => {
    await createInstance(trx, { kind: 'plan', id, input: { planId: id, year: plan.year }, actor, now });
    await trx
      .insertInto('plans')
      .values({
        id,
        year: plan.year,
        title: plan.title,
        decision_no: plan.decisionNo ?? null,
        review_from: plan.reviewPeriod.from,
        review_to: plan.reviewPeriod.to,
        visit_from: plan.visitWindow.from,
        visit_to: plan.visitWindow.to,
        targets: plan.targets,
        coverage: JSON.stringify(plan.coverage ?? DEFAULT_COVERAGE),
      })
      .execute();
  });
  return getPlan(db, id);
}

async function planRow(db: Db, id: string): Promise<PlanRow> {
  const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`No plan with id ${id}.`);
  return row;
}

export async function getPlan(db: Db, id: string, visibleUnit?: string | null): Promise<PlanView> {
  const plan = await planRow(db, id);
  const instance = await db.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  let inspections = db
    .selectFrom('instances')
    .select(['id', 'unit_code', 'state'])
    .where('plan_id', '=', id)
    .orderBy('created_at')
    .orderBy('id');
  if (visibleUnit) inspections = inspections.where('unit_code', '=', visibleUnit);
  const coverage = await computeCoverage(db, plan);
  return {
    id,
    year: plan.year,
    title: plan.title,
    decisionNo: plan.decision_no,
    reviewPeriod: { from: plan.review_from, to: plan.review_to },
    visitWindow: { from: plan.visit_from, to: plan.visit_to },
    state: instance.state,
    version: instance.version,
    targets: plan.targets,
    coverage,
    coverageRules: plan.coverage,
    inspections: (await inspections.execute()).map((r) => ({ id: r.id, unitCode: r.unit_code, state: r.state })),
    createdAt: instance.created_at.toISOString(),
    updatedAt: instance.updated_at.toISOString(),
  };
}

export async function listPlans(db: Db, filter: { year?: number }): Promise<{ id: string; year: number; title: string; state: string; targets: number }[]> {
  let q = db
    .selectFrom('plans')
    .innerJoin('instances', 'instances.id', 'plans.id')
    .select(['plans.id', 'plans.year', 'plans.title', 'instances.state', 'plans.targets'])
    .orderBy('plans.year', 'desc')
    .orderBy('plans.created_at', 'desc');
  if (filter.year !== undefined) q = q.where('plans.year', '=', filter.year);
  return (await q.execute()).map((r) => ({ id: r.id, year: r.year, title: r.title, state: r.state, targets: r.targets.length }));
}

/** Creates the planned inspection of `unitCode` under `planId` (inside the caller's transaction). */
export async function createPlannedInspection(
  db: Db,
  planId: string,
  unitCode: string,
  actor: Actor,
  now: Date,
  timeZone: string,
): Promise<EventResult> {
  return createInstance(db, plannedInspectionOptions(planId, unitCode, actor, now, timeZone));
}

function plannedInspectionOptions(planId: string, unitCode: string, actor: Actor, now: Date, timeZone: string): CreateInstanceOptions {
  return { kind: 'planned', input: { planId, unitCode, timeZone }, planId, unitCode, actor, now };
}

const PLAN_EVENTS = inspectionPlan.events;

export interface PlanEventOptions {
  now: Date;
  idempotencyKey?: string;
  expectedVersion?: number;
  timeZone: string;
}

/**
 * Plan events go through the engine like any other, after the role check of
 * EVENT_ROLES (403, once the plan is known to exist); two need the registry:
 * APPROVE is refused while an approval-time coverage rule fails, and creates
 * one planned inspection per target in the same transaction; REPORT waits
 * until every inspection of the plan is closed or cancelled.
 */
export async function sendPlanEvent(
  db: Db,
  planId: string,
  event: { type: string } & Record<string, unknown>,
  actor: Actor,
  options: PlanEventOptions,
): Promise<EventResult> {
  const plan = await planRow(db, planId);
  authorizeEvent(actor.role, event.type, PLAN_EVENTS);
  if (event.type === 'APPROVE') {
    const coverage = await computeCoverage(db, plan);
    const failing = coverage.filter((c) => c.checkedAt === 'approval' && !c.ok);
    if (failing.length > 0) {
      throw conflict(
        `Coverage is not met: ${failing.map((f) => `${f.kind} ${f.inspected}/${f.total} < ${f.minRatio * 100} %`).join(', ')}.`,
        { failingRules: failing, coverage },
      );
    }
  }
  if (event.type === 'REPORT') {
    const open = await db
      .selectFrom('instances')
      .select(['unit_code', 'state'])
      .where('plan_id', '=', planId)
      .where('state', 'not in', ['closed', 'cancelled'])
      .execute();
    if (open.length > 0) {
      throw conflict(`${open.length} inspection(s) of the plan are not closed yet.`, {
        openInspections: open.map((o) => ({ unitCode: o.unit_code, state: o.state })),
      });
    }
  }
  return inTransaction(db, async (trx) => {
    const result = await applyEvent(trx, planId, event, actor, options);
    if (event.type === 'APPROVE' && !result.replayed) {
      if (typeof event.decisionNo === 'string') {
        await trx.updateTable('plans').set({ decision_no: event.decisionNo }).where('id', '=', planId).execute();
      }
      const existing = new Set(
        (await trx.selectFrom('instances').select('unit_code').where('plan_id', '=', planId).execute()).map((r) => r.unit_code),
      );
      await createInstances(
        trx,
        plan.targets
          .filter((unitCode) => !existing.has(unitCode))
          .map((unitCode) => plannedInspectionOptions(planId, unitCode, actor, options.now, options.timeZone)),
      );
    }
    return result;
  });
}
