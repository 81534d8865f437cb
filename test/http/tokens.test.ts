import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await t.t.db.insertInto('units').values({ code: 'SNV', name: 'Sở Nội vụ', kind: 'department', contacts: '[]' }).execute();
});

afterAll(async () => {
  await t?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:kiemtra-cchc:problem:/), title: expect.any(String) });
  return body;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function tokenCount(): Promise<number> {
  const row = await t.t.db.selectFrom('tokens').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('POST /tokens', () => {
  it('creates a token shown once and stored only as its SHA-256 hash', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/tokens',
      headers: t.admin,
      payload: { role: 'coordinator', name: 'Sở Nội vụ – phòng CCHC' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^kt_[A-Za-z0-9_-]{43}$/),
      role: 'coordinator',
      name: 'Sở Nội vụ – phòng CCHC',
      unitCode: null,
      expiresAt: null,
    });

    const row = await t.t.db.selectFrom('tokens').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'coordinator', name: 'Sở Nội vụ – phòng CCHC', unit_code: null, revoked_at: null });
    expect(row.token_hash).toBe(createHash('sha256').update(body.token).digest('hex'));
    // Nowhere in the table, in any column, is the token itself.
    const { rows } = await sql<{ r: string }>`select t::text as r from tokens t`.execute(t.t.db);
    expect(rows.some((r) => r.r.includes(body.token))).toBe(false);

    const me = await t.app.inject({ method: 'GET', url: '/criteria', headers: bearer(body.token) });
    expect(me.statusCode).toBe(200);
  });

  it('scopes a unit token to an existing unit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/tokens',
      headers: t.admin,
      payload: { role: 'unit', name: 'Văn thư SNV', unitCode: 'SNV', expiresAt: '2030-01-01T00:00:00+07:00' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ role: 'unit', unitCode: 'SNV', expiresAt: '2029-12-31T17:00:00.000Z' });
    const row = await t.t.db.selectFrom('tokens').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(row.unit_code).toBe('SNV');
    expect(row.expires_at?.toISOString()).toBe('2029-12-31T17:00:00.000Z');
  });

  it.each([
    [{ role: 'unit', name: 'x' }, 'body.unitCode', /needs/],
    [{ role: 'unit', name: 'x', unitCode: 'NOPE' }, 'body.unitCode', /no unit with code NOPE/],
    [{ role: 'coordinator', name: 'x', unitCode: 'SNV' }, 'body.unitCode', /only unit tokens/],
    [{ role: 'superuser', name: 'x' }, 'body.role', /./],
    [{ role: 'observer', name: '  ' }, 'body.name', /./],
    [{ role: 'observer' }, 'body.name', /./],
    [{ role: 'observer', name: 'x', expiresAt: '2020-06-30T00:00:00Z' }, 'body.expiresAt', /future/],
    [{ role: 'observer', name: 'x', expiresAt: 'tomorrow' }, 'body.expiresAt', /./],
    [{ role: 'unit', name: 'x', unitCode: 'lower case' }, 'body.unitCode', /upper-case/],
  ])('refuses %j with 400 naming %s, and stores nothing', async (payload, path, message) => {
    const before = await tokenCount();
    const res = await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload });
    const body = expectProblem(res, 400);
    expect(body.issues).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
    expect(await tokenCount()).toBe(before);
  });

  it('answers 401 without a token or with an unknown one, 403 for other roles', async () => {
    const payload = { role: 'observer', name: 'x' };
    expectProblem(await t.app.inject({ method: 'POST', url: '/tokens', payload }), 401);
    expectProblem(await t.app.inject({ method: 'POST', url: '/tokens', headers: bearer('kt_unknown'), payload }), 401);
    expectProblem(await t.app.inject({ method: 'POST', url: '/tokens', headers: { authorization: 'Basic abc' }, payload }), 401);
    for (const role of ['coordinator', 'chairman', 'inspector', 'observer'] as const) {
      const res = await t.app.inject({ method: 'POST', url: '/tokens', headers: await t.auth(role), payload });
      expectProblem(res, 403);
    }
    const unit = await t.app.inject({ method: 'POST', url: '/tokens', headers: await t.auth('unit', 'SNV'), payload });
    expectProblem(unit, 403);
  });
});

