import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, fireDueTimers } from '../../src/engine/index.js';
import { dispatcherSettings, runDispatcherPass } from '../../src/reminders/dispatcher.js';
import { runSchedulerPass } from '../../src/reminders/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { coordinator } from '../support/fixtures.js';
import { seedInspection } from './support.js';

interface SseEvent {
  id: string;
  event: string;
  data: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
}

interface Stream {
  status: number;
  events: SseEvent[];
  comments: string[];
  ended: boolean;
  close(): void;
  waitFor(test: () => boolean, what: string): Promise<void>;
}

/** Short real waits are for network I/O only; the clock of the deadlines is injected. */
async function waitUntil(test: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function openStream(port: number, authorization: string, lastEventId?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization, accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const req = http.get({ host: '127.0.0.1', port, path: '/stream', headers }, (res) => {
      const stream: Stream = {
        status: res.statusCode ?? 0,
        events: [],
        comments: [],
        ended: false,
        close: () => req.destroy(),
        waitFor: (test, what) => waitUntil(test, what),
      };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else {
              const at = line.indexOf(':');
              fields[line.slice(0, at)] = line.slice(at + 1).trimStart();
            }
          }
          if (fields.data) stream.events.push({ id: fields.id!, event: fields.event!, data: JSON.parse(fields.data) });
        }
      });
      res.on('end', () => (stream.ended = true));
      res.on('error', () => (stream.ended = true));
      resolve(stream);
    });
    req.on('error', reject);
  });
}

let h: TestApp;
let port: number;
let a: string;
let b: string;

beforeAll(async () => {
  h = await createTestApp({ STREAM_POLL_MS: '50', STREAM_HEARTBEAT_MS: '100' });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as AddressInfo).port;
  h.clock.set('2020-07-01T03:00:00Z');
  a = (await seedInspection(h.t.db, { code: 'SNNPTNT', name: 'Sở Nông nghiệp và Phát triển nông thôn' })).inspectionId;
  b = (await seedInspection(h.t.db, { code: 'SVHTTDL', name: 'Sở Văn hóa, Thể thao và Du lịch' })).inspectionId;
});
afterAll(async () => {
  await h.close();
});

const dispatch = () => runDispatcherPass(h.t.db, h.clock.now(), { settings: dispatcherSettings(h.config) });
const schedule = () => runSchedulerPass(h.t.db, { now: h.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
const connections = () => new Promise<number>((resolve) => h.app.server.getConnections((_e, n) => resolve(n)));

describe('GET /stream', () => {
  it('refuses bad requests with problem+json', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/stream' })).statusCode).toBe(401);
    const bad = await h.app.inject({ method: 'GET', url: '/stream', headers: { ...h.admin, 'last-event-id': 'abc' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });

  it('streams transitions and reminders, a unit token seeing only its own unit’s; heartbeats; resume with Last-Event-ID; no connection left behind', async () => {
    const unitA = await openStream(port, (await h.auth('unit', 'SNNPTNT')).authorization);
    const unitB = await openStream(port, (await h.auth('unit', 'SVHTTDL')).authorization);
    const staff = await openStream(port, (await h.auth('coordinator')).authorization);
    for (const s of [unitA, unitB, staff]) {
      expect(s.status).toBe(200);
      await s.waitFor(() => s.comments.includes('subscribed'), 'the subscription');
    }

    const now = h.clock.now();
    await applyEvent(h.t.db, a, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now });
    await applyEvent(h.t.db, b, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' }, coordinator, { now });
    await dispatch();
    await staff.waitFor(() => staff.events.length >= 2, 'both transitions on the coordinator stream');
    await unitA.waitFor(() => unitA.events.length >= 1, 'A’s transition');
    await unitB.waitFor(() => unitB.events.length >= 1, 'B’s transition');
    expect(staff.events.map((e) => [e.event, e.data.data.unitCode]).sort()).toEqual([
      ['inspection.transitioned', 'SNNPTNT'],
      ['inspection.transitioned', 'SVHTTDL'],
    ]);
    expect(unitA.events.map((e) => e.data.data.unitCode)).toEqual(['SNNPTNT']);
    expect(unitB.events.map((e) => e.data.data.unitCode)).toEqual(['SVHTTDL']);
    expect(unitA.events[0]!.data).toMatchObject({ type: 'inspection.transitioned', data: { inspectionId: a, to: 'selfReport.requested' } });
    expect(unitA.events[0]!.id).toBe(unitA.events[0]!.data.id);

    // Past A's deadline: the overdue reminder to the unit and the escalation to the coordinator.
    await schedule();
    h.clock.set('2020-07-16T02:00:00Z');
    await fireDueTimers(h.t.db, h.clock.now());
    await schedule();
    await dispatch();
    const isOverdue = (e: SseEvent) => e.event === 'reminder.overdue';
    await staff.waitFor(() => staff.events.filter(isOverdue).length >= 2, 'the overdue reminders');
    await unitA.waitFor(() => unitA.events.some(isOverdue), 'A’s overdue reminder');
    await unitA.waitFor(() => unitA.comments.includes('heartbeat'), 'a heartbeat');
    expect(staff.events.filter(isOverdue).map((e) => e.data.data.audience).sort()).toEqual(['coordinator', 'unit']);
    expect(unitA.events.filter(isOverdue).map((e) => e.data.data.audience)).toEqual(['unit']);
    expect(unitA.events.every((e) => e.data.data.unitCode === 'SNNPTNT')).toBe(true);
    expect(unitB.events.every((e) => e.data.data.unitCode === 'SVHTTDL')).toBe(true);
    expect(unitB.events.some((e) => e.event.startsWith('reminder.'))).toBe(true); // B's reminders before its due date
    const ids = staff.events.map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(ids.length);

    // Disconnect A, miss an event, come back with Last-Event-ID.
    const before = await connections();
    const lastSeen = unitA.events.at(-1)!.id;
    const seen = unitA.events.length;
    unitA.close();
    await new Promise<void>((resolve) => {
      const check = async () => ((await connections()) < before ? resolve() : setTimeout(() => void check(), 10));
      void check();
    });
    await applyEvent(h.t.db, a, { type: 'CANCEL', reason: 'Sáp nhập đơn vị' }, coordinator, { now: h.clock.now() });
    await dispatch();
    await staff.waitFor(() => staff.events.some((e) => e.data.data.to === 'cancelled'), 'the cancellation');
    const resumed = await openStream(port, (await h.auth('unit', 'SNNPTNT')).authorization, lastSeen);
    await resumed.waitFor(() => resumed.events.some((e) => e.data.data.to === 'cancelled'), 'the missed event after resuming');
    expect(resumed.events.every((e) => Number(e.id) > Number(lastSeen))).toBe(true);
    expect(resumed.events.map((e) => e.data.data.to)).toEqual(['cancelled']);
    expect(seen).toBeGreaterThan(0);

    // Closing the service ends the open streams instead of waiting for them.
    await h.app.close();
    for (const s of [unitB, staff, resumed]) await s.waitFor(() => s.ended, 'the end of the stream');
  });
});
