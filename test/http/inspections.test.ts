import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/seed.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { databaseFingerprint } from '../support/fixtures.js';

let h: TestApp;
let planId: string;
let coordinator: { authorization: string };
let inspector: { authorization: string };
let chairman: { authorization: string };
let observer: { authorization: string };

beforeAll(async () => {
  h = await createTestApp();
  planId = (await seedDemo(h.t.db, h.clock.now(), 'Asia/Ho_Chi_Minh')).planId!;
  [coordinator, inspector, chairman, observer] = await Promise.all([
    h.auth('coordinator'),
    h.auth('inspector'),
    h.auth('chairman'),
    h.auth('observer'),
  ]);
});
afterAll(async () => {
  await h.close();
});

async function inspectionOf(unitCode: string): Promise<string> {
  const row = await h.t.db
    .selectFrom('instances')
    .select('id')
    .where('plan_id', '=', planId)
    .where('unit_code', '=', unitCode)
    .executeTakeFirstOrThrow();
  return row.id;
}

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  return res.json() as Record<string, unknown>;
}

describe('GET /inspections', () => {
  it('filters by kind, state prefix, unit and plan, newest first, with a stable cursor', async () => {
    const id = await inspectionOf('SYT');
    await h.app.inject({
      method: 'POST',
      url: `/inspections/${id}/events`,
      headers: coordinator,
      payload: { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' },
    });
    const bySelfReport = await h.app.inject({ url: '/inspections?state=selfReport', headers: observer });
    expect(bySelfReport.statusCode).toBe(200);
    expect(bySelfReport.json().items.map((i: { unitCode: string }) => i.unitCode)).toEqual(['SYT']);
    const exact = await h.app.inject({ url: '/inspections?state=selfReport.requested&unitCode=SYT', headers: observer });
    expect(exact.json().items).toHaveLength(1);
    const none = await h.app.inject({ url: '/inspections?state=selfRep', headers: observer });
    expect(none.json().items).toHaveLength(0);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.app.inject({
        url: `/inspections?kind=planned&planId=${planId}&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        headers: observer,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
  });

  it('lists overdue inspections once the clock passes a deadline', async () => {
    const id = await inspectionOf('STP');
    const sent = await h.app.inject({
      method: 'POST',
      url: `/inspections/${id}/events`,
      headers: coordinator,
      payload: { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-03' },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const before = await h.app.inject({ url: '/inspections?overdue=true', headers: observer });
    expect(before.json().items.map((i: { unitCode: string }) => i.unitCode)).not.toContain('STP');
    h.clock.set('2020-07-04T00:00:00+07:00');
    try {
      const after = await h.app.inject({ url: '/inspections?overdue=true', headers: observer });
      expect(after.json().items.map((i: { unitCode: string }) => i.unitCode)).toContain('STP');
    } finally {
      h.clock.set('2020-07-01T03:00:00Z');
    }
  });

  it('answers 400 for bad filters and cursors, 401 without a token', async () => {
    const bad = expectProblem(await h.app.inject({ url: '/inspections?limit=0&kind=x', headers: observer }), 400);
    expect((bad.issues as { path: string }[]).map((i) => i.path)).toEqual(
      expect.arrayContaining(['querystring.limit', 'querystring.kind']),
    );
    expectProblem(await h.app.inject({ url: '/inspections?cursor=nonsense', headers: observer }), 400);
    expectProblem(await h.app.inject({ url: '/inspections' }), 401);
    expectProblem(await h.app.inject({ url: '/inspections', headers: { authorization: 'Bearer kt_unknown' } }), 401);
  });

  it('shows a unit only its own inspections; others are 404, not 403', async () => {
    const unit = await h.auth('unit', 'SXD');
    const list = await h.app.inject({ url: '/inspections', headers: unit });
    expect(list.json().items.map((i: { unitCode: string }) => i.unitCode)).toEqual(['SXD']);
    const other = await inspectionOf('SKHDT');
    expectProblem(await h.app.inject({ url: `/inspections/${other}`, headers: unit }), 404);
    expectProblem(await h.app.inject({ url: `/inspections/${other}/history`, headers: unit }), 404);
    expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/inspections/${other}/events`,
        headers: unit,
        payload: { type: 'SUBMIT_SELF_REPORT', summary: 'x' },
      }),
      404,
    );
  });
});

