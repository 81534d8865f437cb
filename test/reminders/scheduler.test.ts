import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, fireDueTimers } from '../../src/engine/index.js';
import { dispatcherSettings, runDispatcherPass } from '../../src/reminders/dispatcher.js';
import { runSchedulerPass } from '../../src/reminders/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { coordinator, unitActor } from '../support/fixtures.js';
import { seedInspection } from './support.js';

let h: TestApp;

beforeAll(async () => {
  h = await createTestApp();
});
afterAll(async () => {
  await h.close();
});

const schedule = () => runSchedulerPass(h.t.db, { now: h.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
const dispatch = () => runDispatcherPass(h.t.db, h.clock.now(), { settings: dispatcherSettings(h.config) });

async function remindersOf(inspectionId: string) {
  const rows = await h.t.db
    .selectFrom('reminders')
    .select(['offset_days', 'audience', 'send_at', 'status', 'due_at'])
    .where('inspection_id', '=', inspectionId)
    .orderBy('send_at')
    .orderBy('audience')
    .execute();
  return rows.map((r) => ({ offset: r.offset_days, audience: r.audience, sendAt: r.send_at.toISOString(), status: r.status }));
}

describe('the reminder scheduler', () => {
  it('plans 7, 3 and 1 days before and on the day, at 08:00 in Asia/Ho_Chi_Minh, once however many passes run', async () => {
    h.clock.set('2020-07-01T03:00:00Z');
    const { inspectionId } = await seedInspection(h.t.db, { code: 'SKHDT', name: 'Sở Kế hoạch và Đầu tư' });
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: h.clock.now() });
    const [a, b, c] = await Promise.all([schedule(), schedule(), schedule()]);
    expect(a.created + b.created + c.created).toBe(4);
    await schedule();
    expect(await remindersOf(inspectionId)).toEqual([
      { offset: -7, audience: 'unit', sendAt: '2020-07-08T01:00:00.000Z', status: 'pending' },
      { offset: -3, audience: 'unit', sendAt: '2020-07-12T01:00:00.000Z', status: 'pending' },
      { offset: -1, audience: 'unit', sendAt: '2020-07-14T01:00:00.000Z', status: 'pending' },
      { offset: 0, audience: 'unit', sendAt: '2020-07-15T01:00:00.000Z', status: 'pending' },
    ]);
  });

  it('crossing the deadline: selfReport.overdue, the deadline missed, the overdue reminder and the escalation; the chairman after 10 working days; SUBMIT_SELF_REPORT cancels what is pending', async () => {
    h.clock.set('2020-07-01T03:00:00Z');
    const { inspectionId } = await seedInspection(h.t.db, { code: 'SXD', name: 'Sở Xây dựng' });
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: h.clock.now() });
    await schedule();

    // Before and on the day: everything due is sent (no webhook, no SMTP: the event stream only).
    h.clock.set('2020-07-15T09:00:00Z');
    await dispatch();
    expect((await remindersOf(inspectionId)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);

    // One second past the end of 15/07 in Hà Nội.
    h.clock.set('2020-07-15T17:00:01Z');
    const fired = await fireDueTimers(h.t.db, h.clock.now());
    expect(fired.fired).toBeGreaterThanOrEqual(1);
    const row = await h.t.db.selectFrom('instances').select('state').where('id', '=', inspectionId).executeTakeFirstOrThrow();
    expect(row.state).toBe('selfReport.overdue');
    await schedule();
    const deadline = await h.t.db
      .selectFrom('deadlines')
      .select(['status'])
      .where('instance_id', '=', inspectionId)
      .where('kind', '=', 'selfReport')
      .executeTakeFirstOrThrow();
    expect(deadline.status).toBe('missed');
    expect((await remindersOf(inspectionId)).filter((r) => r.offset > 0)).toEqual([
      { offset: 1, audience: 'coordinator', sendAt: '2020-07-16T01:00:00.000Z', status: 'pending' },
      { offset: 1, audience: 'unit', sendAt: '2020-07-16T01:00:00.000Z', status: 'pending' },
    ]);

    // Incrementally, every 3 working days: 16/7 (+1), 21/7 (+4), 24/7 (+7), 29/7 (+10: the chairman too).
    for (const at of ['2020-07-16T02:00:00Z', '2020-07-21T02:00:00Z', '2020-07-24T02:00:00Z', '2020-07-29T02:00:00Z']) {
      h.clock.set(at);
      await schedule();
      await dispatch();
    }
    const overdue = (await remindersOf(inspectionId)).filter((r) => r.offset > 0);
    expect(overdue.filter((r) => r.status === 'sent').map((r) => `${r.offset}:${r.audience}`)).toEqual([
      '1:coordinator',
      '1:unit',
      '4:coordinator',
      '4:unit',
      '7:coordinator',
      '7:unit',
      '10:chairman',
      '10:coordinator',
      '10:unit',
    ]);
    expect(overdue.filter((r) => r.status === 'pending')).toEqual([
      { offset: 13, audience: 'chairman', sendAt: '2020-08-03T01:00:00.000Z', status: 'pending' },
      { offset: 13, audience: 'coordinator', sendAt: '2020-08-03T01:00:00.000Z', status: 'pending' },
      { offset: 13, audience: 'unit', sendAt: '2020-08-03T01:00:00.000Z', status: 'pending' },
    ]);

    h.clock.set('2020-07-30T03:00:00Z');
    await applyEvent(h.t.db, inspectionId, { type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo' }, unitActor, { now: h.clock.now() });
    const passed = await schedule();
    expect(passed.cancelled).toBe(3);
    const after = await remindersOf(inspectionId);
    expect(after.filter((r) => r.status === 'pending')).toEqual([]);
    expect(after.filter((r) => r.status === 'cancelled').map((r) => r.offset)).toEqual([13, 13, 13]);
    // Nothing new for a met deadline, however late the clock.
    h.clock.set('2020-09-01T03:00:00Z');
    await schedule();
    expect(await remindersOf(inspectionId)).toEqual(after);
  });

  it('EXTEND_DEADLINE recalculates: the pending reminders of the old date are cancelled, those of the new one created', async () => {
    h.clock.set('2020-07-01T03:00:00Z');
    const { inspectionId } = await seedInspection(h.t.db, { code: 'SNGV', name: 'Sở Ngoại vụ' });
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: h.clock.now() });
    await schedule();
    h.clock.set('2020-07-09T03:00:00Z');
    await dispatch(); // the 7-days-before reminder goes out
    await applyEvent(
      h.t.db,
      inspectionId,
      { type: 'EXTEND_DEADLINE', dueDate: '2020-07-31', reason: 'Đơn vị xin gia hạn' },
      coordinator,
      { now: h.clock.now() },
    );
    const passed = await schedule();
    expect(passed.cancelled).toBe(3);
    const rows = await h.t.db
      .selectFrom('reminders')
      .select(['offset_days', 'send_at', 'status', 'due_at'])
      .where('inspection_id', '=', inspectionId)
      .orderBy('due_at')
      .orderBy('send_at')
      .execute();
    expect(rows.map((r) => [r.due_at.toISOString().slice(0, 10), r.offset_days, r.send_at.toISOString(), r.status])).toEqual([
      ['2020-07-15', -7, '2020-07-08T01:00:00.000Z', 'sent'],
      ['2020-07-15', -3, '2020-07-12T01:00:00.000Z', 'cancelled'],
      ['2020-07-15', -1, '2020-07-14T01:00:00.000Z', 'cancelled'],
      ['2020-07-15', 0, '2020-07-15T01:00:00.000Z', 'cancelled'],
      ['2020-07-31', -7, '2020-07-24T01:00:00.000Z', 'pending'],
      ['2020-07-31', -3, '2020-07-28T01:00:00.000Z', 'pending'],
      ['2020-07-31', -1, '2020-07-30T01:00:00.000Z', 'pending'],
      ['2020-07-31', 0, '2020-07-31T01:00:00.000Z', 'pending'],
    ]);
    // The timer moved too: nothing becomes overdue on the old date.
    h.clock.set('2020-07-16T03:00:00Z');
    await fireDueTimers(h.t.db, h.clock.now());
    await schedule();
    const state = await h.t.db.selectFrom('instances').select('state').where('id', '=', inspectionId).executeTakeFirstOrThrow();
    expect(state.state).toBe('selfReport.requested');
    expect((await remindersOf(inspectionId)).filter((r) => r.offset > 0)).toEqual([]);
  });

  it('a deadline set at short notice gets the nearest reminder, not a burst of stale ones', async () => {
    h.clock.set('2020-07-13T05:00:00Z'); // Monday 12:00 in Hà Nội
    const { inspectionId } = await seedInspection(h.t.db, { code: 'STC', name: 'Sở Tài chính' });
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-16' }, coordinator, { now: h.clock.now() });
    await schedule();
    expect((await remindersOf(inspectionId)).map((r) => r.offset)).toEqual([-3, -1, 0]);
  });

  it('concurrent passes over many deadlines create each reminder once', async () => {
    h.clock.set('2020-07-01T03:00:00Z');
    const ids: string[] = [];
    let planId: string | undefined;
    for (let i = 0; i < 30; i++) {
      const seeded = await seedInspection(h.t.db, { code: `C${i}`, name: `Đơn vị ${i}` }, planId);
      planId = seeded.planId;
      ids.push(seeded.inspectionId);
      await applyEvent(h.t.db, seeded.inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' }, coordinator, {
        now: h.clock.now(),
      });
    }
    const passes = await Promise.all(
      Array.from({ length: 4 }, () => runSchedulerPass(h.t.db, { now: h.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00', batchSize: 7 })),
    );
    const rows = await h.t.db.selectFrom('reminders').select(['deadline_id', 'offset_days', 'audience']).where('inspection_id', 'in', ids).execute();
    expect(rows).toHaveLength(30 * 4);
    expect(new Set(rows.map((r) => `${r.deadline_id}/${r.offset_days}/${r.audience}`)).size).toBe(30 * 4);
    expect(passes.reduce((n, p) => n + p.created, 0)).toBe(30 * 4);
  });
});
