import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/connect.js';
import { applyEvent, EngineError, fireDueTimers, verifyAudit } from '../../src/engine/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import {
  T0,
  at,
  coordinator,
  databaseFingerprint,
  driveToFindings,
  inspector,
  newPlanned,
  seedPlan,
  unitActor,
} from '../support/fixtures.js';

let t: TestDatabase;
let planId: string;

beforeAll(async () => {
  t = await createTestDatabase({ max: 20 });
  planId = await seedPlan(t.db, ['U1', 'U2']);
});
afterAll(async () => {
  await t.drop();
});

async function engineError(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

describe('createInstance', () => {
  it('stores machine name and version and audits the creation as seq 1', async () => {
    const id = await newPlanned(t.db, planId);
    const row = await t.db.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ machine_name: 'plannedInspection', machine_version: 1, state: 'planned', version: 1 });
    const audit = await t.db.selectFrom('audit_log').selectAll().where('instance_id', '=', id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ seq: 1, from_state: null, to_state: 'planned', actor_role: 'coordinator' });
    expect(await verifyAudit(t.db, id)).toEqual({ ok: true, checked: 1 });
  });
});

describe('applyEvent', () => {
  it('moves the instance, audits the step and answers the events now allowed', async () => {
    const id = await newPlanned(t.db, planId);
    const r = await applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, {
      now: T0,
    });
    expect(r).toMatchObject({ id, state: 'selfReport.requested', version: 2, replayed: false });
    expect(r.allowedEvents).toEqual(expect.arrayContaining(['SUBMIT_SELF_REPORT', 'EXTEND_DEADLINE', 'CANCEL']));
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('instance_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => [a.seq, a.from_state, a.to_state])).toEqual([
      [1, null, 'planned'],
      [2, 'planned', 'selfReport.requested'],
    ]);
    expect(audit[1]!.prev_hash).toBe(audit[0]!.hash);
    expect(audit[1]!.event).toEqual({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' });
    const deadline = await t.db.selectFrom('deadlines').selectAll().where('instance_id', '=', id).executeTakeFirst();
    expect(deadline).toMatchObject({ kind: 'selfReport', due_date: '2020-07-15', status: 'open' });
    expect(deadline!.due_at.toISOString()).toBe('2020-07-15T17:00:00.000Z');
    const outbox = await t.db.selectFrom('outbox').selectAll().where('instance_id', '=', id).execute();
    expect(outbox.some((o) => o.type === 'inspection.transitioned')).toBe(true);
  });

  it('rejects a bad payload, a disallowed event and a stale version without writing anything', async () => {
    const id = await newPlanned(t.db, planId);
    const before = await databaseFingerprint(t.db);

    const bad = await engineError(applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-02-30' }, coordinator, { now: T0 }));
    expect(bad.code).toBe('invalid_event');
    expect((bad.details.issues as { path: string[] }[])[0]!.path).toEqual(['dueDate']);

    const unknown = await engineError(applyEvent(t.db, id, { type: 'NOPE' }, coordinator, { now: T0 }));
    expect(unknown.code).toBe('invalid_event');

    const notAllowed = await engineError(applyEvent(t.db, id, { type: 'START_VISIT' }, inspector, { now: T0 }));
    expect(notAllowed.code).toBe('event_not_allowed');
    expect(notAllowed.details).toMatchObject({ state: 'planned' });
    expect(notAllowed.details.allowedEvents).toEqual(expect.arrayContaining(['REQUEST_SELF_REPORT', 'CANCEL']));

    const stale = await engineError(
      applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, {
        now: T0,
        expectedVersion: 7,
      }),
    );
    expect(stale.code).toBe('version_mismatch');
    expect(stale.details).toEqual({ version: 1 });

    const missing = await engineError(
      applyEvent(t.db, '00000000-0000-4000-8000-000000000000', { type: 'CANCEL', reason: 'x' }, coordinator, { now: T0 }),
    );
    expect(missing.code).toBe('not_found');

    expect(await databaseFingerprint(t.db)).toEqual(before);
  });

  it('commits snapshot, audit, timers, outbox and deadlines together or not at all', async () => {
    const id = await newPlanned(t.db, planId);
    await sql`create function fail_deadlines() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$`.execute(t.db);
    await sql`create trigger fail_deadlines before insert or update on deadlines for each row execute function fail_deadlines()`.execute(t.db);
    const before = await databaseFingerprint(t.db);
    try {
      await expect(
        applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: T0 }),
      ).rejects.toThrow(/boom/);
      expect(await databaseFingerprint(t.db)).toEqual(before);
    } finally {
      await sql`drop trigger fail_deadlines on deadlines`.execute(t.db);
      await sql`drop function fail_deadlines()`.execute(t.db);
    }
  });

  it('applies the same Idempotency-Key once and answers the same result again', async () => {
    const id = await newPlanned(t.db, planId);
    const event = { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' };
    const first = await applyEvent(t.db, id, event, coordinator, { now: T0, idempotencyKey: 'k-1' });
    const again = await applyEvent(t.db, id, event, coordinator, { now: T0, idempotencyKey: 'k-1', expectedVersion: 1 });
    expect(again).toEqual({ ...first, replayed: true });
    const rows = await t.db.selectFrom('audit_log').select('seq').where('instance_id', '=', id).execute();
    expect(rows).toHaveLength(2);
    const reused = await engineError(
      applyEvent(t.db, id, { type: 'EXTEND_DEADLINE', dueDate: '2020-07-20', reason: 'x' }, coordinator, {
        now: T0,
        idempotencyKey: 'k-1',
      }),
    );
    expect(reused.code).toBe('idempotency_conflict');
  });

  it('serialises 50 concurrent events on one instance: contiguous seq, no lost update', async () => {
    const id = await newPlanned(t.db, planId);
    await driveToFindings(t.db, id);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        applyEvent(
          t.db,
          id,
          { type: 'RECORD_FINDING', criterionCode: 'a1', kind: 'shortcoming', text: `Tồn tại ${i}` },
          inspector,
          { now: T0 },
        ),
      ),
    );
    expect(new Set(results.map((r) => r.version)).size).toBe(50);
    const seqs = (
      await t.db.selectFrom('audit_log').select('seq').where('instance_id', '=', id).orderBy('seq').execute()
    ).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: 56 }, (_, i) => i + 1));
    const row = await t.db.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.version).toBe(56);
    const context = (row.snapshot as { context: { findings: { text: string }[] } }).context;
    expect(context.findings).toHaveLength(50);
    expect(await verifyAudit(t.db, id)).toEqual({ ok: true, checked: 56 });
  });
});

