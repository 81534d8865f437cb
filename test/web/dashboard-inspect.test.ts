import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/seed.js';
import { createToken } from '../../src/domain/tokens.js';
import { createTestApp, type TestApp } from '../support/app.js';

let h: TestApp;

/** Signs in through the sign-in form (CSRF cookie and field) and returns the session cookie header. */
async function session(app: TestApp['app'], token: string): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/ui/login' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const loginCookie = form.cookies.find((c) => c.name === 'kt_login')!;
  const res = await app.inject({
    method: 'POST',
    url: '/ui/login',
    headers: { cookie: `kt_login=${loginCookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, token, next: '/ui' }).toString(),
  });
  expect(res.statusCode).toBe(303);
  return `kt_session=${res.cookies.find((c) => c.name === 'kt_session')!.value}`;
}

beforeAll(async () => {
  h = await createTestApp({ XSTATE_INSPECT: 'true' });
  await seedDemo(h.t.db, h.clock.now(), h.config.TZ_DEADLINES);
});
afterAll(async () => {
  await h.close();
});

describe('opt-in live inspection (XSTATE_INSPECT=1)', () => {
  it('replays the audit history through the statechart with @statelyai/inspect and hands the events to the page', async () => {
    const { token } = await createToken(h.t.db, { role: 'coordinator', name: 'Sở Nội vụ' });
    const cookie = await session(h.app, token);
    const row = await h.t.db.selectFrom('instances').select('id').where('unit_code', '=', 'SKHDT').executeTakeFirstOrThrow();
    const sent = await h.app.inject({
      method: 'POST',
      url: `/inspections/${row.id}/events`,
      headers: { authorization: `Bearer ${token}` },
      payload: { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' },
    });
    expect(sent.statusCode).toBe(200);

    const page = await h.app.inject({ method: 'GET', url: `/ui/inspections/${row.id}`, headers: { cookie } });
    expect(page.body).toContain(`/ui/inspections/${row.id}/inspect`);
    const inspectPage = await h.app.inject({ method: 'GET', url: `/ui/inspections/${row.id}/inspect`, headers: { cookie } });
    expect(inspectPage.statusCode).toBe(200);
    expect(inspectPage.body).toContain('/ui/assets/inspect.js');

    const res = await h.app.inject({ method: 'GET', url: `/ui/inspections/${row.id}/inspect.json`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const { events } = res.json() as { events: { type: string; snapshot?: { value?: unknown }; event?: { type: string } }[] };
    expect(events.some((e) => e.type === '@xstate.actor')).toBe(true);
    expect(events.filter((e) => e.type === '@xstate.event').map((e) => e.event?.type)).toContain('REQUEST_SELF_REPORT');
    expect(events.filter((e) => e.type === '@xstate.snapshot').at(-1)?.snapshot?.value).toEqual({ selfReport: 'requested' });
  });

  it('is off by default: no link, and the inspector routes are not found', async () => {
    const off = await createTestApp();
    try {
      await seedDemo(off.t.db, off.clock.now(), off.config.TZ_DEADLINES);
      const { token } = await createToken(off.t.db, { role: 'coordinator', name: 'Sở Nội vụ' });
      const cookie = await session(off.app, token);
      const row = await off.t.db.selectFrom('instances').select('id').where('unit_code', '=', 'SKHDT').executeTakeFirstOrThrow();
      const page = await off.app.inject({ method: 'GET', url: `/ui/inspections/${row.id}`, headers: { cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('/inspect"');
      expect((await off.app.inject({ method: 'GET', url: `/ui/inspections/${row.id}/inspect.json`, headers: { cookie } })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });
});
