import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { getMachineModule, stateString } from '../../machines/index.js';
import type { MachineModule } from '../../machines/types.js';
import type { Database, InstanceRow } from '../db/schema.js';
import { GENESIS_HASH, type Actor } from './audit.js';
import { actionEffects, allowedEventTypes, deadlineChanges, type ActionObject } from './effects.js';
import {
  EngineError,
  eventNotAllowed,
  idempotencyConflict,
  invalidEvent,
  notFound,
  versionMismatch,
  type Issue,
} from './errors.js';
import { canonicalJson, sha256 } from './hash.js';
import { inTransaction } from './transaction.js';
import { insertInstances, writeStep, type NewInstanceRow, type StepRows } from './write.js';

export type InstanceKind = 'plan' | 'planned' | 'surprise';

const MACHINE_OF: Record<InstanceKind, string> = {
  plan: 'inspectionPlan',
  planned: 'plannedInspection',
  surprise: 'surpriseInspection',
};

export interface EventResult {
  id: string;
  kind: InstanceKind;
  state: string;
  version: number;
  /** Every event type the machine would accept now, whoever sends it (the HTTP layer filters by role). */
  allowedEvents: string[];
  /** True when an earlier request with the same Idempotency-Key is being answered again. */
  replayed: boolean;
}

export interface CreateInstanceOptions {
  kind: InstanceKind;
  input: unknown;
  actor: Actor;
  now: Date;
  id?: string;
  planId?: string | null;
  unitCode?: string | null;
}

export interface ApplyOptions {
  now: Date;
  idempotencyKey?: string;
  expectedVersion?: number;
  /**
   * The instance as the caller has just read it (the HTTP layer reads it to
   * check the caller may see it): the first, unlocked attempt starts from it
   * instead of reading it again. Not used with an idempotency key, whose
   * stored answer has to be looked up with the instance.
   */
  current?: InstanceRow;
}

export function machineModuleFor(row: Pick<InstanceRow, 'machine_name' | 'machine_version'>): MachineModule {
  const mod = getMachineModule(row.machine_name);
  if (!mod || mod.version !== row.machine_version) {
    throw new Error(`machine ${row.machine_name} v${row.machine_version} is not registered`);
  }
  return mod as MachineModule;
}

function zodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Issue[] {
  return issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
}

/** One instance to create: the machine's initial state for `input`, audited as seq 1. */
function initialStep(options: CreateInstanceOptions, machineCache: Map<string, AnyStateMachine>): { row: NewInstanceRow; result: () => EventResult } {
  const mod = getMachineModule(MACHINE_OF[options.kind]) as MachineModule;
  const parsed = mod.input.safeParse(options.input);
  if (!parsed.success) throw invalidEvent('The instance input is invalid.', zodIssues(parsed.error.issues));
  const id = options.id ?? randomUUID();
  const cacheKey = `${mod.name}@${options.now.getTime()}`;
  let machine = machineCache.get(cacheKey);
  if (!machine) {
    machine = mod.withClock(options.now.getTime());
    machineCache.set(cacheKey, machine);
  }
  const [snapshot, actions] = initialTransition(machine, parsed.data);
  const state = stateString(snapshot.value);
  const effects = actionEffects(actions as ActionObject[], options.now);
  const unitCode = options.unitCode ?? null;
  const step: StepRows = {
    instanceId: id,
    unitCode,
    now: options.now,
    audit: {
      instanceId: id,
      seq: 1,
      at: options.now,
      actor: options.actor,
      event: { type: 'CREATE', input: parsed.data as Record<string, unknown> },
      from: null,
      to: state,
      prevHash: GENESIS_HASH,
    },
    snapshot: machine.getPersistedSnapshot(snapshot),
    state,
    timersSet: effects.timersSet,
    timersCancelled: [],
    outbox: effects.outbox,
    deadlines: deadlineChanges([], mod.deadlines(state, snapshot.context, options.now.getTime())),
  };
  return {
    row: { id, machineName: mod.name, machineVersion: mod.version, kind: options.kind, planId: options.planId ?? null, step },
    result: () => ({
      id,
      kind: options.kind,
      state,
      version: 1,
      allowedEvents: allowedEventTypes(snapshot, Object.keys(mod.events)),
      replayed: false,
    }),
  };
}

/** Creates a statechart instance in its initial state; its creation is audit row seq 1. */
export async function createInstance(db: Kysely<Database>, options: CreateInstanceOptions): Promise<EventResult> {
  const { row, result } = initialStep(options, new Map());
  await insertInstances(db, [row]);
  return result();
}

/**
 * Creates many instances at once (approving a plan creates one per target):
 * the same rows as `createInstance` for each, written in a few multi-row
 * statements. Returns their ids in order.
 */
