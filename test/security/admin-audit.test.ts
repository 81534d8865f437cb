import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAdminAction, verifyAuditTrail } from '../../src/domain/admin-audit.js';
import { ROUTE_ROLES } from '../../src/domain/access.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { databaseFingerprint } from '../support/fixtures.js';

/** What is done outside the statecharts is in the administrative trail, with who did it. */

let t: TestApp;
let coordinator: { authorization: string };
let coordinatorId: string;

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'coordinator', name: 'Sở Nội vụ' } });
  coordinator = { authorization: `Bearer ${res.json().token}` };
  coordinatorId = res.json().id;
});
afterAll(async () => {
  await t?.close();
});

interface Entry {
  seq: number;
  at: string;
  actor: { id: string; role: string };
  action: string;
  subject: string;
  details: Record<string, unknown>;
  hash: string;
  prevHash: string;
}

async function trail(query = '', headers: { authorization: string } = t.admin): Promise<{ items: Entry[]; nextCursor: string | null }> {
  const res = await t.app.inject({ method: 'GET', url: `/audit/admin${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const newest = async () => (await trail('?limit=1')).items[0]!;

function expectStatus(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  return res;
}

describe('tokens', () => {
  it('records creation, revocation and rotation with the actor, never the token', async () => {
    const created = expectStatus(
      await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'observer', name: 'Báo Đắk Lắk' } }),
      201,
    ).json();
    expect(await newest()).toMatchObject({
      action: 'token.created',
      subject: created.id,
      actor: { id: 'bootstrap-admin', role: 'admin' },
      details: { role: 'observer', name: 'Báo Đắk Lắk', unitCode: null, expiresAt: null },
      at: t.clock.now().toISOString(),
    });
    expectStatus(await t.app.inject({ method: 'DELETE', url: `/tokens/${created.id}`, headers: t.admin }), 204);
    expect(await newest()).toMatchObject({ action: 'token.revoked', subject: created.id, actor: { id: 'bootstrap-admin' } });
    const all = JSON.stringify(await trail('?limit=500'));
    expect(all).not.toContain(created.token);
  });
});

describe('units', () => {
  it('records a unit created and what a change changed, by whom', async () => {
    expectStatus(
      await t.app.inject({ method: 'POST', url: '/units', headers: coordinator, payload: { code: 'SNV', name: 'Sở Nội vụ', kind: 'department' } }),
      201,
    );
    expect(await newest()).toMatchObject({
      action: 'unit.created',
      subject: 'SNV',
      actor: { id: coordinatorId, role: 'coordinator' },
      details: { name: 'Sở Nội vụ', kind: 'department', parentCode: null },
    });
    expectStatus(
      await t.app.inject({ method: 'PATCH', url: '/units/SNV', headers: coordinator, payload: { name: 'Sở Nội vụ tỉnh Đắk Lắk', validTo: '2025-06-30' } }),
      200,
    );
    expect(await newest()).toMatchObject({
      action: 'unit.changed',
      subject: 'SNV',
      actor: { id: coordinatorId, role: 'coordinator' },
      details: { changes: { name: { from: 'Sở Nội vụ', to: 'Sở Nội vụ tỉnh Đắk Lắk' }, validTo: { from: null, to: '2025-06-30' } } },
    });
    // An edit that changes nothing records nothing.
    const before = (await newest()).seq;
    expectStatus(await t.app.inject({ method: 'PATCH', url: '/units/SNV', headers: coordinator, payload: { name: 'Sở Nội vụ tỉnh Đắk Lắk' } }), 200);
    expect((await newest()).seq).toBe(before);
  });

  it('records nothing for a refused request, and leaves the database as it was', async () => {
    const before = await databaseFingerprint(t.t.db);
    expectStatus(await t.app.inject({ method: 'POST', url: '/units', headers: coordinator, payload: { code: 'SNV', name: 'x', kind: 'department' } }), 409);
    expectStatus(await t.app.inject({ method: 'PATCH', url: '/units/SNV', headers: coordinator, payload: { parentCode: 'SNV' } }), 400);
    expectStatus(await t.app.inject({ method: 'PATCH', url: '/units/NOPE', headers: coordinator, payload: { name: 'x' } }), 404);
    expectStatus(await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload: { role: 'unit', name: 'x', unitCode: 'NOPE' } }), 400);
    expect(await databaseFingerprint(t.t.db)).toEqual(before);
  });
});

describe('webhooks and the calendar', () => {
  it('records a webhook registered (without its secret) and deleted', async (ctx) => {
    if (!ROUTE_ROLES['POST /webhooks'] || !t.app.hasRoute({ method: 'POST', url: '/webhooks' })) return ctx.skip();
    const secret = 'whsec-0123456789abcdef';
    const created = expectStatus(
      await t.app.inject({ method: 'POST', url: '/webhooks', headers: coordinator, payload: { url: 'https://hooks.example.vn/k', secret } }),
      201,
    ).json();
    expect(await newest()).toMatchObject({
      action: 'webhook.registered',
      subject: created.id,
      actor: { id: coordinatorId, role: 'coordinator' },
      details: { url: 'https://hooks.example.vn/k' },
    });
    expect(JSON.stringify(await trail('?limit=500'))).not.toContain(secret);
    expectStatus(await t.app.inject({ method: 'DELETE', url: `/webhooks/${created.id}`, headers: coordinator }), 204);
    expect(await newest()).toMatchObject({ action: 'webhook.deleted', subject: created.id, actor: { id: coordinatorId } });
  });

  it('records a year’s calendar replaced', async (ctx) => {
    if (!t.app.hasRoute({ method: 'PUT', url: '/calendar/:year' })) return ctx.skip();
    const current = (await t.app.inject({ method: 'GET', url: '/calendar/2021', headers: t.admin })).json();
    expectStatus(
      await t.app.inject({
        method: 'PUT',
        url: '/calendar/2021',
        headers: t.admin,
        payload: { daysOff: current.daysOff, workingWeekends: current.workingWeekends, source: 'Quyết định số 1/QĐ-TTg' },
      }),
      200,
    );
    expect(await newest()).toMatchObject({ action: 'calendar.replaced', subject: '2021', actor: { id: 'bootstrap-admin', role: 'admin' } });
  });
});

describe('GET /audit/admin', () => {
  it('lists newest first, page by page, filtered by action or subject; the chain verifies', async () => {
    for (let i = 0; i < 5; i++) {
      await recordAdminAction(t.t.db, { actor: { id: 'x', role: 'admin' }, action: 'unit.changed', subject: `P${i}`, at: t.clock.now() });
    }
    const first = await trail('?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.items[0]!.seq).toBeGreaterThan(first.items[1]!.seq);
    expect(first.items[0]!.prevHash).not.toBe(first.items[0]!.hash);
    const second = await trail(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.items[0]!.seq).toBe(first.items[1]!.seq - 1);
    expect((await trail('?subject=P3')).items.map((e) => e.subject)).toEqual(['P3']);
    expect((await trail('?action=token.revoked')).items.every((e) => e.action === 'token.revoked')).toBe(true);
    const res = await t.app.inject({ method: 'GET', url: '/audit/verify?scope=admin', headers: t.admin });
    expect(res.json()).toEqual({ ok: true, checked: (await trail('?limit=500')).items.length });
    expect(await verifyAuditTrail(t.t.db)).toMatchObject({ ok: true });
  });

  it('is for admins and coordinators', async () => {
    await trail('', coordinator);
    expect((await t.app.inject({ method: 'GET', url: '/audit/admin' })).statusCode).toBe(401);
    for (const role of ['inspector', 'chairman', 'observer'] as const) {
      expect((await t.app.inject({ method: 'GET', url: '/audit/admin', headers: await t.auth(role) })).statusCode).toBe(403);
    }
  });

  it('answers 400 for a bad cursor or limit', async () => {
    for (const q of ['?cursor=abc', '?cursor=0', '?cursor=99999999999', '?limit=0', '?limit=501']) {
      const res = await t.app.inject({ method: 'GET', url: `/audit/admin${q}`, headers: t.admin });
      expect(res.statusCode, q).toBe(400);
    }
  });
});
