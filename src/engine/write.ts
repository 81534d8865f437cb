import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { DeadlineSpec } from '../../machines/types.js';
import { auditHash, type AuditEntry } from './audit.js';
import type { DeadlineChanges, TimerSet } from './effects.js';

/**
 * The rows one step of one instance writes. Everything goes to the database
 * as ONE statement (data-modifying CTEs), so a step costs one round trip and
 * is atomic on its own, inside a transaction or not.
 */
export interface StepRows {
  instanceId: string;
  unitCode: string | null;
  now: Date;
  audit: AuditEntry;
  snapshot: unknown;
  state: string;
  timersSet: readonly TimerSet[];
  timersCancelled: readonly string[];
  outbox: readonly { type: string; payload: unknown }[];
  deadlines: DeadlineChanges;
  idempotency?: { key: string; actorId: string; requestHash: string; response: unknown };
  /** The timer row whose event this step is: removed with the step. */
  firedTimerId?: number;
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

function timerRows(timers: readonly TimerSet[]) {
  return json(timers.map((t) => ({ sendId: t.sendId, fireAt: t.fireAt.toISOString(), event: t.event })));
}

function deadlineRows(deadlines: readonly DeadlineSpec[]) {
  return json(deadlines.map((d) => ({ kind: d.kind, subject: d.subject, dueDate: d.dueDate, dueAt: d.dueAt, status: d.status })));
}

/** The CTEs that write a step's side rows, each reading the instance id from CTE `src` (no row there, no write). */
function sideWrites(rows: StepRows): RawBuilder<unknown>[] {
  const { now } = rows;
  const parts: RawBuilder<unknown>[] = [];
  const a = rows.audit;
  const hash = auditHash(a);
  parts.push(sql`audit as (
    insert into audit_log (instance_id, seq, at, actor_id, actor_role, event, from_state, to_state, prev_hash, hash)
    select src.id, ${a.seq}::int, ${a.at}::timestamptz, ${a.actor.id}::text, ${a.actor.role}::text, ${json(a.event)},
           ${a.from}::text, ${a.to}::text, ${a.prevHash}::text, ${hash}::text
    from src)`);
  if (rows.timersSet.length > 0) {
    parts.push(sql`timers_set as (
      insert into timers (instance_id, send_id, fire_at, event, created_at)
      select src.id, x.e->>'sendId', (x.e->>'fireAt')::timestamptz, x.e->'event', ${now}::timestamptz
      from src, jsonb_array_elements(${timerRows(rows.timersSet)}) as x(e)
      on conflict (instance_id, send_id) do update
        set fire_at = excluded.fire_at, event = excluded.event, attempts = 0, last_error = null, created_at = excluded.created_at)`);
  }
  if (rows.timersCancelled.length > 0) {
    parts.push(sql`timers_cancelled as (
      delete from timers
      where instance_id = ${rows.instanceId}::uuid and send_id = any(${[...rows.timersCancelled]}::text[]) and exists (select from src))`);
  }
  if (rows.outbox.length > 0) {
    parts.push(sql`outbox_rows as (
      insert into outbox (instance_id, type, payload, created_at)
      select src.id, x.e->>'type', x.e->'payload', ${now}::timestamptz
      from src, jsonb_array_elements(${json(rows.outbox)}) with ordinality as x(e, n)
      order by x.n)`);
  }
  if (rows.deadlines.upserts.length > 0) {
    parts.push(sql`deadlines_set as (
      insert into deadlines (instance_id, unit_code, kind, subject, due_date, due_at, status, updated_at)
      select src.id, ${rows.unitCode}::text, x.e->>'kind', x.e->>'subject', (x.e->>'dueDate')::date, (x.e->>'dueAt')::timestamptz, x.e->>'status', ${now}::timestamptz
      from src, jsonb_array_elements(${deadlineRows(rows.deadlines.upserts)}) as x(e)
      on conflict (instance_id, kind, subject) do update
        set due_date = excluded.due_date, due_at = excluded.due_at, status = excluded.status, updated_at = excluded.updated_at)`);
  }
  if (rows.deadlines.cancelled.length > 0) {
    parts.push(sql`deadlines_cancelled as (
      update deadlines set status = 'cancelled', updated_at = ${now}::timestamptz
      where instance_id = ${rows.instanceId}::uuid
        and (kind, subject) in (select x.e->>'kind', x.e->>'subject' from jsonb_array_elements(${deadlineRows(rows.deadlines.cancelled)}) as x(e))
        and exists (select from src))`);
  }
  if (rows.firedTimerId !== undefined) {
    parts.push(sql`timer_fired as (delete from timers where id = ${rows.firedTimerId}::bigint and exists (select from src))`);
  }
  if (rows.idempotency) {
    const k = rows.idempotency;
    parts.push(sql`idempotency as (
      insert into idempotency_keys (instance_id, key, actor_id, request_hash, response, created_at)
      select src.id, ${k.key}::text, ${k.actorId}::text, ${k.requestHash}::text, ${json(k.response)}, ${now}::timestamptz from src)`);
  }
  return parts;
}

/**
 * Writes one event's step: the instance moves from `expectedVersion` to the
 * audit row's seq, with its audit row, timers, outbox rows, deadlines and
 * idempotency key. Returns false, having written nothing, when the instance
 * is no longer at `expectedVersion` (another event got there first).
 */
export async function writeStep(db: Kysely<Database>, rows: StepRows, expectedVersion: number): Promise<boolean> {
  const a = rows.audit;
  const update = sql`src as (
    update instances
    set snapshot = ${json(rows.snapshot)}, state = ${rows.state}::text, version = ${a.seq}::int,
        last_hash = ${auditHash(a)}::text, updated_at = ${rows.now}::timestamptz
    where id = ${rows.instanceId}::uuid and version = ${expectedVersion}::int
    returning id)`;
  const { rows: out } = await sql<{ applied: number }>`
    with ${sql.join([update, ...sideWrites(rows)], sql`, `)}
    select count(*)::int as applied from src`.execute(db);
  return (out[0]?.applied ?? 0) === 1;
}

export interface NewInstanceRow {
  id: string;
  machineName: string;
  machineVersion: number;
  kind: string;
  planId: string | null;
  step: StepRows;
}

/**
 * Creates instances (each with its creation audit row, timers and deadlines)
 * in one statement. Many at once cost about what one does in round trips:
 * approving a plan creates its inspections this way.
 */
export async function insertInstances(db: Kysely<Database>, created: readonly NewInstanceRow[]): Promise<void> {
  if (created.length === 0) return;
  const instances = created.map((c) => ({
    id: c.id,
    machine_name: c.machineName,
    machine_version: c.machineVersion,
    kind: c.kind,
    plan_id: c.planId,
    unit_code: c.step.unitCode,
    state: c.step.state,
    snapshot: c.step.snapshot,
    version: c.step.audit.seq,
    last_hash: auditHash(c.step.audit),
    created_at: c.step.now.toISOString(),
    updated_at: c.step.now.toISOString(),
  }));
  const audit = created.map((c) => {
    const a = c.step.audit;
    return {
      instance_id: c.id,
      seq: a.seq,
      at: a.at.toISOString(),
      actor_id: a.actor.id,
      actor_role: a.actor.role,
      event: a.event,
      from_state: a.from,
      to_state: a.to,
      prev_hash: a.prevHash,
      hash: auditHash(a),
    };
  });
  const timers = created.flatMap((c) =>
    c.step.timersSet.map((t) => ({
      instance_id: c.id,
      send_id: t.sendId,
      fire_at: t.fireAt.toISOString(),
      event: t.event,
      created_at: c.step.now.toISOString(),
    })),
  );
  const deadlines = created.flatMap((c) =>
    c.step.deadlines.upserts.map((d) => ({
      instance_id: c.id,
      unit_code: c.step.unitCode,
      kind: d.kind,
      subject: d.subject,
      due_date: d.dueDate,
      due_at: d.dueAt,
      status: d.status,
      updated_at: c.step.now.toISOString(),
    })),
  );
  const outbox = created.flatMap((c) =>
    c.step.outbox.map((o) => ({ instance_id: c.id, type: o.type, payload: o.payload, created_at: c.step.now.toISOString() })),
  );
  const parts: RawBuilder<unknown>[] = [
    sql`new_instances as (
      insert into instances (id, machine_name, machine_version, kind, plan_id, unit_code, state, snapshot, version, last_hash, created_at, updated_at)
      select id, machine_name, machine_version, kind, plan_id, unit_code, state, snapshot, version, last_hash, created_at, updated_at
      from jsonb_populate_recordset(null::instances, ${json(instances)})
      returning id)`,
    sql`new_audit as (
      insert into audit_log (instance_id, seq, at, actor_id, actor_role, event, from_state, to_state, prev_hash, hash)
      select instance_id, seq, at, actor_id, actor_role, event, from_state, to_state, prev_hash, hash
      from jsonb_populate_recordset(null::audit_log, ${json(audit)}))`,
  ];
  if (timers.length > 0) {
    parts.push(sql`new_timers as (
      insert into timers (instance_id, send_id, fire_at, event, created_at)
      select instance_id, send_id, fire_at, event, created_at from jsonb_populate_recordset(null::timers, ${json(timers)}))`);
  }
  if (deadlines.length > 0) {
    parts.push(sql`new_deadlines as (
      insert into deadlines (instance_id, unit_code, kind, subject, due_date, due_at, status, updated_at)
      select instance_id, unit_code, kind, subject, due_date, due_at, status, updated_at
      from jsonb_populate_recordset(null::deadlines, ${json(deadlines)}))`);
  }
  if (outbox.length > 0) {
    parts.push(sql`new_outbox as (
      insert into outbox (instance_id, type, payload, created_at)
      select x.instance_id, x.type, x.payload, x.created_at
      from rows from (jsonb_populate_recordset(null::outbox, ${json(outbox)})) with ordinality as x
      order by x.ordinality)`);
  }
  await sql`with ${sql.join(parts, sql`, `)} select count(*) from new_instances`.execute(db);
}