describe('timers', () => {
  it('a due self-report turns overdue once the injected clock passes it, even after an engine restart', async () => {
    const id = await newPlanned(t.db, planId);
    await applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: T0 });
    const timer = await t.db.selectFrom('timers').selectAll().where('instance_id', '=', id).executeTakeFirstOrThrow();
    expect(timer.fire_at.toISOString()).toBe('2020-07-15T17:00:00.000Z');

    // A new pool stands for a restarted service: nothing lives in memory between the two.
    const restarted = createDb(t.url, { max: 2 });
    try {
      expect(await fireDueTimers(restarted, at('2020-07-15T16:59:59.999Z'))).toMatchObject({ fired: 0 });
      const mine = async () =>
        (await restarted.selectFrom('timers').select('id').where('instance_id', '=', id).execute()).length;
      expect(await mine()).toBe(1);
      const r1 = await fireDueTimers(restarted, at('2020-07-15T17:00:00.000Z'));
      expect(r1.fired).toBeGreaterThanOrEqual(1);
      expect(await mine()).toBe(0);
      await fireDueTimers(restarted, at('2020-07-20T00:00:00.000Z'));
      const row = await restarted.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.state).toBe('selfReport.overdue');
      const audit = await restarted.selectFrom('audit_log').selectAll().where('instance_id', '=', id).orderBy('seq').execute();
      expect(audit.filter((a) => a.to_state === 'selfReport.overdue')).toHaveLength(1);
      expect(audit.at(-1)).toMatchObject({ actor_id: 'system', actor_role: 'system' });
    } finally {
      await restarted.destroy();
    }
  });

  it('a delay cancelled by leaving the state early never fires', async () => {
    const id = await newPlanned(t.db, planId);
    await applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: T0 });
    await applyEvent(t.db, id, { type: 'SUBMIT_SELF_REPORT', summary: 'Đã nộp' }, unitActor, { now: T0 });
    expect(await t.db.selectFrom('timers').select('id').where('instance_id', '=', id).execute()).toHaveLength(0);
    await fireDueTimers(t.db, at('2021-01-01T00:00:00Z'));
    const row = await t.db.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.state).toBe('selfReport.submitted');
    expect(row.version).toBe(3);
  });

  it('extending the deadline moves the timer instead of adding one', async () => {
    const id = await newPlanned(t.db, planId);
    await applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: T0 });
    await applyEvent(t.db, id, { type: 'EXTEND_DEADLINE', dueDate: '2020-07-31', reason: 'Lũ lụt' }, coordinator, {
      now: T0,
    });
    const timers = await t.db.selectFrom('timers').selectAll().where('instance_id', '=', id).execute();
    expect(timers).toHaveLength(1);
    expect(timers[0]!.fire_at.toISOString()).toBe('2020-07-31T17:00:00.000Z');
    const deadline = await t.db.selectFrom('deadlines').selectAll().where('instance_id', '=', id).executeTakeFirstOrThrow();
    expect(deadline.due_date).toBe('2020-07-31');
  });
});

