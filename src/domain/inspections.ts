import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { InstanceRow } from '../db/schema.js';
import { allowedEventTypes, applyEvent, createInstance, EngineError, machineModuleFor, type EventResult } from '../engine/index.js';
import { authorizeEvent, eventsForRole } from './access.js';
import { badRequest, conflict, notFound } from '../problem.js';
import type { Principal } from './tokens.js';
import { sampleBounds } from './coverage.js';
import { addWorkingDays } from './calendar.js';
import { loadCalendarLookup } from './calendar-store.js';
import type { CoverageRule } from '../db/schema.js';

export interface DeadlineView {
  id: string;
  kind: string;
  subject: string;
  dueDate: string;
  dueAt: string;
  status: string;
}

export interface InspectionView {
  id: string;
  kind: 'planned' | 'surprise';
  planId: string | null;
  unitCode: string | null;
  state: string;
  version: number;
  machine: { name: string; version: number };
  allowedEvents: string[];
  context: unknown;
  deadlines: DeadlineView[];
  createdAt: string;
  updatedAt: string;
}

const INSPECTION_KINDS = ['planned', 'surprise'] as const;
const CONCLUSION_WORKING_DAYS = 15;

/** A unit token sees its own unit's inspections only; anything else is "not found", never "forbidden". */
function visibleTo(row: Pick<InstanceRow, 'unit_code'>, principal: Principal): boolean {
  return principal.role !== 'unit' || row.unit_code === principal.unitCode;
}

async function inspectionRow(db: Db, id: string, principal: Principal): Promise<InstanceRow> {
  const row = await db
    .selectFrom('instances')
    .selectAll()
    .where('id', '=', id)
    .where('kind', 'in', INSPECTION_KINDS)
    .executeTakeFirst();
  if (!row || !visibleTo(row, principal)) throw notFound(`No inspection with id ${id}.`);
  return row;
}

function allowedFor(row: InstanceRow, principal: Principal, now: Date): string[] {
  const mod = machineModuleFor(row);
  const machine = mod.withClock(now.getTime());
  const snapshot = machine.resolveState(row.snapshot as never);
  return eventsForRole(principal.role, allowedEventTypes(snapshot, Object.keys(mod.events)));
}

/** An unannounced surprise visit stays a surprise: the unit does not see its date before it starts. */
function contextFor(row: InstanceRow, principal: Principal): unknown {
  const context = (row.snapshot as { context?: Record<string, unknown> }).context ?? null;
  if (!context || principal.role !== 'unit' || row.kind !== 'surprise' || context.announced !== false) return context;
  if (!['proposed', 'decided'].includes(row.state)) return context;
  const decision = context.decision as Record<string, unknown> | undefined;
  if (!decision) return context;
  const { visitDate: _hidden, ...rest } = decision;
  return { ...context, decision: rest };
}