describe('POST /inspections/:id/events', () => {
  it('403 for a role that may not send the event, and nothing is written', async () => {
    const id = await inspectionOf('SNGV');
    const before = await databaseFingerprint(h.t.db);
    const body = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: inspector,
        payload: { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' },
      }),
      403,
    );
    expect(body.detail).toMatch(/inspector/);
    expect(await databaseFingerprint(h.t.db)).toEqual(before);
  });

  it('412 on a stale If-Match, with the current version; the right version applies', async () => {
    const id = await inspectionOf('SNGV');
    const stale = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: { ...coordinator, 'if-match': '7' },
        payload: { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' },
      }),
      412,
    );
    expect(stale.version).toBe(1);
    const ok = await h.app.inject({
      method: 'POST',
      url: `/inspections/${id}/events`,
      headers: { ...coordinator, 'if-match': '"1"' },
      payload: { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'selfReport.requested', version: 2 });
    expect(ok.json().allowedEvents).toEqual(['EXTEND_DEADLINE', 'CANCEL']);
  });

  it('an Idempotency-Key retried gets the same answer and applies once', async () => {
    const id = await inspectionOf('TTT');
    const send = () =>
      h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: { ...coordinator, 'idempotency-key': 'req-42' },
        payload: { type: 'REQUEST_SELF_REPORT', dueInWorkingDays: 5 },
      });
    const [a, b] = [await send(), await send()];
    expect(a.statusCode).toBe(200);
    expect(b.json()).toEqual(a.json());
    const history = await h.t.db.selectFrom('audit_log').select('seq').where('instance_id', '=', id).execute();
    expect(history).toHaveLength(2);
    // Five working days from Wednesday 1 July 2020, the start day not counted.
    const deadline = await h.t.db.selectFrom('deadlines').selectAll().where('instance_id', '=', id).executeTakeFirstOrThrow();
    expect(deadline.due_date).toBe('2020-07-08');
  });

  it('409 names the state and the events the caller may send', async () => {
    const id = await inspectionOf('KBNN');
    const body = expectProblem(
      await h.app.inject({ method: 'POST', url: `/inspections/${id}/events`, headers: inspector, payload: { type: 'START_VISIT' } }),
      409,
    );
    expect(body).toMatchObject({ state: 'planned', allowedEvents: [] });
    const forCoordinator = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: coordinator,
        payload: { type: 'SCHEDULE_VISIT', date: '2020-08-01' },
      }),
      409,
    );
    expect(forCoordinator.allowedEvents).toEqual(['REQUEST_SELF_REPORT', 'CANCEL']);
  });

  it('400 with issue paths for a bad payload, and for a sample outside 15–20 % of the communes', async () => {
    const id = await inspectionOf('H-KRONGPAC');
    const bad = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: coordinator,
        payload: { type: 'REQUEST_SELF_REPORT', dueDate: 'tomorrow' },
      }),
      400,
    );
    expect((bad.issues as { path: string }[])[0]!.path).toBe('dueDate');
    const unit = await h.auth('unit', 'H-KRONGPAC');
    await h.app.inject({ method: 'POST', url: `/inspections/${id}/events`, headers: coordinator, payload: { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' } });
    await h.app.inject({ method: 'POST', url: `/inspections/${id}/events`, headers: unit, payload: { type: 'SUBMIT_SELF_REPORT', summary: 'Đã nộp' } });
    const communes = await h.t.db.selectFrom('units').select('code').where('parent_code', '=', 'H-KRONGPAC').orderBy('code').execute();
    const tooFew = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: coordinator,
        payload: { type: 'SCHEDULE_VISIT', date: '2020-08-20', sampledUnits: [communes[0]!.code] },
      }),
      400,
    );
    expect(JSON.stringify(tooFew.issues)).toMatch(/sample 3–4 of the 16 commune units/);
    const foreign = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: coordinator,
        payload: { type: 'SCHEDULE_VISIT', date: '2020-08-20', sampledUnits: ['X-LAK-LIENSON', communes[0]!.code, communes[1]!.code] },
      }),
      400,
    );
    expect((foreign.issues as { path: string }[])[0]!.path).toBe('body.sampledUnits.0');
    const ok = await h.app.inject({
      method: 'POST',
      url: `/inspections/${id}/events`,
      headers: coordinator,
      payload: { type: 'SCHEDULE_VISIT', date: '2020-08-20', sampledUnits: communes.slice(0, 3).map((c) => c.code) },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const plan = await h.app.inject({ url: `/plans/${planId}`, headers: observer });
    const communeRule = plan.json().coverage.find((c: { kind: string }) => c.kind === 'commune');
    expect(communeRule).toMatchObject({ inspected: 3, ok: true, pending: 4 });
  });
});

