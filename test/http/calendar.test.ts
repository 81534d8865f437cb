import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../src/domain/calendar.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { seedInspection } from '../reminders/support.js';

let h: TestApp;

beforeAll(async () => {
  h = await createTestApp();
});
afterAll(async () => {
  await h.close();
});

describe('GET /calendar/:year', () => {
  it('returns the computed calendar of a year nobody stored, to every role', async () => {
    const observer = await h.auth('observer');
    const res = await h.app.inject({ method: 'GET', url: '/calendar/2025', headers: observer });
    expect(res.statusCode).toBe(200);
    const cal = res.json();
    expect(cal).toMatchObject({ year: 2025, stored: false, source: expect.any(String) });
    expect(cal.daysOff).toEqual(expect.arrayContaining(['2025-01-27', '2025-01-31', '2025-04-30', '2025-05-02', '2025-09-01', '2025-09-02']));
    expect(cal.workingWeekends).toEqual(['2025-04-26']);
    const y2026 = (await h.app.inject({ method: 'GET', url: '/calendar/2026', headers: observer })).json();
    expect(y2026.daysOff).toEqual(expect.arrayContaining(['2026-02-16', '2026-02-20', '2026-08-31', '2026-09-01']));
    expect(y2026.workingWeekends).toEqual(['2026-08-22']);
    for (const year of ['1800', '2201', 'abc', '2020.5']) {
      const bad = await h.app.inject({ method: 'GET', url: `/calendar/${year}`, headers: observer });
      expect(bad.statusCode, year).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('PUT /calendar/:year', () => {
  it('is for admins; a bad calendar is 400 with issues and stores nothing', async () => {
    const coordinator = await h.auth('coordinator');
    const valid = { daysOff: ['2020-07-06'], workingWeekends: [] };
    expect((await h.app.inject({ method: 'PUT', url: '/calendar/2020', headers: coordinator, payload: valid })).statusCode).toBe(403);
    const bad: [unknown, string][] = [
      [{ daysOff: ['2021-01-01'], workingWeekends: [] }, 'body.daysOff.0'],
      [{ daysOff: [], workingWeekends: ['2020-07-07'] }, 'body.workingWeekends.0'],
      [{ daysOff: ['2020-07-04'], workingWeekends: ['2020-07-04'] }, 'body.workingWeekends.0'],
      [{ daysOff: ['2020-02-30'], workingWeekends: [] }, 'body.daysOff.0'],
      [{ year: 2021, daysOff: [], workingWeekends: [] }, 'body.year'],
      [{ daysOff: [] }, 'body.workingWeekends'],
    ];
    for (const [payload, path] of bad) {
      const res = await h.app.inject({ method: 'PUT', url: '/calendar/2020', headers: h.admin, payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect(await h.t.db.selectFrom('calendar_years').selectAll().execute()).toEqual([]);
  });

  it('replaces a year, and deadlines given in working days follow the stored calendar', async () => {
    const coordinator = await h.auth('coordinator');
    h.clock.set('2020-07-01T03:00:00Z'); // Wednesday
    const first = (await seedInspection(h.t.db, { code: 'SKHDT', name: 'Sở Kế hoạch và Đầu tư' })).inspectionId;
    const second = (await seedInspection(h.t.db, { code: 'SXD', name: 'Sở Xây dựng' })).inspectionId;
    const request = async (id: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: `/inspections/${id}/events`,
        headers: coordinator,
        payload: { type: 'REQUEST_SELF_REPORT', dueInWorkingDays: 5 },
      });
      expect(res.statusCode, res.body).toBe(200);
      const d = await h.t.db.selectFrom('deadlines').select('due_date').where('instance_id', '=', id).executeTakeFirstOrThrow();
      return d.due_date;
    };
    // Default 2020: 2, 3, 6, 7, 8 July.
    expect(await request(first)).toBe('2020-07-08');

    const put = await h.app.inject({
      method: 'PUT',
      url: '/calendar/2020',
      headers: h.admin,
      payload: {
        year: 2020,
        daysOff: [...defaultCalendar(2020).daysOff, '2020-07-07', '2020-07-06', '2020-07-06'],
        workingWeekends: ['2020-07-04'],
        source: 'Điều chỉnh thử nghiệm',
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ year: 2020, stored: true, source: 'Điều chỉnh thử nghiệm', workingWeekends: ['2020-07-04'] });
    const got = (await h.app.inject({ method: 'GET', url: '/calendar/2020', headers: coordinator })).json();
    expect(got.daysOff).toEqual([...defaultCalendar(2020).daysOff, '2020-07-06', '2020-07-07'].sort());
    expect(got.stored).toBe(true);
    // Stored 2020: 2, 3, 4 (Saturday worked), 8, 9 July.
    expect(await request(second)).toBe('2020-07-09');
  });
});
