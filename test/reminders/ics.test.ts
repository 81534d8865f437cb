import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../src/engine/index.js';
import { runSchedulerPass } from '../../src/reminders/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { coordinator, unitActor } from '../support/fixtures.js';
import { seedInspection } from './support.js';

let h: TestApp;
let unitToken: string;

beforeAll(async () => {
  h = await createTestApp();
  h.clock.set('2020-07-01T03:00:00Z');
  const now = h.clock.now();
  const a1 = await seedInspection(h.t.db, { code: 'SKHCN', name: 'Sở Khoa học và Công nghệ' });
  const a2 = await seedInspection(h.t.db, { code: 'SKHCN', name: 'Sở Khoa học và Công nghệ' });
  const b = await seedInspection(h.t.db, { code: 'SCT', name: 'Sở Công Thương' });
  await applyEvent(h.t.db, a1.inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now });
  await applyEvent(h.t.db, a2.inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-06-30' }, coordinator, { now });
  await applyEvent(h.t.db, a2.inspectionId, { type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo' }, unitActor, { now });
  await applyEvent(h.t.db, a2.inspectionId, { type: 'SCHEDULE_VISIT', date: '2020-08-20' }, coordinator, { now });
  await applyEvent(h.t.db, b.inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' }, coordinator, { now });
  // A missed deadline stays in the feed.
  const a3 = await seedInspection(h.t.db, { code: 'SKHCN', name: 'Sở Khoa học và Công nghệ' });
  await applyEvent(h.t.db, a3.inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-02' }, coordinator, { now });
  h.clock.set('2020-07-03T03:00:00Z');
  await runSchedulerPass(h.t.db, { now: h.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
  unitToken = (await h.auth('unit', 'SKHCN')).authorization.slice('Bearer '.length);
});
afterAll(async () => {
  await h.close();
});

describe('GET /units/:code/calendar.ics', () => {
  it('is a valid iCalendar feed with every open or missed deadline of the unit and nothing of other units', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/units/SKHCN/calendar.ics?token=${encodeURIComponent(unitToken)}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const cal = new ICAL.Component(ICAL.parse(res.body));
    expect(cal.name).toBe('vcalendar');
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(String(cal.getFirstPropertyValue('x-wr-calname'))).toContain('Sở Khoa học và Công nghệ (SKHCN)');

    const expected = await h.t.db
      .selectFrom('deadlines')
      .select(['id', 'kind', 'due_date', 'status'])
      .where('unit_code', '=', 'SKHCN')
      .where('status', 'in', ['open', 'missed'])
      .execute();
    expect(expected.map((d) => `${d.kind}:${d.status}`).sort()).toEqual(['selfReport:missed', 'selfReport:open', 'visit:open']);
    expect(cal.getFirstPropertyValue('x-wr-timezone')).toBe('Asia/Ho_Chi_Minh');
    // RFC 5545: DTSTAMP and LAST-MODIFIED are UTC.
    expect(res.body.match(/^(DTSTAMP|LAST-MODIFIED):.*$/gm)!.every((line) => /:\d{8}T\d{6}Z\r?$/.test(line))).toBe(true);
    const events = cal.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(events.map((e) => e.uid).sort()).toEqual(expected.map((d) => `deadline-${d.id}@kiemtra-cchc`).sort());
    for (const d of expected) {
      const e = events.find((x) => x.uid === `deadline-${d.id}@kiemtra-cchc`)!;
      expect(e.startDate.isDate).toBe(true);
      expect(e.startDate.toString()).toBe(d.due_date);
      expect(e.endDate.toString()).toBe(new Date(Date.parse(d.due_date) + 86_400_000).toISOString().slice(0, 10));
      expect(e.summary).toContain('Sở Khoa học và Công nghệ');
      expect(e.summary.startsWith('QUÁ HẠN')).toBe(d.status === 'missed');
    }
    const otherUnit = await h.t.db.selectFrom('deadlines').select('id').where('unit_code', '=', 'SCT').execute();
    expect(otherUnit).toHaveLength(1);
    expect(res.body).not.toContain(otherUnit[0]!.id);
    expect(res.body).not.toContain('SCT');

    // The same feed with the header, and stable UIDs across fetches.
    const again = await h.app.inject({ method: 'GET', url: '/units/SKHCN/calendar.ics', headers: h.admin });
    expect(again.statusCode).toBe(200);
    const uids = new ICAL.Component(ICAL.parse(again.body)).getAllSubcomponents('vevent').map((c) => c.getFirstPropertyValue('uid'));
    expect(uids.sort()).toEqual(events.map((e) => e.uid).sort());
  });

  it('checks the query token like a header token: unit scope, unknown units, bad tokens; other routes ignore ?token', async () => {
    const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });
    expect((await get(`/units/SCT/calendar.ics?token=${encodeURIComponent(unitToken)}`)).statusCode).toBe(404);
    expect((await get('/units/NOPE/calendar.ics', h.admin)).statusCode).toBe(404);
    expect((await get('/units/skhcn/calendar.ics', h.admin)).statusCode).toBe(400);
    expect((await get('/units/SKHCN/calendar.ics')).statusCode).toBe(401);
    expect((await get('/units/SKHCN/calendar.ics?token=kt_not-a-token')).statusCode).toBe(401);
    expect((await get('/units/SKHCN/calendar.ics?token=x&other=1', h.admin)).statusCode).toBe(400);
    expect((await get(`/deadlines?token=${encodeURIComponent(unitToken)}`)).statusCode).toBe(401);
    const observer = await h.auth('observer');
    expect((await get('/units/SCT/calendar.ics', observer)).statusCode).toBe(200);
  });
});
