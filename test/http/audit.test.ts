import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { driveToFindings, newPlanned, seedPlan } from '../support/fixtures.js';

let t: TestApp;
let planId: string;

beforeAll(async () => {
  t = await createTestApp();
  planId = await seedPlan(t.t.db, ['U1', 'U2']);
});

afterAll(async () => {
  await t?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.json();
}

const verify = async (query: string, headers: { authorization: string } = t.admin) =>
  t.app.inject({ method: 'GET', url: `/audit/verify${query}`, headers });

async function auditRows(id: string): Promise<number> {
  const r = await t.t.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('instance_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Changes a stored audit row the way only a superuser could: with the append-only trigger off. */
async function tamper(id: string, seq: number): Promise<void> {
  await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t.t.db);
  try {
    await sql`update audit_log set actor_id = 'someone-else' where instance_id = ${id} and seq = ${seq}`.execute(t.t.db);
  } finally {
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(t.t.db);
  }
}

describe('GET /audit/verify', () => {
  let intact: string;
  let tampered: string;

  beforeAll(async () => {
    intact = await newPlanned(t.t.db, planId, 'U1');
    await driveToFindings(t.t.db, intact);
    tampered = await newPlanned(t.t.db, planId, 'U2');
    await driveToFindings(t.t.db, tampered);
  });

  it('reports an untouched inspection as ok, with the number of rows checked', async () => {
    for (const role of ['coordinator', 'chairman', 'observer'] as const) {
      const res = await verify(`?inspectionId=${intact}`, await t.auth(role));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ok: true, checked: await auditRows(intact) });
    }
    expect(await auditRows(intact)).toBe(6);
  });

  it('verifies the whole log when no inspection is named', async () => {
    const res = await verify('');
    expect(res.statusCode).toBe(200);
    const all = await t.t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(res.json()).toEqual({ ok: true, checked: Number(all.n) });
  });

  it('finds the first row changed behind the application’s back', async () => {
    await tamper(tampered, 4);
    const res = await verify(`?inspectionId=${tampered}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ok: false,
      checked: 3,
      brokenAt: { instanceId: tampered, seq: 4, reason: expect.stringMatching(/changed/) },
    });
    // The change is still there: verifying reads, it repairs nothing.
    const row = await t.t.db
      .selectFrom('audit_log')
      .select('actor_id')
      .where('instance_id', '=', tampered)
      .where('seq', '=', 4)
      .executeTakeFirstOrThrow();
    expect(row.actor_id).toBe('someone-else');

    expect((await verify(`?inspectionId=${intact}`)).json()).toEqual({ ok: true, checked: 6 });
    const whole = (await verify('')).json();
    expect(whole).toMatchObject({ ok: false, brokenAt: { instanceId: tampered, seq: 4 } });
  });

  it('answers 400 for a malformed id, 404 for an unknown one', async () => {
    const bad = expectProblem(await verify('?inspectionId=12345'), 400);
    expect(bad.issues).toEqual([{ path: 'querystring.inspectionId', message: expect.any(String) }]);
    const unknown = expectProblem(await verify('?inspectionId=00000000-0000-4000-8000-000000000000'), 404);
    expect(unknown.detail).toMatch(/00000000-0000-4000-8000-000000000000/);
  });

  it('answers 401 without a valid token, 403 for inspectors and units', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/audit/verify?inspectionId=${intact}` }), 401);
    expectProblem(await verify(`?inspectionId=${intact}`, { authorization: 'Bearer kt_unknown' }), 401);
    expectProblem(await verify(`?inspectionId=${intact}`, await t.auth('inspector')), 403);
    expectProblem(await verify(`?inspectionId=${intact}`, await t.auth('unit', 'U1')), 403);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/audit/verify'].get;
    expect(op.tags).toEqual(['audit']);
    expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'inspectionId', in: 'query' })]));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
  });
});