describe('timer workers', () => {
  it('two workers racing over 1,000 due timers fire each exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1000; i += 1) ids.push(await newPlanned(t.db, planId));
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map((id) =>
          applyEvent(t.db, id, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-10' }, coordinator, { now: T0 }),
        ),
      );
    }
    const a = createDb(t.url, { max: 2 });
    const b = createDb(t.url, { max: 2 });
    try {
      const later = at('2020-07-11T00:00:00Z');
      const [ra, rb] = await Promise.all([
        fireDueTimers(a, later, { batchSize: 25 }),
        fireDueTimers(b, later, { batchSize: 25 }),
      ]);
      expect(ra.fired + rb.fired).toBeGreaterThanOrEqual(1000);
      expect(ra.failed + rb.failed).toBe(0);
      const overdue = await t.db
        .selectFrom('audit_log')
        .select(['instance_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('instance_id', 'in', ids)
        .where('to_state', '=', 'selfReport.overdue')
        .groupBy('instance_id')
        .execute();
      expect(overdue).toHaveLength(1000);
      expect(overdue.every((r) => r.n === 1)).toBe(true);
      const left = await t.db.selectFrom('timers').select('id').where('instance_id', 'in', ids).execute();
      expect(left).toHaveLength(0);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });
});

describe('verifyAudit', () => {
  it('reports the first row changed behind the application’s back', async () => {
    const id = await newPlanned(t.db, planId);
    await driveToFindings(t.db, id);
    expect(await verifyAudit(t.db, id)).toEqual({ ok: true, checked: 6 });
    await expect(sql`update audit_log set actor_id = 'x' where instance_id = ${id} and seq = 3`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log where instance_id = ${id}`.execute(t.db)).rejects.toThrow(/append-only/);
    // A superuser can switch the trigger off; the hash chain still tells.
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t.db);
    try {
      await sql`update audit_log set event = jsonb_set(event, '{summary}', '"sửa"') where instance_id = ${id} and seq = 3`.execute(t.db);
    } finally {
      await sql`alter table audit_log enable trigger audit_log_no_update`.execute(t.db);
    }
    const result = await verifyAudit(t.db, id);
    expect(result).toMatchObject({ ok: false, checked: 2, brokenAt: { instanceId: id, seq: 3 } });
    const all = await verifyAudit(t.db);
    expect(all.ok).toBe(false);
    expect(all.brokenAt).toMatchObject({ instanceId: id, seq: 3 });
  });
});