export async function getInspection(db: Db, id: string, principal: Principal, now: Date): Promise<InspectionView> {
  const row = await inspectionRow(db, id, principal);
  const deadlines = await db
    .selectFrom('deadlines')
    .selectAll()
    .where('instance_id', '=', id)
    .orderBy('due_at')
    .execute();
  return {
    id: row.id,
    kind: row.kind as 'planned' | 'surprise',
    planId: row.plan_id,
    unitCode: row.unit_code,
    state: row.state,
    version: row.version,
    machine: { name: row.machine_name, version: row.machine_version },
    allowedEvents: allowedFor(row, principal, now),
    context: contextFor(row, principal),
    deadlines: deadlines.map((d) => ({
      id: d.id,
      kind: d.kind,
      subject: d.subject,
      dueDate: d.due_date,
      dueAt: d.due_at.toISOString(),
      status: d.status,
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface ListFilter {
  kind?: 'planned' | 'surprise';
  state?: string;
  unitCode?: string;
  planId?: string;
  overdue?: boolean;
  limit: number;
  cursor?: string;
}

export interface InspectionSummary {
  id: string;
  kind: string;
  planId: string | null;
  unitCode: string | null;
  state: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(value[1])
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('The cursor is not one this service returned.', [{ path: 'querystring.cursor', message: 'invalid cursor' }]);
}

/** Newest first, keyset-paginated on (created_at, id) so pages stay stable while inspections are added. */
export async function listInspections(
  db: Db,
  filter: ListFilter,
  principal: Principal,
  now: Date,
): Promise<{ items: InspectionSummary[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('instances')
    .select(['id', 'kind', 'plan_id', 'unit_code', 'state', 'version', 'created_at', 'updated_at'])
    .where('kind', 'in', filter.kind ? [filter.kind] : INSPECTION_KINDS);
  if (principal.role === 'unit') q = q.where('unit_code', '=', principal.unitCode ?? '');
  if (filter.unitCode) q = q.where('unit_code', '=', filter.unitCode);
  if (filter.planId) q = q.where('plan_id', '=', filter.planId);
  if (filter.state) {
    const prefix = filter.state.replace(/[\\%_]/g, (c) => `\\${c}`);
    q = q.where((eb) => eb.or([eb('state', '=', filter.state!), eb('state', 'like', `${prefix}.%`)]));
  }
  if (filter.overdue !== undefined) {
    const overdue = sql<boolean>`exists (select 1 from deadlines d where d.instance_id = instances.id
      and (d.status = 'missed' or (d.status = 'open' and d.due_at <= ${now})))`;
    q = q.where(filter.overdue ? overdue : sql<boolean>`not ${overdue}`);
  }
  if (filter.cursor) {
    const [createdAt, id] = decodeCursor(filter.cursor);
    q = q.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      planId: r.plan_id,
      unitCode: r.unit_code,
      state: r.state,
      version: r.version,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    })),
    nextCursor: rows.length > filter.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

export async function inspectionHistory(db: Db, id: string, principal: Principal) {
  await inspectionRow(db, id, principal);
  const rows = await db.selectFrom('audit_log').selectAll().where('instance_id', '=', id).orderBy('seq').execute();
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at.toISOString(),
    actor: { id: r.actor_id, role: r.actor_role },
    event: r.event,
    from: r.from_state,
    to: r.to_state,
    hash: r.hash,
    prevHash: r.prev_hash,
  }));
}

export interface NewSurprise {
  unitCode: string;
  contents: string[];
  announced: boolean;
  reason: string;
}

async function requireUnit(db: Db, code: string, path: string): Promise<{ code: string; kind: string }> {
  const unit = await db.selectFrom('units').select(['code', 'kind']).where('code', '=', code).executeTakeFirst();
  if (!unit) throw badRequest(`Unknown unit ${code}.`, [{ path, message: `unknown unit ${code}` }]);
  return unit;
}

export async function createSurpriseInspection(
  db: Db,
  input: NewSurprise,
  principal: Principal,
  now: Date,
  timeZone: string,
): Promise<EventResult> {
  await requireUnit(db, input.unitCode, 'body.unitCode');
  return createInstance(db, {
    kind: 'surprise',
    input: { ...input, timeZone },
    unitCode: input.unitCode,
    actor: { id: principal.id, role: principal.role },
    now,
  });
}

export async function createLatePlannedInspection(
  db: Db,
  input: { planId: string; unitCode: string },
  principal: Principal,
  now: Date,
  timeZone: string,
): Promise<EventResult> {
  const plan = await db
    .selectFrom('plans')
    .innerJoin('instances', 'instances.id', 'plans.id')
    .select(['plans.id', 'instances.state'])
    .where('plans.id', '=', input.planId)
    .executeTakeFirst();
  if (!plan) throw badRequest(`Unknown plan ${input.planId}.`, [{ path: 'body.planId', message: 'unknown plan' }]);
  if (plan.state !== 'approved') throw conflict(`The plan is ${plan.state}; inspections are added to an approved plan.`);
  await requireUnit(db, input.unitCode, 'body.unitCode');
  const exists = await db
    .selectFrom('instances')
    .select('id')
    .where('plan_id', '=', input.planId)
    .where('unit_code', '=', input.unitCode)
    .executeTakeFirst();
  if (exists) throw conflict(`The plan already inspects ${input.unitCode}.`, { inspectionId: exists.id });
  return createInstance(db, {
    kind: 'planned',
    input: { planId: input.planId, unitCode: input.unitCode, timeZone },
    planId: input.planId,
    unitCode: input.unitCode,
    actor: { id: principal.id, role: principal.role },
    now,
  });
}

export interface EventOptions {
  now: Date;
  timeZone: string;
  idempotencyKey?: string;
  expectedVersion?: number;
}

/** 'YYYY-MM-DD' of an instant in the deadline time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/**
 * What the API accepts beyond the machine's own payloads: `dueInWorkingDays`
 * becomes a date on the working-day calendar, and a visit's sampled communes
 * are checked against the registry (they belong to the inspected district and
 * number 15–20 % of its communes).
 */
async function normalizeEvent(
  db: Db,
  row: InstanceRow,
  body: Record<string, unknown>,
  options: EventOptions,
): Promise<Record<string, unknown>> {
  const event = { ...body };
  if (event.type === 'REQUEST_SELF_REPORT' && event.dueInWorkingDays !== undefined) {
    const n = event.dueInWorkingDays;
    if (event.dueDate !== undefined) {
      throw badRequest('Give dueDate or dueInWorkingDays, not both.', [
        { path: 'body.dueInWorkingDays', message: 'not allowed together with dueDate' },
      ]);
    }
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 365) {
      throw badRequest('dueInWorkingDays must be a whole number from 1 to 365.', [
        { path: 'body.dueInWorkingDays', message: 'expected an integer from 1 to 365' },
      ]);
    }
    const today = localDate(options.now, options.timeZone);
    event.dueDate = addWorkingDays(today, n, await loadCalendarLookup(db));
    delete event.dueInWorkingDays;
  }
  if (event.type === 'COMPLETE_VISIT' && event.conclusionDueDate === undefined) {
    // Circular 02/2017/TT-VPCP Art. 46: the conclusion notice is due 15 working days after the visit ends.
    event.conclusionDueDate = addWorkingDays(localDate(options.now, options.timeZone), CONCLUSION_WORKING_DAYS, await loadCalendarLookup(db));
  }
  if (event.type === 'SCHEDULE_VISIT' && Array.isArray(event.sampledUnits) && row.unit_code) {
    await checkSample(db, row, event.sampledUnits as unknown[]);
  }
  return event;
}

async function checkSample(db: Db, row: InstanceRow, sampled: unknown[]): Promise<void> {
  const codes = sampled.filter((c): c is string => typeof c === 'string');
  if (codes.length !== sampled.length) return; // the machine's schema reports the wrong types
  const unit = await db.selectFrom('units').select(['code', 'kind']).where('code', '=', row.unit_code!).executeTakeFirst();
  const plan = row.plan_id
    ? await db.selectFrom('plans').select('coverage').where('id', '=', row.plan_id).executeTakeFirst()
    : undefined;
  const rules: CoverageRule[] = plan?.coverage ?? [];
  const rule = rules.find((r) => r.of === unit?.kind) ?? { kind: 'commune', minRatio: 0.15, maxRatio: 0.2, of: unit?.kind };
  const children = await db
    .selectFrom('units')
    .select('code')
    .where('parent_code', '=', row.unit_code!)
    .where('kind', '=', rule.kind)
    .execute();
  const issues: { path: string; message: string }[] = [];
  const mine = new Set(children.map((c) => c.code));
  codes.forEach((code, i) => {
    if (!mine.has(code)) issues.push({ path: `body.sampledUnits.${i}`, message: `${code} is not a ${rule.kind} of ${row.unit_code}` });
  });
  if (new Set(codes).size !== codes.length) issues.push({ path: 'body.sampledUnits', message: 'a unit is listed twice' });
  if (children.length > 0) {
    const { min, max } = sampleBounds(children.length, rule);
    if (codes.length < min || codes.length > max) {
      issues.push({
        path: 'body.sampledUnits',
        message: `sample ${min === max ? min : `${min}–${max}`} of the ${children.length} ${rule.kind} units of ${row.unit_code} (${Math.round(rule.minRatio * 100)}–${Math.round((rule.maxRatio ?? 1) * 100)} %, rounded up, at least 1); got ${codes.length}`,
      });
    }
  }
  if (issues.length > 0) throw badRequest('The sampled units do not meet the sampling rule.', issues);
}

export async function sendInspectionEvent(
  db: Db,
  id: string,
  body: Record<string, unknown>,
  principal: Principal,
  options: EventOptions,
): Promise<EventResult & { allowedEvents: string[] }> {
  const row = await inspectionRow(db, id, principal);
  const type = String(body.type);
  const mod = machineModuleFor(row);
  authorizeEvent(principal.role, type, mod.events);
  const event = await normalizeEvent(db, row, body, options);
  try {
    const result = await applyEvent(db, id, event, { id: principal.id, role: principal.role }, { ...options, current: row });
    return { ...result, allowedEvents: eventsForRole(principal.role, result.allowedEvents) };
  } catch (err) {
    if (err instanceof EngineError && err.code === 'event_not_allowed') {
      err.details.allowedEvents = eventsForRole(principal.role, err.details.allowedEvents as string[]);
    }
    throw err;
  }
}