export async function createInstances(db: Kysely<Database>, list: readonly CreateInstanceOptions[]): Promise<string[]> {
  const machines = new Map<string, AnyStateMachine>();
  const rows = list.map((options) => initialStep(options, machines).row);
  for (let i = 0; i < rows.length; i += CREATE_CHUNK) await insertInstances(db, rows.slice(i, i + CREATE_CHUNK));
  return rows.map((r) => r.id);
}

/** Instances per statement when creating many: keeps one statement's parameters a few megabytes at most. */
const CREATE_CHUNK = 500;

/**
 * Applies one event to one stored instance, atomically (DESIGN.md, "The
 * engine"): validate, replay an idempotent retry, check the version, ask the
 * machine, then store snapshot, audit row, timers, outbox rows and deadlines
 * together — or nothing at all.
 *
 * Outside a transaction the instance is read without a lock and the step is
 * written by one statement that applies only if the instance is still at the
 * version read (two round trips per event). If another event got there first,
 * the event is applied again under `SELECT … FOR UPDATE`, so it waits its turn
 * rather than retrying. Inside the caller's transaction the lock is taken at
 * once.
 */
export async function applyEvent(
  db: Kysely<Database>,
  instanceId: string,
  event: unknown,
  actor: Actor,
  options: ApplyOptions,
): Promise<EventResult> {
  if (db.isTransaction) return applyLocked(db as Transaction<Database>, instanceId, event, actor, options, false);
  const read =
    options.current?.id === instanceId && options.idempotencyKey === undefined
      ? { row: options.current, seen: null }
      : await loadInstance(db, instanceId, options.idempotencyKey, false);
  const step = prepareStep(read, instanceId, event, actor, options, false);
  if (step.replay) return step.result;
  if (await writeStep(db, step.rows, step.fromVersion)) return step.result;
  return inTransaction(db, (trx) => applyLocked(trx, instanceId, event, actor, options, false));
}

/** Applies a delayed event that a timer row carried (actor `system`, no payload schema). */
export async function applyTimerEvent(
  trx: Transaction<Database>,
  instanceId: string,
  event: Record<string, unknown>,
  now: Date,
): Promise<EventResult> {
  return applyLocked(trx, instanceId, event, SYSTEM, { now }, true);
}

/**
 * Applies a timer's event to an instance the caller has locked and read (the
 * timer worker's claim query returns both), and removes the timer row in the
 * same statement: one round trip per timer.
 */
export async function applyClaimedTimer(
  trx: Transaction<Database>,
  row: InstanceRow,
  timer: { id: number; event: Record<string, unknown> },
  now: Date,
): Promise<EventResult> {
  const step = prepareStep({ row, seen: null }, row.id, timer.event, SYSTEM, { now }, true);
  if (step.replay) return step.result;
  if (!(await writeStep(trx, { ...step.rows, firedTimerId: timer.id }, step.fromVersion))) {
    throw new Error(`instance ${row.id} changed while locked`);
  }
  return step.result;
}

const SYSTEM: Actor = { id: 'system', role: 'system' };

async function applyLocked(
  trx: Transaction<Database>,
  instanceId: string,
  rawEvent: unknown,
  actor: Actor,
  options: ApplyOptions,
  fromTimer: boolean,
): Promise<EventResult> {
  const step = prepareStep(await loadInstance(trx, instanceId, options.idempotencyKey, true), instanceId, rawEvent, actor, options, fromTimer);
  if (step.replay) return step.result;
  if (!(await writeStep(trx, step.rows, step.fromVersion))) {
    throw new Error(`instance ${instanceId} changed while locked`);
  }
  return step.result;
}

interface Loaded {
  row: InstanceRow;
  seen: { request_hash: string; response: unknown } | null;
}

/** The instance and, when a key is given, the answer already stored under it: one query. */
async function loadInstance(db: Kysely<Database>, instanceId: string, key: string | undefined, lock: boolean): Promise<Loaded | undefined> {
  if (!UUID.test(instanceId)) return undefined;
  const { rows } = await sql<InstanceRow & { seen_request_hash: string | null; seen_response: unknown }>`
    select i.*, ${key === undefined ? sql`null as seen_request_hash, null as seen_response` : sql`k.request_hash as seen_request_hash, k.response as seen_response`}
    from instances i
    ${key === undefined ? sql`` : sql`left join idempotency_keys k on k.instance_id = i.id and k.key = ${key}::text`}
    where i.id = ${instanceId}::uuid
    ${lock ? sql`for update of i` : sql``}`.execute(db);
  const found = rows[0];
  if (!found) return undefined;
  const { seen_request_hash, seen_response, ...row } = found;
  return { row, seen: seen_request_hash === null ? null : { request_hash: seen_request_hash, response: seen_response } };
}

type PreparedStep =
  | { replay: true; result: EventResult }
  | { replay: false; result: EventResult; rows: StepRows; fromVersion: number };

