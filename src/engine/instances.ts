import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { getMachineModule, stateString } from '../../machines/index.js';
import type { MachineModule } from '../../machines/types.js';
import type { Database, InstanceRow } from '../db/schema.js';
import { appendAudit, auditHash, GENESIS_HASH, type Actor } from './audit.js';
import { allowedEventTypes, persistActions, syncDeadlines, type ActionObject } from './effects.js';
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

/** Creates a statechart instance in its initial state; its creation is audit row seq 1. */
export async function createInstance(db: Kysely<Database>, options: CreateInstanceOptions): Promise<EventResult> {
  const mod = getMachineModule(MACHINE_OF[options.kind]) as MachineModule;
  const parsed = mod.input.safeParse(options.input);
  if (!parsed.success) throw invalidEvent('The instance input is invalid.', zodIssues(parsed.error.issues));
  const id = options.id ?? randomUUID();
  const machine = mod.withClock(options.now.getTime());
  const [snapshot, actions] = initialTransition(machine, parsed.data);
  const state = stateString(snapshot.value);
  return inTransaction(db, async (trx) => {
    const event = { type: 'CREATE', input: parsed.data as Record<string, unknown> };
    const entry = {
      instanceId: id,
      seq: 1,
      at: options.now,
      actor: options.actor,
      event,
      from: null,
      to: state,
      prevHash: GENESIS_HASH,
    };
    await trx
      .insertInto('instances')
      .values({
        id,
        machine_name: mod.name,
        machine_version: mod.version,
        kind: options.kind,
        plan_id: options.planId ?? null,
        unit_code: options.unitCode ?? null,
        state,
        snapshot: JSON.stringify(machine.getPersistedSnapshot(snapshot)),
        version: 1,
        last_hash: auditHash(entry),
        created_at: options.now,
        updated_at: options.now,
      })
      .execute();
    await appendAudit(trx, entry);
    await persistActions(trx, id, actions as ActionObject[], options.now);
    await syncDeadlines(trx, id, options.unitCode ?? null, [], mod.deadlines(state, snapshot.context, options.now.getTime()), options.now);
    return {
      id,
      kind: options.kind,
      state,
      version: 1,
      allowedEvents: allowedEventTypes(snapshot, Object.keys(mod.events)),
      replayed: false,
    };
  });
}

/**
 * Applies one event to one stored instance in one transaction (DESIGN.md,
 * "The engine"): lock, validate, replay an idempotent retry, check the
 * version, ask the machine, then store snapshot, audit row, timers, outbox
 * rows and deadlines together — or nothing at all.
 */
export async function applyEvent(
  db: Kysely<Database>,
  instanceId: string,
  event: unknown,
  actor: Actor,
  options: ApplyOptions,
): Promise<EventResult> {
  return inTransaction(db, (trx) => applyInTransaction(trx, instanceId, event, actor, options, false));
}

/** Applies a delayed event that a timer row carried (actor `system`, no payload schema). */
export async function applyTimerEvent(
  trx: Transaction<Database>,
  instanceId: string,
  event: Record<string, unknown>,
  now: Date,
): Promise<EventResult> {
  return applyInTransaction(trx, instanceId, event, { id: 'system', role: 'system' }, { now }, true);
}

async function applyInTransaction(
  trx: Transaction<Database>,
  instanceId: string,
  rawEvent: unknown,
  actor: Actor,
  options: ApplyOptions,
  fromTimer: boolean,
): Promise<EventResult> {
  const { now } = options;
  const row = await trx.selectFrom('instances').selectAll().where('id', '=', instanceId).forUpdate().executeTakeFirst();
  if (!row) throw notFound(instanceId);
  const mod = machineModuleFor(row);
  const event = fromTimer ? (rawEvent as EventPayload) : parseEvent(mod, rawEvent);

  let requestHash: string | undefined;
  if (options.idempotencyKey !== undefined) {
    requestHash = sha256(canonicalJson({ actor: actor.id, event }));
    const seen = await trx
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'response'])
      .where('instance_id', '=', instanceId)
      .where('key', '=', options.idempotencyKey)
      .executeTakeFirst();
    if (seen) {
      if (seen.request_hash !== requestHash) throw idempotencyConflict(options.idempotencyKey);
      return { ...(seen.response as Omit<EventResult, 'replayed'>), replayed: true };
    }
  }
  if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
    throw versionMismatch(options.expectedVersion, row.version);
  }

  const machine = mod.withClock(now.getTime());
  const snapshot = machine.resolveState(row.snapshot as never) as AnyMachineSnapshot;
  const eventTypes = Object.keys(mod.events);
  if (!fromTimer) {
    const issues = mod.checkEvent(snapshot.context, event);
    if (issues.length > 0) throw invalidEvent(`The ${String(event.type)} payload does not fit this inspection.`, issues);
  }
  const machineEvent: EventPayload = { ...event, at: now.toISOString() };
  if (snapshot.status !== 'active' || !snapshot.can(machineEvent)) {
    throw eventNotAllowed(String(event.type), row.state, allowedEventTypes(snapshot, eventTypes));
  }
  const [next, actions] = transition(machine, snapshot, machineEvent);
  const state = stateString(next.value);
  const version = row.version + 1;
  const entry = {
    instanceId,
    seq: version,
    at: now,
    actor,
    event,
    from: row.state,
    to: state,
    prevHash: row.last_hash,
  };
  const hash = await appendAudit(trx, entry);
  await trx
    .updateTable('instances')
    .set({
      snapshot: JSON.stringify(machine.getPersistedSnapshot(next)),
      state,
      version,
      last_hash: hash,
      updated_at: now,
    })
    .where('id', '=', instanceId)
    .execute();
  await persistActions(trx, instanceId, actions as ActionObject[], now);
  await trx
    .insertInto('outbox')
    .values({
      instance_id: instanceId,
      type: row.kind === 'plan' ? 'plan.transitioned' : 'inspection.transitioned',
      payload: JSON.stringify({
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
      }),
      created_at: now,
    })
    .execute();
  await syncDeadlines(
    trx,
    instanceId,
    row.unit_code,
    mod.deadlines(row.state, snapshot.context, now.getTime()),
    mod.deadlines(state, next.context, now.getTime()),
    now,
  );
  const result: EventResult = {
    id: instanceId,
    kind: row.kind,
    state,
    version,
    allowedEvents: allowedEventTypes(next, eventTypes),
    replayed: false,
  };
  if (options.idempotencyKey !== undefined && requestHash) {
    const { replayed: _replayed, ...response } = result;
    await trx
      .insertInto('idempotency_keys')
      .values({
        instance_id: instanceId,
        key: options.idempotencyKey,
        actor_id: actor.id,
        request_hash: requestHash,
        response: JSON.stringify(response),
        created_at: now,
      })
      .execute();
  }
  return result;
}

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