describe('POST /inspections', () => {
  it('validates a surprise proposal and refuses a unit the plan already inspects', async () => {
    const bad = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: '/inspections',
        headers: coordinator,
        payload: { kind: 'surprise', unitCode: 'NOPE', contents: ['s3'], announced: 'yes', reason: '' },
      }),
      400,
    );
    expect((bad.issues as unknown[]).length).toBeGreaterThan(0);
    expectProblem(
      await h.app.inject({
        method: 'POST',
        url: '/inspections',
        headers: coordinator,
        payload: { kind: 'surprise', unitCode: 'NOPE', contents: ['s1'], announced: true, reason: 'x' },
      }),
      400,
    );
    expectProblem(
      await h.app.inject({ method: 'POST', url: '/inspections', headers: coordinator, payload: { kind: 'planned', planId, unitCode: 'SYT' } }),
      409,
    );
    const added = await h.app.inject({
      method: 'POST',
      url: '/inspections',
      headers: coordinator,
      payload: { kind: 'planned', planId, unitCode: 'SNV' },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ state: 'planned', planId, unitCode: 'SNV', version: 1 });
    expectProblem(
      await h.app.inject({ method: 'POST', url: '/inspections', headers: chairman, payload: { kind: 'surprise', unitCode: 'SYT', contents: ['s1'], announced: true, reason: 'x' } }),
      403,
    );
  });
});

describe('plans', () => {
  it('refuses APPROVE with 409 naming the failing coverage rule; RETURN sends it back to draft', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/plans',
      headers: coordinator,
      payload: {
        year: 2021,
        title: 'Kế hoạch kiểm tra CCHC năm 2021',
        reviewPeriod: { from: '2020-07-01', to: '2021-06-30' },
        visitWindow: { from: '2021-08-01', to: '2021-10-31' },
        targets: ['SYT', 'H-LAK'],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const plan = created.json();
    expect(plan.state).toBe('draft');
    const send = (headers: { authorization: string }, payload: Record<string, unknown>) =>
      h.app.inject({ method: 'POST', url: `/plans/${plan.id}/events`, headers, payload });
    expect((await send(coordinator, { type: 'SUBMIT' })).statusCode).toBe(200);
    expectProblem(await send(coordinator, { type: 'APPROVE', decisionNo: '1/QĐ-UBND' }), 403);
    const refused = expectProblem(await send(chairman, { type: 'APPROVE', decisionNo: '1/QĐ-UBND' }), 409);
    expect((refused.failingRules as { kind: string }[]).map((r) => r.kind)).toEqual(['department', 'district']);
    const returned = await send(chairman, { type: 'RETURN', reason: 'Chưa đủ 30 %' });
    expect(returned.json().state).toBe('draft');
    expect(await h.t.db.selectFrom('instances').select('id').where('plan_id', '=', plan.id).execute()).toHaveLength(0);
    expectProblem(await send(coordinator, { type: 'REPORT', summary: 'x' }), 409);
  });

  it('400 for a plan naming unknown units or an inverted period', async () => {
    const res = expectProblem(
      await h.app.inject({
        method: 'POST',
        url: '/plans',
        headers: coordinator,
        payload: {
          year: 2021,
          title: 'x',
          reviewPeriod: { from: '2021-06-30', to: '2020-07-01' },
          visitWindow: { from: '2021-08-01', to: '2021-10-31' },
          targets: ['SYT', 'NOPE'],
        },
      }),
      400,
    );
    expect((res.issues as { path: string }[]).map((i) => i.path)).toEqual(['reviewPeriod', 'targets.1']);
    expectProblem(await h.app.inject({ url: '/plans/00000000-0000-4000-8000-000000000000', headers: observer }), 404);
    const list = await h.app.inject({ url: '/plans?year=2020', headers: observer });
    expect(list.json().items).toHaveLength(1);
  });
});
