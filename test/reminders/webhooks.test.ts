import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, fireDueTimers } from '../../src/engine/index.js';
import { dispatcherSettings, runDispatcherPass } from '../../src/reminders/dispatcher.js';
import { runSchedulerPass } from '../../src/reminders/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { coordinator } from '../support/fixtures.js';
import { seedInspection, startReceiver } from './support.js';

const SECRET = 'webhook-secret-0123456789';
const HOUR = 3_600_000;

let h: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let staff: { authorization: string };

beforeAll(async () => {
  h = await createTestApp({ WEBHOOK_MAX_ATTEMPTS: '4', DELIVERY_BACKOFF_MS: '60000', DELIVERY_BACKOFF_MAX_MS: '3600000', WEBHOOK_TIMEOUT_MS: '3000' });
  receiver = await startReceiver(SECRET);
  staff = await h.auth('coordinator');
});
afterAll(async () => {
  await receiver.close();
  await h.close();
});

const schedule = () => runSchedulerPass(h.t.db, { now: h.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
const dispatch = () => runDispatcherPass(h.t.db, h.clock.now(), { settings: dispatcherSettings(h.config) });

async function reminder(id: string) {
  return h.t.db.selectFrom('reminders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('webhooks', () => {
  it('registers a receiver (admin, coordinator); the secret is never returned; bad input is 400 and changes nothing', async () => {
    await h.t.db.insertInto('units').values({ code: 'SGTVT', name: 'Sở Giao thông vận tải', kind: 'department', contacts: '[]' }).execute();
    const unit = await h.auth('unit', 'SGTVT');
    const bad = [
      { url: 'ftp://127.0.0.1/x', secret: SECRET },
      { url: 'not a url', secret: SECRET },
      { url: receiver.url, secret: 'short' },
      { url: receiver.url, secret: SECRET, events: ['reminder.sent'] },
      { url: receiver.url, secret: SECRET, events: [] },
      { url: receiver.url, secret: SECRET, extra: true },
    ];
    for (const payload of bad) {
      const res = await h.app.inject({ method: 'POST', url: '/webhooks', headers: staff, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().issues.length).toBeGreaterThan(0);
    }
    expect((await h.app.inject({ method: 'POST', url: '/webhooks', headers: unit, payload: { url: receiver.url, secret: SECRET } })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/webhooks', headers: unit })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'DELETE', url: '/webhooks/00000000-0000-4000-8000-000000000000', headers: staff })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: '/webhooks/nope', headers: staff })).statusCode).toBe(400);
    expect(await h.t.db.selectFrom('webhooks').select('id').execute()).toEqual([]);

    const created = await h.app.inject({ method: 'POST', url: '/webhooks', headers: staff, payload: { url: receiver.url, secret: SECRET } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ url: receiver.url, events: null });
    expect(created.body).not.toContain(SECRET);
    const listed = await h.app.inject({ method: 'GET', url: '/webhooks', headers: h.admin });
    expect(listed.json().items).toHaveLength(1);
    expect(listed.body).not.toContain(SECRET);

    const other = await h.app.inject({
      method: 'POST',
      url: '/webhooks',
      headers: h.admin,
      payload: { url: 'https://example.invalid/hook', secret: SECRET, events: ['reminder.overdue'] },
    });
    expect(other.statusCode).toBe(201);
    expect((await h.app.inject({ method: 'DELETE', url: `/webhooks/${other.json().id}`, headers: staff })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/webhooks', headers: staff })).json().items).toHaveLength(1);
  });

  it('signs every delivery, keeps its id across retries, and after answering 500 for a while still receives everything once', async () => {
    h.clock.set('2020-07-01T03:00:00Z');
    const { inspectionId } = await seedInspection(h.t.db, { code: 'SYT', name: 'Sở Y tế' });
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: h.clock.now() });
    await schedule();
    await dispatch(); // the transition itself
    receiver.received.length = 0;

    // 7 days before, 08:00 in Hà Nội: the receiver is down.
    receiver.answer(() => 500);
    h.clock.set('2020-07-08T01:00:00Z');
    let pass = await dispatch();
    expect(pass.reminders).toMatchObject({ claimed: 1, retried: 1 });
    const [first] = await h.t.db.selectFrom('reminders').select('id').where('inspection_id', '=', inspectionId).where('offset_days', '=', -7).execute();
    let r = await reminder(first!.id);
    expect(r).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('HTTP 500') });
    // Backoff: 30–60 s after the first attempt.
    expect(r.next_attempt_at!.getTime() - h.clock.now().getTime()).toBeGreaterThanOrEqual(30_000);
    expect(r.next_attempt_at!.getTime() - h.clock.now().getTime()).toBeLessThanOrEqual(60_000);
    expect((await dispatch()).reminders.claimed).toBe(0); // not before the backoff has passed

    h.clock.advance(61_000);
    pass = await dispatch();
    expect(pass.reminders).toMatchObject({ claimed: 1, retried: 1 });
    r = await reminder(first!.id);
    expect(r.attempts).toBe(2);
    const delivery = await h.t.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('reminder_id', '=', first!.id)
      .executeTakeFirstOrThrow();
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2, last_status_code: 500 });

    // The receiver is back.
    receiver.answer(() => 204);
    h.clock.advance(2 * 60_000 + 1000);
    pass = await dispatch();
    expect(pass.reminders).toMatchObject({ claimed: 1, sent: 1 });
    r = await reminder(first!.id);
    expect(r).toMatchObject({ status: 'sent', attempts: 3, channel: 'stream,webhook' });
    expect(await h.t.db.selectFrom('webhook_deliveries').select(['status', 'attempts', 'last_status_code']).where('id', '=', delivery.id).executeTakeFirst()).toEqual({
      status: 'delivered',
      attempts: 3,
      last_status_code: 204,
    });
    expect(receiver.received.map((x) => x.deliveryId)).toEqual([delivery.id, delivery.id, delivery.id]);
    expect(receiver.received.every((x) => x.signatureOk && x.body.id === delivery.id)).toBe(true);
    const body = receiver.accepted()[0]!.body;
    expect(body).toMatchObject({
      type: 'reminder.due',
      data: { reminderId: first!.id, inspectionId, unitCode: 'SYT', unitName: 'Sở Y tế', kind: 'selfReport', dueDate: '2020-07-15', offsetDays: -7 },
    });

    // Through the due date and past it: every reminder arrives exactly once.
    for (const at of ['2020-07-12T02:00:00Z', '2020-07-14T02:00:00Z', '2020-07-15T02:00:00Z', '2020-07-16T02:00:00Z']) {
      h.clock.set(at);
      await fireDueTimers(h.t.db, h.clock.now());
      await schedule();
      await dispatch();
    }
    const sent = await h.t.db.selectFrom('reminders').select(['id', 'offset_days', 'audience']).where('inspection_id', '=', inspectionId).where('status', '=', 'sent').execute();
    expect(sent.map((s) => s.offset_days).sort((a, b) => a - b)).toEqual([-7, -3, -1, 0, 1, 1]);
    const accepted = receiver.accepted().filter((x) => x.body.type.startsWith('reminder.'));
    expect(accepted).toHaveLength(sent.length);
    expect(new Set(accepted.map((x) => x.deliveryId)).size).toBe(sent.length);
    expect(new Set(accepted.map((x) => x.body.data.reminderId)).size).toBe(sent.length);
    expect(accepted.filter((x) => x.body.type === 'reminder.overdue').map((x) => x.body.data.audience).sort()).toEqual(['coordinator', 'unit']);
    // The timer that made it overdue also sent inspection.transitioned.
    expect(receiver.accepted().some((x) => x.body.type === 'inspection.transitioned' && x.body.data.to === 'selfReport.overdue')).toBe(true);
  });

  it('marks a reminder failed after the last attempt, lists it, and retries it on request', async () => {
    h.clock.set('2020-08-03T03:00:00Z');
    const { inspectionId } = await seedInspection(h.t.db, { code: 'STP', name: 'Sở Tư pháp' });
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-08-05' }, coordinator, { now: h.clock.now() });
    await schedule();
    receiver.answer((d) => (d.type.startsWith('reminder.') ? 500 : 204));
    h.clock.set('2020-08-04T01:00:00Z'); // 1 day before
    for (let i = 0; i < 4; i++) {
      await dispatch();
      h.clock.advance(HOUR);
    }
    const failed = await h.app.inject({ method: 'GET', url: `/reminders?status=failed&inspectionId=${inspectionId}`, headers: staff });
    expect(failed.statusCode).toBe(200);
    expect(failed.json().items).toHaveLength(1);
    const item = failed.json().items[0];
    expect(item).toMatchObject({ inspectionId, offsetDays: -1, status: 'failed', attempts: 4, channel: 'stream,webhook' });
    expect(item.lastError).toContain('HTTP 500');
    expect((await dispatch()).reminders.claimed).toBe(0);
    const delivery = await h.t.db.selectFrom('webhook_deliveries').select(['status']).where('reminder_id', '=', item.id).executeTakeFirstOrThrow();
    expect(delivery.status).toBe('failed');

    const unit = await h.auth('unit', 'STP');
    expect((await h.app.inject({ method: 'POST', url: `/reminders/${item.id}/retry`, headers: unit })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/reminders/00000000-0000-4000-8000-000000000000/retry', headers: staff })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'POST', url: '/reminders/x/retry', headers: staff })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/reminders?status=lost', headers: staff })).statusCode).toBe(400);

    receiver.answer(() => 204);
    const retried = await h.app.inject({ method: 'POST', url: `/reminders/${item.id}/retry`, headers: staff });
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await h.app.inject({ method: 'POST', url: `/reminders/${item.id}/retry`, headers: staff })).statusCode).toBe(409);
    await dispatch();
    expect(await reminder(item.id)).toMatchObject({ status: 'sent', attempts: 1 });
    const deliveries = receiver.received.filter((x) => x.body.data.reminderId === item.id);
    expect(deliveries).toHaveLength(5);
    expect(new Set(deliveries.map((x) => x.deliveryId)).size).toBe(1);
    expect(deliveries.filter((x) => x.status === 204)).toHaveLength(1);
  });

  it('delivers inspection.transitioned from the outbox exactly once, even with dispatchers running at once', async () => {
    h.clock.set('2020-08-10T03:00:00Z');
    await dispatch();
    receiver.received.length = 0;
    receiver.answer(() => 200);
    const { inspectionId } = await seedInspection(h.t.db, { code: 'TTT', name: 'Thanh tra tỉnh' });
    const now = h.clock.now();
    await applyEvent(h.t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-09-15' }, coordinator, { now });
    await applyEvent(h.t.db, inspectionId, { type: 'CANCEL', reason: 'Đơn vị sáp nhập' }, coordinator, { now });
    await Promise.all([dispatch(), dispatch(), dispatch()]);
    await dispatch();
    // Concurrent dispatchers do not promise an order; `seq` gives it.
    const transitions = receiver
      .accepted()
      .filter((x) => x.body.type === 'inspection.transitioned')
      .sort((a, b) => Number(a.body.data.seq) - Number(b.body.data.seq));
    expect(transitions.map((x) => [x.body.data.event, x.body.data.from, x.body.data.to])).toEqual([
      ['REQUEST_SELF_REPORT', 'planned', 'selfReport.requested'],
      ['CANCEL', 'selfReport.requested', 'cancelled'],
    ]);
    expect(transitions.every((x) => x.body.data.inspectionId === inspectionId && x.body.data.unitCode === 'TTT')).toBe(true);
    expect(receiver.received.filter((x) => x.body.data.inspectionId === inspectionId)).toHaveLength(2);
  });
});
