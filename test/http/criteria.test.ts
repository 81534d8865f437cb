import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criteria, criterionGroups } from '../../machines/criteria.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await t.t.db.insertInto('units').values({ code: 'SYT', name: 'Sở Y tế', kind: 'department', contacts: '[]' }).execute();
});

afterAll(async () => {
  await t?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.json();
}

const PLANNED = [
  ...['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'],
  ...['b1', 'b2', 'b3', 'b4', 'b5'],
  ...['c1', 'c2', 'c3'],
  ...['d1', 'd2', 'd3', 'd4'],
  ...['e1', 'e2', 'e3'],
  ...['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'],
  ...['h1', 'h2'],
  ...['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'],
];

describe('GET /criteria', () => {
  it('answers the catalog of sections II.1 (a1…i7) and II.2 (s1, s2) to every role', async () => {
    for (const headers of [t.admin, await t.auth('observer'), await t.auth('unit', 'SYT'), await t.auth('inspector')]) {
      const res = await t.app.inject({ method: 'GET', url: '/criteria', headers });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.map((c: { code: string }) => c.code)).toEqual([...PLANNED, 's1', 's2']);
      expect(body.groups).toEqual(criterionGroups);
    }
  });

  it('gives each criterion its group, both titles and the kinds it applies to', async () => {
    const { items } = (await t.app.inject({ method: 'GET', url: '/criteria', headers: t.admin })).json();
    expect(items[0]).toEqual({
      code: 'a1',
      group: 'a',
      title: { vi: expect.stringMatching(/người đứng đầu/), en: expect.stringMatching(/head of the unit/) },
      appliesTo: ['planned'],
    });
    expect(items.at(-1)).toMatchObject({ code: 's2', group: 's', appliesTo: ['surprise'], title: { vi: expect.stringMatching(/xin lỗi/) } });
    expect(items).toEqual(criteria.map((c) => ({ ...c, appliesTo: [...c.appliesTo] })));
    expect(Object.keys(items[0])).toEqual(['code', 'group', 'title', 'appliesTo']);
  });

  it('filters by the kind of inspection', async () => {
    const planned = (await t.app.inject({ method: 'GET', url: '/criteria?appliesTo=planned', headers: t.admin })).json();
    expect(planned.items.map((c: { code: string }) => c.code)).toEqual(PLANNED);
    const surprise = (await t.app.inject({ method: 'GET', url: '/criteria?appliesTo=surprise', headers: t.admin })).json();
    expect(surprise.items.map((c: { code: string }) => c.code)).toEqual(['s1', 's2']);
  });

  it('answers 400 for an unknown kind and 401 without a valid token', async () => {
    const bad = expectProblem(await t.app.inject({ method: 'GET', url: '/criteria?appliesTo=random', headers: t.admin }), 400);
    expect(bad.issues).toEqual([{ path: 'querystring.appliesTo', message: expect.any(String) }]);
    expectProblem(await t.app.inject({ method: 'GET', url: '/criteria' }), 401);
    expectProblem(await t.app.inject({ method: 'GET', url: '/criteria', headers: { authorization: 'Bearer nope' } }), 401);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/criteria'].get;
    expect(op.tags).toEqual(['criteria']);
    expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'appliesTo', in: 'query' })]));
    expect(op.responses['200'].content['application/json'].schema.properties.items).toBeDefined();
  });
});
