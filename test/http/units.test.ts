import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let coordinator: { authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  coordinator = await t.auth('coordinator');
  // A small 2020 registry and its 2025 successors: province → district → communes.
  for (const payload of [
    { code: 'DLK', name: 'UBND tỉnh Đắk Lắk', kind: 'province', validTo: '2025-06-30' },
    { code: 'DLK2025', name: 'UBND tỉnh Đắk Lắk (2025)', kind: 'province', validFrom: '2025-07-01' },
    { code: 'H-KRONGBONG', name: 'UBND huyện Krông Bông', kind: 'district', parentCode: 'DLK', validTo: '2025-06-30' },
    { code: 'X-KB-A', name: 'UBND xã A', kind: 'commune', parentCode: 'H-KRONGBONG', validTo: '2025-06-30' },
    { code: 'X-KB-B', name: 'UBND xã B', kind: 'commune', parentCode: 'H-KRONGBONG', validTo: '2025-06-30' },
    { code: 'X-NEW-AB', name: 'UBND xã AB', kind: 'commune', parentCode: 'DLK2025', validFrom: '2025-07-01' },
  ]) {
    const res = await t.app.inject({ method: 'POST', url: '/units', headers: t.admin, payload });
    expect(res.statusCode, res.body).toBe(201);
  }
  for (const code of ['X-KB-A', 'X-KB-B']) {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/units/${code}`,
      headers: t.admin,
      payload: { successorCodes: ['X-NEW-AB'] },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  const res = await t.app.inject({
    method: 'PATCH',
    url: '/units/H-KRONGBONG',
    headers: t.admin,
    payload: { successorCodes: ['X-NEW-AB'] },
  });
  expect(res.statusCode, res.body).toBe(200);
});

afterAll(async () => {
  await t?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:kiemtra-cchc:problem:/), title: expect.any(String) });
  return body;
}

async function row(code: string) {
  return t.t.db.selectFrom('units').selectAll().where('code', '=', code).executeTakeFirst();
}

async function unitCount(): Promise<number> {
  const r = await t.t.db.selectFrom('units').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('POST /units', () => {
  it('creates a unit (coordinator) and answers it in the contract’s shape', async () => {
    const payload = {
      code: 'SNV',
      name: 'Sở Nội vụ',
      kind: 'department',
      parentCode: 'DLK',
      contacts: [{ name: 'Văn thư', email: 'vanthu@snv.example.gov.vn' }, { email: 'cchc@snv.example.gov.vn' }],
      validFrom: '2008-04-01',
    };
    const res = await t.app.inject({ method: 'POST', url: '/units', headers: coordinator, payload });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ ...payload, validTo: null, successorCodes: [] });
    expect(await row('SNV')).toMatchObject({
      code: 'SNV',
      name: 'Sở Nội vụ',
      kind: 'department',
      parent_code: 'DLK',
      contacts: payload.contacts,
      valid_from: '2008-04-01',
      valid_to: null,
      successor_codes: [],
    });
  });

  it('accepts kinds beyond the usual four, as data', async () => {
    const payload = { code: 'KCN-HOAPHU', name: 'Khu công nghiệp Hòa Phú', kind: 'industrialZone' };
    const res = await t.app.inject({ method: 'POST', url: '/units', headers: t.admin, payload });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'industrialZone', parentCode: null, contacts: [] });
  });

  it('answers 409 for a duplicate code and keeps the first unit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/units',
      headers: t.admin,
      payload: { code: 'DLK', name: 'Another', kind: 'province' },
    });
    expect(expectProblem(res, 409).detail).toMatch(/DLK already exists/);
    expect((await row('DLK'))?.name).toBe('UBND tỉnh Đắk Lắk');
  });

  it.each([
    [{ code: 'snv', name: 'x', kind: 'department' }, 'body.code', /upper-case/],
    [{ code: 'A B', name: 'x', kind: 'department' }, 'body.code', /./],
    [{ code: `A${'B'.repeat(64)}`, name: 'x', kind: 'department' }, 'body.code', /./],
    [{ name: 'x', kind: 'department' }, 'body.code', /./],
    [{ code: 'NEW1', kind: 'department' }, 'body.name', /./],
    [{ code: 'NEW1', name: 'x', kind: 'Department' }, 'body.kind', /lower-case/],
    [{ code: 'NEW1', name: 'x', kind: 'department', contacts: [{ name: 'no e-mail' }] }, 'body.contacts.0.email', /./],
    [{ code: 'NEW1', name: 'x', kind: 'department', contacts: [{ email: 'not-an-email' }] }, 'body.contacts.0.email', /./],
    [{ code: 'NEW1', name: 'x', kind: 'department', validFrom: '2020-02-30' }, 'body.validFrom', /./],
    [{ code: 'NEW1', name: 'x', kind: 'department', parentCode: 'NOPE' }, 'body.parentCode', /no unit with code NOPE/],
    [{ code: 'NEW1', name: 'x', kind: 'department', parentCode: 'NEW1' }, 'body.parentCode', /its own parent/],
    [
      { code: 'NEW1', name: 'x', kind: 'department', validFrom: '2021-01-01', validTo: '2020-12-31' },
      'body.validTo',
      /before validFrom/,
    ],
    [{ code: 'NEW1', name: 'x', kind: 'commune', successorCodes: ['X-NEW-AB', 'NOPE'] }, 'body.successorCodes.1', /NOPE/],
    [{ code: 'NEW1', name: 'x', kind: 'commune', successorCodes: ['NEW1'] }, 'body.successorCodes.0', /own successor/],
    [{ code: 'NEW1', name: 'x', kind: 'commune', successorCodes: ['DLK', 'DLK'] }, 'body.successorCodes.1', /twice/],
  ])('refuses %j with 400 naming %s, and stores nothing', async (payload, path, message) => {
    const before = await unitCount();
    const res = await t.app.inject({ method: 'POST', url: '/units', headers: t.admin, payload });
    const body = expectProblem(res, 400);
    expect(body.issues).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
    expect(await unitCount()).toBe(before);
  });

  it('reports every registry problem at once', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/units',
      headers: t.admin,
      payload: { code: 'NEW2', name: 'x', kind: 'commune', parentCode: 'NOPE', successorCodes: ['GONE'] },
    });
    expect(expectProblem(res, 400).issues).toEqual([
      { path: 'body.parentCode', message: 'no unit with code NOPE' },
      { path: 'body.successorCodes.0', message: 'no unit with code GONE' },
    ]);
  });

  it('answers 401 without a valid token and 403 for roles other than admin and coordinator', async () => {
    const payload = { code: 'NEW3', name: 'x', kind: 'department' };
    expectProblem(await t.app.inject({ method: 'POST', url: '/units', payload }), 401);
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/units', headers: { authorization: 'Bearer kt_nope' }, payload }),
      401,
    );
    for (const headers of [
      await t.auth('chairman'),
      await t.auth('inspector'),
      await t.auth('observer'),
      await t.auth('unit', 'DLK'),
    ]) {
      expectProblem(await t.app.inject({ method: 'POST', url: '/units', headers, payload }), 403);
    }
    expect(await row('NEW3')).toBeUndefined();
  });
});

describe('PATCH /units/:code', () => {
  it('changes the fields sent and keeps the others', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/units',
      headers: t.admin,
      payload: { code: 'STP', name: 'Sở Tư pháp', kind: 'department', parentCode: 'DLK', contacts: [{ email: 'a@stp.example.gov.vn' }] },
    });
    t.clock.advance(1000);
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/units/STP',
      headers: coordinator,
      payload: { name: 'Sở Tư pháp tỉnh Đắk Lắk', validTo: '2025-02-28', contacts: [] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      code: 'STP',
      name: 'Sở Tư pháp tỉnh Đắk Lắk',
      kind: 'department',
      parentCode: 'DLK',
      contacts: [],
      validFrom: null,
      validTo: '2025-02-28',
      successorCodes: [],
    });
    const stored = await row('STP');
    expect(stored).toMatchObject({ name: 'Sở Tư pháp tỉnh Đắk Lắk', parent_code: 'DLK', contacts: [], valid_to: '2025-02-28' });
    expect(stored?.updated_at.toISOString()).toBe(t.clock.now().toISOString());
  });

  it('moves a unit to another parent, and null clears optional fields', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/units/STP',
      headers: t.admin,
      payload: { parentCode: 'DLK2025', kind: 'agency', validTo: null },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ parentCode: 'DLK2025', kind: 'agency', validTo: null });
    const cleared = await t.app.inject({ method: 'PATCH', url: '/units/STP', headers: t.admin, payload: { parentCode: null } });
    expect(cleared.json().parentCode).toBeNull();
    expect(await row('STP')).toMatchObject({ parent_code: null, kind: 'agency', valid_to: null });
  });

  it('refuses a parent that is the unit itself or one of its descendants', async () => {
    for (const [parentCode, message] of [
      ['H-KRONGBONG', /its own parent/],
      ['X-KB-A', /below H-KRONGBONG.*cycle/],
    ] as const) {
      const res = await t.app.inject({ method: 'PATCH', url: '/units/H-KRONGBONG', headers: t.admin, payload: { parentCode } });
      expect(expectProblem(res, 400).issues).toEqual([{ path: 'body.parentCode', message: expect.stringMatching(message) }]);
    }
    // A deeper descendant: the province under its grand-child.
    const deep = await t.app.inject({ method: 'PATCH', url: '/units/DLK', headers: t.admin, payload: { parentCode: 'X-KB-B' } });
    expect(expectProblem(deep, 400).issues[0].path).toBe('body.parentCode');
    expect((await row('DLK'))?.parent_code).toBeNull();
    expect((await row('H-KRONGBONG'))?.parent_code).toBe('DLK');
  });

  it('refuses successor links that would go back in time (a cycle)', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/units/X-NEW-AB',
      headers: t.admin,
      payload: { successorCodes: ['X-KB-A'] },
    });
    expect(expectProblem(res, 400).issues).toEqual([
      { path: 'body.successorCodes.0', message: expect.stringMatching(/X-KB-A is a predecessor of X-NEW-AB/) },
    ]);
    expect((await row('X-NEW-AB'))?.successor_codes).toEqual([]);
  });

  it.each([
    [{ validFrom: '2026-01-01' }, 'body.validTo', /before validFrom/],
    [{ parentCode: 'NOPE' }, 'body.parentCode', /NOPE/],
    [{ successorCodes: ['NOPE'] }, 'body.successorCodes.0', /NOPE/],
    [{ name: '' }, 'body.name', /./],
    [{ kind: 'Commune' }, 'body.kind', /./],
    [{ contacts: [{ email: 'x' }] }, 'body.contacts.0.email', /./],
    [{ validTo: '30/06/2025' }, 'body.validTo', /./],
  ])('refuses %j with 400 naming %s, and changes nothing', async (payload, path, message) => {
    const before = await row('X-KB-A');
    const res = await t.app.inject({ method: 'PATCH', url: '/units/X-KB-A', headers: t.admin, payload });
    expect(expectProblem(res, 400).issues).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
    expect(await row('X-KB-A')).toEqual(before);
  });

  it('answers 404 for an unknown unit, 400 for a malformed code', async () => {
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/units/NOPE', headers: t.admin, payload: { name: 'x' } }), 404);
    const bad = await t.app.inject({ method: 'PATCH', url: '/units/no%20pe', headers: t.admin, payload: { name: 'x' } });
    expect(expectProblem(bad, 400).issues).toEqual([{ path: 'params.code', message: expect.any(String) }]);
    expect(await row('NOPE')).toBeUndefined();
  });

  it('answers 401 and 403', async () => {
    const payload = { name: 'Hacked' };
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/units/DLK', payload }), 401);
    for (const headers of [await t.auth('observer'), await t.auth('unit', 'DLK'), await t.auth('inspector')]) {
      expectProblem(await t.app.inject({ method: 'PATCH', url: '/units/DLK', headers, payload }), 403);
    }
    expect((await row('DLK'))?.name).toBe('UBND tỉnh Đắk Lắk');
  });
});

describe('GET /units', () => {
  const codes = (res: LightMyRequestResponse) => res.json().items.map((u: { code: string }) => u.code);

  it('lists every unit by code, to every role including unit tokens', async () => {
    const all = await t.app.inject({ method: 'GET', url: '/units', headers: await t.auth('unit', 'X-KB-A') });
    expect(all.statusCode).toBe(200);
    const stored = (await t.t.db.selectFrom('units').select('code').orderBy('code').execute()).map((r) => r.code);
    expect(codes(all)).toEqual(stored);
    expect(all.json().nextCursor).toBeNull();
    expect(all.json().items.find((u: { code: string }) => u.code === 'X-KB-A')).toEqual({
      code: 'X-KB-A',
      name: 'UBND xã A',
      kind: 'commune',
      parentCode: 'H-KRONGBONG',
      contacts: [],
      validFrom: null,
      validTo: '2025-06-30',
      successorCodes: ['X-NEW-AB'],
    });
  });

  it('filters by kind, parent and validity date', async () => {
    const get = (qs: string) => t.app.inject({ method: 'GET', url: `/units?${qs}`, headers: coordinator });
    expect(codes(await get('kind=commune'))).toEqual(['X-KB-A', 'X-KB-B', 'X-NEW-AB']);
    expect(codes(await get('parentCode=H-KRONGBONG'))).toEqual(['X-KB-A', 'X-KB-B']);
    expect(codes(await get('kind=commune&validOn=2020-07-01'))).toEqual(['X-KB-A', 'X-KB-B']);
    // validTo is the last day (inclusive), validFrom the first.
    expect(codes(await get('kind=commune&validOn=2025-06-30'))).toEqual(['X-KB-A', 'X-KB-B']);
    expect(codes(await get('kind=commune&validOn=2025-07-01'))).toEqual(['X-NEW-AB']);
    expect(codes(await get('kind=province&validOn=2026-01-01'))).toEqual(['DLK2025']);
    expect(codes(await get('parentCode=NOPE'))).toEqual([]);
  });

  it('pages by code with limit and cursor', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/units?kind=commune&limit=2', headers: coordinator });
    expect(codes(first)).toEqual(['X-KB-A', 'X-KB-B']);
    expect(first.json().nextCursor).toBe('X-KB-B');
    const second = await t.app.inject({
      method: 'GET',
      url: `/units?kind=commune&limit=2&cursor=${first.json().nextCursor}`,
      headers: coordinator,
    });
    expect(codes(second)).toEqual(['X-NEW-AB']);
    expect(second.json().nextCursor).toBeNull();
  });

  it.each([
    ['validOn=2025-13-01', 'querystring.validOn'],
    ['kind=Commune', 'querystring.kind'],
    ['parentCode=a%20b', 'querystring.parentCode'],
    ['limit=0', 'querystring.limit'],
    ['limit=abc', 'querystring.limit'],
  ])('refuses ?%s with 400 naming %s', async (qs, path) => {
    const res = await t.app.inject({ method: 'GET', url: `/units?${qs}`, headers: coordinator });
    expect(expectProblem(res, 400).issues).toEqual([{ path, message: expect.any(String) }]);
  });

  it('answers 401 without a token', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/units' }), 401);
  });
});

describe('GET /units/:code', () => {
  it('answers the unit with its children, successors and predecessors', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/units/H-KRONGBONG', headers: await t.auth('observer') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      code: 'H-KRONGBONG',
      name: 'UBND huyện Krông Bông',
      kind: 'district',
      parentCode: 'DLK',
      contacts: [],
      validFrom: null,
      validTo: '2025-06-30',
      successorCodes: ['X-NEW-AB'],
      children: [
        { code: 'X-KB-A', name: 'UBND xã A', kind: 'commune', validFrom: null, validTo: '2025-06-30' },
        { code: 'X-KB-B', name: 'UBND xã B', kind: 'commune', validFrom: null, validTo: '2025-06-30' },
      ],
      successors: ['X-NEW-AB'],
      predecessors: [],
    });
    const merged = (await t.app.inject({ method: 'GET', url: '/units/X-NEW-AB', headers: coordinator })).json();
    expect(merged.predecessors).toEqual(['H-KRONGBONG', 'X-KB-A', 'X-KB-B']);
    expect(merged.successors).toEqual([]);
    expect(merged.children).toEqual([]);
  });

  it('follows successor links over several generations', async () => {
    await t.app.inject({ method: 'POST', url: '/units', headers: t.admin, payload: { code: 'X-2030', name: 'x', kind: 'commune' } });
    await t.app.inject({ method: 'PATCH', url: '/units/X-NEW-AB', headers: t.admin, payload: { successorCodes: ['X-2030'] } });
    const res = (await t.app.inject({ method: 'GET', url: '/units/X-KB-A', headers: coordinator })).json();
    expect(res.successors).toEqual(['X-NEW-AB', 'X-2030']);
    const last = (await t.app.inject({ method: 'GET', url: '/units/X-2030', headers: coordinator })).json();
    expect(last.predecessors).toEqual(['X-NEW-AB', 'H-KRONGBONG', 'X-KB-A', 'X-KB-B']);
  });

  it('a unit token reads any unit', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/units/DLK', headers: await t.auth('unit', 'X-KB-A') });
    expect(res.statusCode).toBe(200);
    expect(res.json().children.map((c: { code: string }) => c.code)).toEqual(['H-KRONGBONG', 'SNV']);
  });

  it('answers 404 for an unknown unit, 400 for a malformed code, 401 without a token', async () => {
    expect(expectProblem(await t.app.inject({ method: 'GET', url: '/units/NOPE', headers: coordinator }), 404).detail).toMatch(
      /NOPE/,
    );
    expectProblem(await t.app.inject({ method: 'GET', url: '/units/lower', headers: coordinator }), 400);
    expectProblem(await t.app.inject({ method: 'GET', url: '/units/DLK' }), 401);
  });
});

describe('OpenAPI', () => {
  it('documents the unit routes with their schemas and problem answers', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const post = doc.paths['/units'].post;
    expect(post.tags).toEqual(['units']);
    expect(post.requestBody.content['application/json'].schema.properties.code.pattern).toBe('^[A-Z0-9][A-Z0-9_-]{0,63}$');
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409']));
    expect(post.responses['409'].content['application/problem+json']).toBeDefined();
    expect(doc.paths['/units/{code}'].patch.summary).toBeTruthy();
    expect(doc.paths['/units/{code}'].get.responses['200'].content['application/json'].schema.properties.successors).toBeDefined();
  });
});