/** Everything an event does to an instance, decided in memory from the stored row; throws EngineError when it may not. */
function prepareStep(
  loaded: Loaded | undefined,
  instanceId: string,
  rawEvent: unknown,
  actor: Actor,
  options: ApplyOptions,
  fromTimer: boolean,
): PreparedStep {
  const { now } = options;
  if (!loaded) throw notFound(instanceId);
  const { row } = loaded;
  const mod = machineModuleFor(row);
  const event = fromTimer ? (rawEvent as EventPayload) : parseEvent(mod, rawEvent);

  let requestHash: string | undefined;
  if (options.idempotencyKey !== undefined) {
    requestHash = sha256(canonicalJson({ actor: actor.id, event }));
    if (loaded.seen) {
      if (loaded.seen.request_hash !== requestHash) throw idempotencyConflict(options.idempotencyKey);
      return { replay: true, result: { ...(loaded.seen.response as Omit<EventResult, 'replayed'>), replayed: true } };
    }
  }
  if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
    throw versionMismatch(options.expectedVersion, row.version);
  }

  const snapshot = mod.machine.resolveState(row.snapshot as never) as AnyMachineSnapshot;
  const eventTypes = Object.keys(mod.events);
  if (!fromTimer) {
    const issues = mod.checkEvent(snapshot.context, event);
    if (issues.length > 0) throw invalidEvent(`The ${String(event.type)} payload does not fit this inspection.`, issues);
  }
  const machineEvent: EventPayload = { ...event, at: now.toISOString() };
  if (snapshot.status !== 'active' || !snapshot.can(machineEvent)) {
    throw eventNotAllowed(String(event.type), row.state, allowedEventTypes(snapshot, eventTypes));
  }
  const [next, actions] = transitionAt(mod, row, snapshot, machineEvent, now);
  const state = stateString(next.value);
  const version = row.version + 1;
  const effects = actionEffects(actions as ActionObject[], now);
  const result: EventResult = {
    id: instanceId,
    kind: row.kind,
    state,
    version,
    allowedEvents: allowedEventTypes(next, eventTypes),
    replayed: false,
  };
  const { replayed: _replayed, ...response } = result;
  const rows: StepRows = {
    instanceId,
    unitCode: row.unit_code,
    now,
    audit: { instanceId, seq: version, at: now, actor, event, from: row.state, to: state, prevHash: row.last_hash },
    snapshot: mod.machine.getPersistedSnapshot(next),
    state,
    timersSet: effects.timersSet,
    timersCancelled: effects.timersCancelled,
    outbox: [
      ...effects.outbox,
      {
        type: row.kind === 'plan' ? 'plan.transitioned' : 'inspection.transitioned',
        payload: {
          instanceId,
          kind: row.kind,
          planId: row.plan_id,
          unitCode: row.unit_code,
          event: event.type,
          from: row.state,
          to: state,
          seq: version,
          actor,
          at: now.toISOString(),
        },
      },
    ],
    deadlines: deadlineChanges(
      mod.deadlines(row.state, snapshot.context, now.getTime()),
      mod.deadlines(state, next.context, now.getTime()),
    ),
    ...(options.idempotencyKey !== undefined && requestHash
      ? { idempotency: { key: options.idempotencyKey, actorId: actor.id, requestHash, response } }
      : {}),
  };
  return { replay: false, result, rows, fromVersion: row.version };
}

/**
 * The machine's step for `event`. The engine's clock matters only to delays
 * (a delayed raise's distance), and binding it (`withClock`) builds a new
 * machine, which costs more than the rest of the step together; so the step
 * is taken on the module's machine first and taken again on the clocked one
 * only when it schedules a delayed event (or cannot be taken without a clock).
 */
function transitionAt(
  mod: MachineModule,
  row: InstanceRow,
  snapshot: AnyMachineSnapshot,
  event: EventPayload,
  now: Date,
): [AnyMachineSnapshot, ActionObject[]] {
  try {
    const [next, actions] = transition(mod.machine, snapshot, event);
    if (!actions.some((a) => a.type === 'xstate.raise' && (a.params as { delay?: unknown } | undefined)?.delay !== undefined)) {
      return [next, actions as ActionObject[]];
    }
  } catch {
    // fall through: take the step with the clock bound
  }
  const clocked = mod.withClock(now.getTime());
  const [next, actions] = transition(clocked, clocked.resolveState(row.snapshot as never), event);
  return [next, actions as ActionObject[]];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type EventPayload = Record<string, unknown> & { type: string };

function parseEvent(mod: MachineModule, raw: unknown): EventPayload {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(mod.events, type)) {
    throw invalidEvent(
      typeof type === 'string' ? `Unknown event type ${type}.` : 'The event has no type.',
      [{ path: ['type'], message: `expected one of: ${Object.keys(mod.events).join(', ')}` }],
    );
  }
  const parsed = mod.events[type]!.safeParse(raw);
  if (!parsed.success) throw invalidEvent(`The ${type} payload is invalid.`, zodIssues(parsed.error.issues));
  return parsed.data as EventPayload;
}

export { EngineError };
