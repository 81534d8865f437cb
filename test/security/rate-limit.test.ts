import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../support/app.js';

function expect429(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(res.json()).toMatchObject({ status: 429, type: 'urn:kiemtra-cchc:problem:too-many-requests' });
}

const get = (t: TestApp, authorization: string | undefined, remoteAddress = '203.0.113.7') =>
  t.app.inject({ method: 'GET', url: '/criteria', headers: authorization ? { authorization } : {}, remoteAddress });

describe('failed authentications, per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_FAILURE_LIMIT: '5' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses every attempt from an address past the limit — a right token too — with 429 and Retry-After', async () => {
    const good = `Bearer ${ADMIN_TOKEN}`;
    expect((await get(t, good)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get(t, `Bearer kt_guess-${i}-000000000000000000000`)).statusCode).toBe(401);
    expect((await get(t, undefined)).statusCode).toBe(401); // no token at all is a failure too
    // Successes do not count.
    expect((await get(t, good)).statusCode).toBe(200);
    expect((await get(t, 'Bearer kt_guess-4-000000000000000000000')).statusCode).toBe(401);
    // Five failures: from now on every attempt is refused, and a guess that happens to be right learns nothing.
    expect429(await get(t, 'Bearer kt_guess-5-000000000000000000000'));
    expect429(await get(t, good));

    // Another address is not affected.
    expect((await get(t, good, '198.51.100.9')).statusCode).toBe(200);
    expect((await get(t, 'Bearer kt_nope-00000000000000000000', '198.51.100.9')).statusCode).toBe(401);
  });

  it('leaves public routes alone', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
  });
});

describe('the whole API, per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_MAX: '10', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After past RATE_LIMIT_MAX requests, and counts each address apart', async () => {
    const good = `Bearer ${ADMIN_TOKEN}`;
    for (let i = 0; i < 10; i++) {
      const res = await get(t, good);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('10');
    }
    expect429(await get(t, good));
    expect429(await get(t, undefined));
    expect((await get(t, good, '198.51.100.9')).statusCode).toBe(200);
  });

  it('is off with RATE_LIMIT_MAX=0 (the test suites run so)', async () => {
    const open = await createTestApp({ RATE_LIMIT_MAX: '0' });
    try {
      for (let i = 0; i < 30; i++) expect((await get(open, `Bearer ${ADMIN_TOKEN}`)).statusCode).toBe(200);
    } finally {
      await open.close();
    }
  });
});