describe('GET /tokens', () => {
  it('lists tokens without the token or its hash', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'chairman', name: 'Chủ tịch' } })
    ).json();
    const res = await t.app.inject({ method: 'GET', url: '/tokens', headers: t.admin });
    expect(res.statusCode).toBe(200);
    const { items } = res.json();
    expect(items).toHaveLength(await tokenCount());
    const mine = items.find((i: { id: string }) => i.id === created.id);
    expect(mine).toEqual({
      id: created.id,
      name: 'Chủ tịch',
      role: 'chairman',
      unitCode: null,
      createdAt: expect.any(String),
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
    });
    const row = await t.t.db.selectFrom('tokens').select('token_hash').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(res.body).not.toContain(created.token);
    expect(res.body).not.toContain(row.token_hash);
    expect(Object.keys(items[0])).not.toContain('tokenHash');
  });

  it('records when a token was last used', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'observer', name: 'Báo Đắk Lắk' } })
    ).json();
    await t.app.inject({ method: 'GET', url: '/criteria', headers: bearer(created.token) });
    const { items } = (await t.app.inject({ method: 'GET', url: '/tokens', headers: t.admin })).json();
    expect(items.find((i: { id: string }) => i.id === created.id).lastUsedAt).toBe(t.clock.now().toISOString());
  });

  it('answers 401 and 403', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/tokens' }), 401);
    expectProblem(await t.app.inject({ method: 'GET', url: '/tokens', headers: await t.auth('coordinator') }), 403);
  });
});

describe('DELETE /tokens/:id', () => {
  it('revokes a token: the very next request with it is 401', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'admin', name: 'second admin' } })
    ).json();
    expect((await t.app.inject({ method: 'GET', url: '/tokens', headers: bearer(created.token) })).statusCode).toBe(200);

    const res = await t.app.inject({ method: 'DELETE', url: `/tokens/${created.id}`, headers: t.admin });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const row = await t.t.db.selectFrom('tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.revoked_at?.toISOString()).toBe(t.clock.now().toISOString());

    const after = await t.app.inject({ method: 'GET', url: '/tokens', headers: bearer(created.token) });
    expect(expectProblem(after, 401).detail).toMatch(/revoked/);
    const listed = (await t.app.inject({ method: 'GET', url: '/tokens', headers: t.admin })).json().items;
    expect(listed.find((i: { id: string }) => i.id === created.id).revokedAt).toBe(t.clock.now().toISOString());
  });

  it('answers 404 for an unknown or already revoked token, 400 for a malformed id', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'observer', name: 'x' } })
    ).json();
    expect((await t.app.inject({ method: 'DELETE', url: `/tokens/${created.id}`, headers: t.admin })).statusCode).toBe(204);
    const revokedAt = (await t.t.db.selectFrom('tokens').select('revoked_at').where('id', '=', created.id).executeTakeFirstOrThrow())
      .revoked_at;
    t.clock.advance(60_000);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/tokens/${created.id}`, headers: t.admin }), 404);
    // The first revocation time stays.
    const row = await t.t.db.selectFrom('tokens').select('revoked_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).toEqual(revokedAt);

    expectProblem(
      await t.app.inject({ method: 'DELETE', url: '/tokens/00000000-0000-4000-8000-000000000000', headers: t.admin }),
      404,
    );
    const bad = expectProblem(await t.app.inject({ method: 'DELETE', url: '/tokens/not-a-uuid', headers: t.admin }), 400);
    expect(bad.issues).toEqual([{ path: 'params.id', message: expect.any(String) }]);
  });

  it('answers 401 and 403', async () => {
    const url = '/tokens/00000000-0000-4000-8000-000000000000';
    expectProblem(await t.app.inject({ method: 'DELETE', url }), 401);
    expectProblem(await t.app.inject({ method: 'DELETE', url, headers: await t.auth('chairman') }), 403);
  });
});

describe('expiry', () => {
  it('a token stops working when the clock passes its expiry', async () => {
    const expiresAt = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const created = (
      await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'observer', name: 'x', expiresAt } })
    ).json();
    expect((await t.app.inject({ method: 'GET', url: '/criteria', headers: bearer(created.token) })).statusCode).toBe(200);
    t.clock.advance(3_600_000);
    expectProblem(await t.app.inject({ method: 'GET', url: '/criteria', headers: bearer(created.token) }), 401);
  });
});
