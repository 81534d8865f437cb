import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../src/engine/index.js';
import { runSchedulerPass } from '../../src/reminders/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { coordinator, unitActor } from '../support/fixtures.js';
import { seedInspection } from '../reminders/support.js';

let h: TestApp;
let a1: string;
let a2: string;
let b1: string;

beforeAll(async () => {
  h = await createTestApp();
  h.clock.set('2020-07-01T03:00:00Z');
  const now = h.clock.now();
  a1 = (await seedInspection(h.t.db, { code: 'SGDDT', name: 'Sở Giáo dục và Đào tạo' })).inspectionId;
  a2 = (await seedInspection(h.t.db, { code: 'SGDDT', name: 'Sở Giáo dục và Đào tạo' })).inspectionId;
  b1 = (await seedInspection(h.t.db, { code: 'SLDTBXH', name: 'Sở Lao động – Thương binh và Xã hội' })).inspectionId;
  await applyEvent(h.t.db, a1, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-03' }, coordinator, { now });
  await applyEvent(h.t.db, a2, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-10' }, coordinator, { now });
  await applyEvent(h.t.db, a2, { type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo' }, unitActor, { now });
  await applyEvent(h.t.db, a2, { type: 'SCHEDULE_VISIT', date: '2020-08-20' }, coordinator, { now });
  await applyEvent(h.t.db, b1, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' }, coordinator, { now });
  // 5 July: A1's self-report is past due; the scheduler marks it missed.
  h.clock.set('2020-07-05T03:00:00Z');
  await runSchedulerPass(h.t.db, { now: h.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
});
afterAll(async () => {
  await h.close();
});

const list = async (query: string, headers: { authorization: string }) => {
  const res = await h.app.inject({ method: 'GET', url: `/deadlines${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: { id: string; inspectionId: string; unitCode: string; kind: string; subject: string; dueDate: string; dueAt: string; status: string }[]; nextCursor: string | null };
};

describe('GET /deadlines', () => {
  it('lists deadlines soonest first with their unit, inspection and status', async () => {
    const { items } = await list('', h.admin);
    expect(items.map((d) => [d.inspectionId, d.kind, d.dueDate, d.status])).toEqual([
      [a1, 'selfReport', '2020-07-03', 'missed'],
      [a2, 'selfReport', '2020-07-10', 'met'],
      [b1, 'selfReport', '2020-07-20', 'open'],
      [a2, 'visit', '2020-08-20', 'open'],
    ]);
    expect(items[0]).toMatchObject({ unitCode: 'SGDDT', subject: 'selfReport', dueAt: '2020-07-03T17:00:00.000Z' });
  });

  it('filters by unit, status, kind, inspection and due date', async () => {
    const ids = async (q: string) => (await list(q, h.admin)).items.map((d) => `${d.kind}@${d.dueDate}`);
    expect(await ids('?unitCode=SGDDT')).toEqual(['selfReport@2020-07-03', 'selfReport@2020-07-10', 'visit@2020-08-20']);
    expect(await ids('?status=open')).toEqual(['selfReport@2020-07-20', 'visit@2020-08-20']);
    expect(await ids('?status=missed')).toEqual(['selfReport@2020-07-03']);
    expect(await ids('?kind=visit')).toEqual(['visit@2020-08-20']);
    expect(await ids(`?inspectionId=${a2}`)).toEqual(['selfReport@2020-07-10', 'visit@2020-08-20']);
    expect(await ids('?dueBefore=2020-07-20')).toEqual(['selfReport@2020-07-03', 'selfReport@2020-07-10']);
    expect(await ids('?dueBefore=2020-07-20T17:00:01Z')).toEqual(['selfReport@2020-07-03', 'selfReport@2020-07-10', 'selfReport@2020-07-20']);
    const page1 = await list('?limit=3', h.admin);
    expect(page1.items).toHaveLength(3);
    const page2 = await list(`?limit=3&cursor=${page1.nextCursor}`, h.admin);
    expect(page2.items.map((d) => d.kind)).toEqual(['visit']);
    expect(page2.nextCursor).toBeNull();
  });

  it('shows a unit token its own unit’s deadlines only', async () => {
    const unit = await h.auth('unit', 'SLDTBXH');
    expect((await list('', unit)).items.map((d) => d.inspectionId)).toEqual([b1]);
    expect((await list('?unitCode=SGDDT', unit)).items).toEqual([]);
    expect((await list(`?inspectionId=${a1}`, unit)).items).toEqual([]);
  });

  it('answers bad queries with 400 problem+json', async () => {
    for (const q of ['?status=late', '?dueBefore=tomorrow', '?dueBefore=2020-02-30', '?inspectionId=42', '?unitCode=a b', '?limit=0', '?cursor=zzz', '?foo=1']) {
      const res = await h.app.inject({ method: 'GET', url: `/deadlines${q}`, headers: h.admin });
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await h.app.inject({ method: 'GET', url: '/deadlines' })).statusCode).toBe(401);
  });
});

describe('GET /reminders and /reminders/policy', () => {
  it('lists reminders (a unit sees those addressed to it) and shows the policy', async () => {
    const unit = await h.auth('unit', 'SLDTBXH');
    const res = await h.app.inject({ method: 'GET', url: '/reminders', headers: unit });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { inspectionId: string; audience: string; offsetDays: number; status: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((r) => r.inspectionId === b1 && r.audience === 'unit')).toBe(true);
    expect(items.map((r) => r.offsetDays)).toEqual([-7, -3, -1, 0]);
    const policy = await h.app.inject({ method: 'GET', url: '/reminders/policy', headers: unit });
    expect(policy.statusCode).toBe(200);
    expect(policy.json()).toMatchObject({
      sendTime: '08:00',
      timeZone: 'Asia/Ho_Chi_Minh',
      rules: {
        selfReport: { daysBefore: [7, 3, 1], onTheDay: true, overdue: { everyWorkingDays: 3 }, escalateTo: { coordinator: 1, chairman: 10 } },
        remediation: { daysBefore: [14, 7, 1], onTheDay: true, overdue: { everyWorkingDays: 5 } },
        visit: { daysBefore: [7, 1], overdue: null },
      },
    });
  });
});
