import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, hashToken } from '../../src/domain/tokens.js';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../support/app.js';

const run = promisify(execFile);
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await t.t.db.insertInto('units').values({ code: 'SNV', name: 'Sở Nội vụ', kind: 'department', contacts: '[]' }).execute();
});
afterAll(async () => {
  await t?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.json();
}

async function create(payload: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'POST', url: '/tokens', headers: t.admin, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; token: string };
}

const whoAmI = (token: string) => t.app.inject({ method: 'GET', url: '/criteria', headers: bearer(token) });

describe('POST /tokens/:id/rotate', () => {
  it('revokes the token and issues a replacement with the same name, role, unit and expiry, shown once', async () => {
    const expiresAt = '2030-01-01T00:00:00.000Z';
    const old = await create({ role: 'unit', name: 'Văn thư SNV', unitCode: 'SNV', expiresAt });
    expect((await whoAmI(old.token)).statusCode).toBe(200);

    const res = await t.app.inject({ method: 'POST', url: `/tokens/${old.id}/rotate`, headers: t.admin });
    expect(res.statusCode, res.body).toBe(201);
    const fresh = res.json();
    expect(fresh).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^kt_[A-Za-z0-9_-]{43}$/),
      role: 'unit',
      name: 'Văn thư SNV',
      unitCode: 'SNV',
      expiresAt,
      replaces: old.id,
    });
    expect(fresh.id).not.toBe(old.id);

    // The old one fails on the very next request; the new one works with the same scope.
    expect(expectProblem(await whoAmI(old.token), 401).detail).toMatch(/revoked/);
    expect(await authenticate(t.t.db, fresh.token, t.clock.now())).toMatchObject({ id: fresh.id, role: 'unit', unitCode: 'SNV' });
    const row = await t.t.db.selectFrom('tokens').selectAll().where('id', '=', fresh.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(fresh.token));

    // Recorded, with who did it, and without the token.
    const trail = await t.t.db.selectFrom('admin_audit').selectAll().where('subject', '=', old.id).orderBy('seq').execute();
    expect(trail.map((r) => [r.action, r.actor_id, r.actor_role])).toEqual([
      ['token.created', 'bootstrap-admin', 'admin'],
      ['token.rotated', 'bootstrap-admin', 'admin'],
    ]);
    expect(trail[1]!.details).toMatchObject({ replacedBy: fresh.id, role: 'unit', unitCode: 'SNV' });
    expect(JSON.stringify(trail)).not.toContain(fresh.token);
  });

  it('answers 404 for a revoked, expired or unknown token and changes nothing; 400 for a malformed id', async () => {
    const revoked = await create({ role: 'observer', name: 'x' });
    expect((await t.app.inject({ method: 'DELETE', url: `/tokens/${revoked.id}`, headers: t.admin })).statusCode).toBe(204);
    const expiring = await create({ role: 'observer', name: 'y', expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString() });
    t.clock.advance(60_000);
    const count = async () => (await t.t.db.selectFrom('tokens').select('id').execute()).length;
    const before = await count();
    for (const id of [revoked.id, expiring.id, '00000000-0000-4000-8000-000000000000']) {
      expectProblem(await t.app.inject({ method: 'POST', url: `/tokens/${id}/rotate`, headers: t.admin }), 404);
    }
    expect(await count()).toBe(before);
    const bad = expectProblem(await t.app.inject({ method: 'POST', url: '/tokens/nope/rotate', headers: t.admin }), 400);
    expect(bad.issues).toEqual([{ path: 'params.id', message: expect.any(String) }]);
  });

  it('is for admins only', async () => {
    const some = await create({ role: 'observer', name: 'z' });
    expectProblem(await t.app.inject({ method: 'POST', url: `/tokens/${some.id}/rotate` }), 401);
    for (const role of ['coordinator', 'inspector', 'chairman', 'observer'] as const) {
      expectProblem(await t.app.inject({ method: 'POST', url: `/tokens/${some.id}/rotate`, headers: await t.auth(role) }), 403);
    }
    expect((await whoAmI(some.token)).statusCode).toBe(200);
  });
});

describe('npm run cli -- token rotate', () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: t.t.url, LOG_LEVEL: 'silent' } });

  it('rotates from the shell and records the operator', async () => {
    const old = await create({ role: 'coordinator', name: 'Sở Nội vụ' });
    const { stdout } = await cli(['token', 'rotate', '--id', old.id]);
    const token = stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^kt_[A-Za-z0-9_-]{43}$/);
    expect(stdout).toContain(`token ${old.id} revoked`);
    expect(expectProblem(await whoAmI(old.token), 401).detail).toMatch(/revoked/);
    expect((await whoAmI(token)).statusCode).toBe(200);
    const row = await t.t.db.selectFrom('admin_audit').selectAll().where('subject', '=', old.id).where('action', '=', 'token.rotated').executeTakeFirstOrThrow();
    expect(row.actor_id).toMatch(/^cli:/);
    expect(row.actor_role).toBe('operator');

    const unknown = await cli(['token', 'rotate', '--id', '00000000-0000-4000-8000-000000000000']).catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 1 });
    expect((unknown as { stderr: string }).stderr).toMatch(/no live token/);
    const malformed = await cli(['token', 'rotate', '--id', 'x']).catch((e: { code: number }) => e);
    expect(malformed).toMatchObject({ code: 2 });
  });
});

describe('authentication', () => {
  it('accepts the bootstrap token exactly: not a prefix, not an extension, not another case', async () => {
    expect((await whoAmI(ADMIN_TOKEN)).statusCode).toBe(200);
    for (const guess of [ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}0`, ADMIN_TOKEN.toUpperCase(), 'x', 'x'.repeat(500)]) {
      expectProblem(await whoAmI(guess), 401);
    }
  });

  it('refuses without a lookup a token longer than any issued, and a stored token whose role is unknown', async () => {
    expectProblem(await whoAmI(`kt_${'a'.repeat(600)}`), 401);
    const odd = await create({ role: 'observer', name: 'hand-edited' });
    await t.t.db.updateTable('tokens').set({ role: 'superuser' }).where('id', '=', odd.id).execute();
    expectProblem(await whoAmI(odd.token), 401);
  });

  it('stamps lastUsedAt at most once a minute', async () => {
    const { id, token } = await create({ role: 'observer', name: 'dashboard' });
    const lastUsed = async () =>
      (await t.t.db.selectFrom('tokens').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at?.toISOString();
    await whoAmI(token);
    const first = t.clock.now().toISOString();
    expect(await lastUsed()).toBe(first);
    t.clock.advance(30_000);
    await whoAmI(token);
    expect(await lastUsed()).toBe(first);
    t.clock.advance(31_000);
    await whoAmI(token);
    expect(await lastUsed()).toBe(t.clock.now().toISOString());
  });
});
