import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../support/app.js';

/** Reads what the service logs (through buildApp's logStream) and looks for secrets in it. */

const lines: string[] = [];
const SMTP_PASSWORD = 's3cret-smtp-pass';
const WEBHOOK_SECRET = 'whsec-0123456789-very-secret';
let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await createTestApp(
    { LOG_LEVEL: 'info', SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525` },
    { logStream: { write: (line: string) => lines.push(line) } },
  );
  await t.t.db.insertInto('units').values({ code: 'SNV', name: 'Sở Nội vụ', kind: 'department', contacts: '[]' }).execute();
  token = (await t.auth('unit', 'SNV')).authorization.slice('Bearer '.length);
});
afterAll(async () => {
  await t?.close();
});

const logText = () => lines.join('');
const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the logs', () => {
  it('carry no token or secret, whatever the requests and whatever the code logs', async () => {
    const responses = [
      await t.app.inject({ method: 'GET', url: '/criteria', headers: { authorization: `Bearer ${token}` } }),
      await t.app.inject({ method: 'GET', url: `/units/SNV/calendar.ics?token=${token}` }),
      await t.app.inject({ method: 'GET', url: `/inspections?cursor=${token}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
      await t.app.inject({ method: 'GET', url: '/criteria', headers: { authorization: `Bearer ${token}x` } }),
      await t.app.inject({
        method: 'POST',
        url: '/webhooks',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { url: 'https://hooks.example.vn/kiemtra', secret: WEBHOOK_SECRET },
      }),
    ];
    expect(responses.map((r) => r.statusCode)).not.toContain(500);

    // What other code might log: objects holding secrets, and secrets inside free text.
    const log = t.app.log;
    log.info({ webhook: { url: 'https://hooks.example.vn/kiemtra', secret: WEBHOOK_SECRET } }, 'webhook registered');
    log.info({ headers: { authorization: `Bearer ${token}` } }, 'forwarding');
    log.info({ config: { SMTP_URL: t.config.SMTP_URL, BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN } }, 'configuration');
    log.error({ err: new Error(`connect to smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525 failed`) }, 'mail failed');
    log.warn(`a client sent ${token} and the bootstrap token ${ADMIN_TOKEN} in a message`);
    log.warn({ url: `https://portal.example.vn/cal.ics?token=${token}&x=1` }, 'subscription');

    const text = logText();
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [token, token.slice(3), ADMIN_TOKEN, SMTP_PASSWORD, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
    // Still one JSON object per line after scrubbing.
    expect(() => parsed()).not.toThrow();
  });

  it('tie every line of a request to its x-request-id', async () => {
    lines.length = 0;
    const res = await t.app.inject({ method: 'GET', url: '/criteria', headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-7' } });
    const failed = await t.app.inject({ method: 'GET', url: '/tokens', headers: { authorization: `Bearer ${token}` } });
    expect(res.headers['x-request-id']).toBe('trace-7');
    const entries = parsed();
    const mine = entries.filter((e) => e.reqId === 'trace-7');
    expect(mine.map((e) => e.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    expect(entries.filter((e) => e.reqId === failed.headers['x-request-id']).length).toBeGreaterThanOrEqual(2);
    // Every line written while serving requests belongs to one.
    expect(entries.every((e) => typeof e.reqId === 'string')).toBe(true);
  });
});
