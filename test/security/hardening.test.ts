import { connect } from 'node:net';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  return res.json();
}

describe('security headers', () => {
  it('come with every answer: CSP (own scripts and styles only), nosniff, no framing, no referrer', async () => {
    for (const res of [
      await t.app.inject({ method: 'GET', url: '/health' }),
      await t.app.inject({ method: 'GET', url: '/criteria', headers: t.admin }),
      await t.app.inject({ method: 'GET', url: '/criteria' }),
      await t.app.inject({ method: 'GET', url: '/nowhere', headers: t.admin }),
    ]) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:|\*/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});

describe('CORS', () => {
  it('is closed without CORS_ORIGINS: no Access-Control-Allow-Origin, and a preflight is not answered', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/criteria', headers: { ...t.admin, origin: 'https://evil.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/criteria',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBeGreaterThanOrEqual(400);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('opens to exactly the origins listed in CORS_ORIGINS', async () => {
    const open = await createTestApp({ CORS_ORIGINS: 'https://portal.daklak.gov.vn, http://localhost:5173' });
    try {
      const preflight = await open.app.inject({
        method: 'OPTIONS',
        url: '/inspections',
        headers: { origin: 'https://portal.daklak.gov.vn', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://portal.daklak.gov.vn');
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');

      const allowed = await open.app.inject({ method: 'GET', url: '/criteria', headers: { ...open.admin, origin: 'http://localhost:5173' } });
      expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(String(allowed.headers['access-control-expose-headers'])).toContain('x-request-id');

      const other = await open.app.inject({ method: 'GET', url: '/criteria', headers: { ...open.admin, origin: 'https://evil.example' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it('refuses a malformed CORS_ORIGINS at start, naming the variable', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'portal.daklak.gov.vn' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS/);
  });
});

describe('limits', () => {
  it('answers a body over 1 MiB with 413 problem+json, and stores nothing', async () => {
    const before = await t.t.db.selectFrom('units').select('code').execute();
    const res = await t.app.inject({
      method: 'POST',
      url: '/units',
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ code: 'BIG', name: 'x'.repeat(1_100_000), kind: 'department' }),
    });
    expectProblem(res, 413);
    expect(await t.t.db.selectFrom('units').select('code').execute()).toEqual(before);
  });

  it('gives a request 30 s to arrive', () => {
    expect(t.app.server.requestTimeout).toBe(30_000);
    expect(t.app.initialConfig.bodyLimit).toBe(1_048_576);
  });

  it('answers an unsupported content type with 415, prototype poisoning and bad JSON with 400', async () => {
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/units', headers: { ...t.admin, 'content-type': 'application/xml' }, payload: '<unit/>' }),
      415,
    );
    for (const payload of ['{"code":"X","__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"code":', '']) {
      expectProblem(
        await t.app.inject({ method: 'POST', url: '/units', headers: { ...t.admin, 'content-type': 'application/json' }, payload }),
        400,
      );
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('x-request-id', () => {
  it('is on every answer, and a plain one from the client is kept', async () => {
    const answers = [
      await t.app.inject({ method: 'GET', url: '/health' }),
      await t.app.inject({ method: 'GET', url: '/criteria' }),
      await t.app.inject({ method: 'GET', url: '/criteria', headers: { authorization: 'Bearer nope' } }),
      await t.app.inject({ method: 'GET', url: '/tokens', headers: await t.auth('observer') }),
      await t.app.inject({ method: 'GET', url: '/no/such/route', headers: t.admin }),
      await t.app.inject({ method: 'GET', url: '/inspections/%E0%A4%A', headers: t.admin }),
      await t.app.inject({ method: 'GET', url: '/inspections/not-a-uuid', headers: t.admin }),
    ];
    for (const res of answers) expect(res.headers['x-request-id'], `${res.statusCode} ${res.body}`).toMatch(/^[\w.-]{1,128}$/);
    const kept = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'portal-42.a' } });
    expect(kept.headers['x-request-id']).toBe('portal-42.a');
    const replaced = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id\u{1F600}' } });
    expect(replaced.headers['x-request-id']).not.toContain('bad');
  });

  it('is on the answer to a malformed URL, which is a 400 problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/units/%E0%A4%A', headers: t.admin });
    expectProblem(res, 400);
  });
});

describe('errors hide internals', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase({ max: 2 });
    const config = loadConfig({ BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, RATE_LIMIT_MAX: '0', LOG_LEVEL: 'silent' });
    app = await buildApp({ db: db.db, config, now: () => new Date() });
    // Public routes (no ROUTE_ROLES entry needed) that fail the way a bug would.
    app.get('/boom/sql', { config: { public: true } }, async () => {
      await sql`select secret_column from no_such_table where password = 'hunter2'`.execute(db.db);
      return {};
    });
    app.get('/boom/throw', { config: { public: true } }, async () => {
      throw new Error('internal detail: /srv/app/src/engine/instances.ts:42 token=kt_abc');
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers 500 with a generic problem: no message, no stack, no SQL', async () => {
    for (const url of ['/boom/sql', '/boom/throw']) {
      const res = await app.inject({ method: 'GET', url });
      const body = expectProblem(res, 500);
      expect(body).toEqual({
        type: 'urn:kiemtra-cchc:problem:internal',
        title: 'Internal error',
        status: 500,
        detail: 'An unexpected error occurred; it has been logged.',
      });
      expect(res.body).not.toMatch(/no_such_table|hunter2|select|stack|instances\.ts|kt_abc/i);
    }
  });

  it('answers an unparsable HTTP request with 400 problem+json and a request id', async () => {
    const { port } = new URL(base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toMatch(/x-request-id: [\w-]+/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400 });
  });
});
