import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineModules } from '../../machines/index.js';
import { sendInspectionEvent } from '../../src/domain/inspections.js';
import { sendPlanEvent } from '../../src/domain/plans.js';
import { seedDemo } from '../../src/domain/seed.js';
import { matrixIn, README_PATH, renderAccessMatrix } from '../../src/http/access-matrix.js';
import { EVENT_ROLES, ROLES, ROUTE_ROLES, type Role } from '../../src/domain/access.js';
import { consumeOutbox } from '../../src/reminders/notifications.js';
import { runSchedulerPass } from '../../src/reminders/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Walks the whole access-control table (src/domain/access.ts) over real HTTP:
 * every route × every role (and no token), every event type × every role, and
 * the unit scoping rule against every route there is. Routes are taken from
 * the table itself, so a route added later is covered without touching this
 * file.
 */

let t: TestApp;
let base: string;
const headers: Partial<Record<Role, Record<string, string>>> = {};
let unitA: string;
let unitB: string;
let plannedA: string;
let plannedB: string;
let surpriseA: string;
let surpriseB: string;
let planId: string;

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** One request over HTTP; an event stream is read no further than its headers. */
async function call(method: string, url: string, auth?: Record<string, string>, body?: unknown): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...auth } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${url}`, init);
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, contentType, body: '' };
  }
  return { status: res.status, contentType, body: await res.text() };
}

function routeParts(key: string): { method: string; path: string } {
  const [method, path] = key.split(' ') as [string, string];
  return { method, path };
}

const isRegistered = (key: string) => {
  const { method, path } = routeParts(key);
  return t.app.hasRoute({ method: method as 'GET', url: path });
};

/** A concrete URL for a route pattern: ids that exist nowhere, the caller's own unit, a real machine. */
function concrete(path: string, params: Record<string, string> = {}): string {
  const defaults: Record<string, string> = { id: UNKNOWN_ID, code: unitA, name: 'plannedInspection', year: '2020' };
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? defaults[name] ?? 'x'));
}

const hasBody = (method: string) => ['POST', 'PUT', 'PATCH'].includes(method);

beforeAll(async () => {
  t = await createTestApp();
  const seeded = await seedDemo(t.t.db, t.clock.now(), 'Asia/Ho_Chi_Minh');
  planId = seeded.planId!;
  const planned = await t.t.db.selectFrom('instances').select(['id', 'unit_code']).where('plan_id', '=', planId).orderBy('unit_code').execute();
  [unitA, unitB] = [planned[0]!.unit_code!, planned[1]!.unit_code!];
  [plannedA, plannedB] = [planned[0]!.id, planned[1]!.id];
  for (const role of ROLES) headers[role] = await t.auth(role, role === 'unit' ? unitA : undefined);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });

  const surprise = async (unitCode: string) => {
    const res = await call('POST', '/inspections', headers.coordinator, {
      kind: 'surprise',
      unitCode,
      contents: ['s1'],
      announced: true,
      reason: 'Phản ánh của người dân',
    });
    expect(res.status, res.body).toBe(201);
    return JSON.parse(res.body).id as string;
  };
  surpriseA = await surprise(unitA);
  surpriseB = await surprise(unitB);
});

afterAll(async () => {
  await t?.close();
});

describe('the table', () => {
  it('names only routes the app has (a stale entry grants nothing but hides a mistake)', () => {
    const missing = Object.keys(ROUTE_ROLES).filter((key) => !isRegistered(key));
    expect(missing).toEqual([]);
  });

  it('gives every event a person can send a row, and names no event the machines do not know', () => {
    const machineEvents = new Set(Object.values(machineModules).flatMap((m) => Object.keys(m.events)));
    expect(new Set(Object.keys(EVENT_ROLES))).toEqual(machineEvents);
  });

  it('is what the README shows (run `npm run docs:roles -- --write` after changing access.ts)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    expect(matrixIn(readme)).toBe(renderAccessMatrix());
  });
});

describe('every route × every role', () => {
  it('answers 401 without a token, 403 to a role without ✓, anything else to a role with ✓', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [key, allowed] of Object.entries(ROUTE_ROLES)) {
      if (!isRegistered(key)) continue;
      const { method, path } = routeParts(key);
      const url = concrete(path);
      const body = hasBody(method) ? {} : undefined;

      const anonymous = await call(method, url, undefined, body);
      if (anonymous.status !== 401 || !anonymous.contentType.startsWith('application/problem+json')) {
        wrong.push(`${key} without a token: ${anonymous.status} ${anonymous.contentType}`);
      }
      const forged = await call(method, url, { authorization: 'Bearer kt_forged-token-that-was-never-issued-000000' }, body);
      if (forged.status !== 401) wrong.push(`${key} with an unknown token: ${forged.status}`);

      for (const role of ROLES) {
        const res = await call(method, url, headers[role], body);
        checked += 1;
        if (allowed.includes(role)) {
          if (res.status === 401 || res.status === 403) wrong.push(`${key} as ${role} (allowed): ${res.status} ${res.body}`);
        } else if (res.status !== 403 || !res.contentType.startsWith('application/problem+json')) {
          wrong.push(`${key} as ${role} (not allowed): ${res.status} ${res.body.slice(0, 200)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(Object.keys(ROUTE_ROLES).length * ROLES.length * 0.9);
  });
});

describe('every event type × every role', () => {
  /** Where an event type can be sent: the plan, or an inspection of the unit token's own unit whose machine knows it. */
  function target(type: string): string {
    if (Object.hasOwn(machineModules.inspectionPlan.events, type)) return `/plans/${planId}/events`;
    if (Object.hasOwn(machineModules.plannedInspection.events, type)) return `/inspections/${plannedA}/events`;
    return `/inspections/${surpriseA}/events`;
  }

  it('answers 403 to a role the table does not list, and never 403 (nor 401) to one it does', async () => {
    const wrong: string[] = [];
    for (const [type, allowed] of Object.entries(EVENT_ROLES)) {
      for (const role of ROLES) {
        // Only the type: the payload is missing, so an allowed sender gets 400 or 409 and nothing changes.
        const res = await call('POST', target(type), headers[role], { type });
        if (allowed.includes(role)) {
          if (res.status === 401 || res.status === 403) wrong.push(`${type} as ${role} (allowed): ${res.status} ${res.body}`);
        } else if (res.status !== 403) {
          wrong.push(`${type} as ${role} (not allowed): ${res.status} ${res.body.slice(0, 200)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('is enforced by the domain itself, whoever calls it (not only by the routes)', async () => {
    const options = { now: t.clock.now(), timeZone: 'Asia/Ho_Chi_Minh' };
    const as = (role: Role) => ({ id: `${role}-1`, name: role, role, unitCode: role === 'unit' ? unitA : null });
    await expect(sendPlanEvent(t.t.db, planId, { type: 'APPROVE', decisionNo: '1/QĐ' }, { id: 'c', role: 'coordinator' }, options)).rejects.toMatchObject({
      status: 403,
    });
    await expect(sendInspectionEvent(t.t.db, plannedA, { type: 'START_VISIT' }, as('coordinator'), options)).rejects.toMatchObject({ status: 403 });
    await expect(sendInspectionEvent(t.t.db, plannedA, { type: 'CANCEL', reason: 'x' }, as('unit'), options)).rejects.toMatchObject({ status: 403 });
  });

  it('offers each role only the events the table gives it (allowedEvents)', async () => {
    for (const role of ['coordinator', 'inspector', 'chairman', 'unit', 'observer'] as const) {
      const res = await call('GET', `/inspections/${surpriseA}`, headers[role]);
      expect(res.status).toBe(200);
      for (const type of JSON.parse(res.body).allowedEvents as string[]) expect(EVENT_ROLES[type]).toContain(role);
    }
  });
});

describe('a unit token never learns that another unit’s inspection exists', () => {
  let secrets: string[];

  beforeAll(async () => {
    // Give both units deadlines and reminders, so every route has something of B's to leak.
    for (const id of [plannedA, plannedB]) {
      const res = await call('POST', `/inspections/${id}/events`, headers.coordinator, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-20' });
      expect(res.status, res.body).toBe(200);
    }
    await runSchedulerPass(t.t.db, { now: t.clock.now(), timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });
    await consumeOutbox(t.t.db, t.clock.now());
    const deadlines = await t.t.db.selectFrom('deadlines').select('id').where('unit_code', '=', unitB).execute();
    const reminders = await t.t.db.selectFrom('reminders').select('id').where('unit_code', '=', unitB).execute();
    expect(deadlines.length).toBeGreaterThan(0);
    secrets = [plannedB, surpriseB, ...deadlines.map((d) => d.id), ...reminders.map((r) => r.id)];
  });

  /** B's ids in an answer, beyond the one the request itself named (a 404 may echo it). */
  const leaks = (body: string, asked = '') => secrets.filter((s) => body.includes(s) && !asked.includes(s));

  it('gets 404 for it, exactly as for an id that does not exist', async () => {
    const unit = headers.unit!;
    for (const id of [plannedB, surpriseB]) {
      for (const [method, path, body] of [
        ['GET', `/inspections/${id}`, undefined],
        ['GET', `/inspections/${id}/history`, undefined],
        ['POST', `/inspections/${id}/events`, { type: 'SUBMIT_SELF_REPORT', summary: 'x' }],
        ['POST', `/inspections/${id}/events`, { type: 'NO_SUCH_EVENT' }],
      ] as const) {
        const theirs = await call(method, path, unit, body);
        const nobodys = await call(method, path.replace(id, UNKNOWN_ID), unit, body);
        expect(theirs.status, `${method} ${path}`).toBe(404);
        expect(theirs.body.replaceAll(id, UNKNOWN_ID)).toBe(nobodys.body);
      }
      const conditional = await fetch(`${base}/inspections/${id}/events`, {
        method: 'POST',
        headers: { ...unit, 'content-type': 'application/json', 'if-match': '1', 'idempotency-key': 'k-1' },
        body: JSON.stringify({ type: 'SUBMIT_SELF_REPORT', summary: 'x' }),
      });
      expect(conditional.status).toBe(404);
    }
  });

  it('finds none of its inspections, deadlines or reminders through any route of the table', async () => {
    const unit = headers.unit!;
    const found: string[] = [];
    for (const key of Object.keys(ROUTE_ROLES)) {
      if (!isRegistered(key) || !ROUTE_ROLES[key]!.includes('unit')) continue;
      const { method, path } = routeParts(key);
      if (method !== 'GET') continue;
      const urls = new Set([concrete(path), concrete(path, { id: plannedB, code: unitB }), concrete(path, { id: surpriseB, code: unitB })]);
      if (!path.includes(':')) {
        // Lists, also asked for B's rows by name.
        for (const q of [`unitCode=${unitB}`, `inspectionId=${plannedB}`, `planId=${planId}`]) urls.add(`${path}?${q}`);
      }
      for (const url of urls) {
        const res = await call('GET', url, unit);
        if (leaks(res.body, url).length > 0) found.push(`${url}: ${leaks(res.body, url).join(', ')}`);
        if (path.includes(':id') && url.includes(plannedB) && res.status !== 404) found.push(`${url}: ${res.status}, not 404`);
      }
    }
    expect(found).toEqual([]);
  });

  it('cannot subscribe to another unit’s calendar (404), with the token in the header or the query', async (ctx) => {
    if (!isRegistered('GET /units/:code/calendar.ics')) return ctx.skip();
    const token = headers.unit!.authorization!.slice('Bearer '.length);
    expect((await call('GET', `/units/${unitB}/calendar.ics`, headers.unit)).status).toBe(404);
    expect((await call('GET', `/units/${unitB}/calendar.ics?token=${token}`)).status).toBe(404);
    const own = await call('GET', `/units/${unitA}/calendar.ics?token=${token}`);
    expect(own.status).toBe(200);
    expect(leaks(own.body)).toEqual([]);
  });

  it('hears its own unit’s transitions on the stream, never another unit’s', async (ctx) => {
    if (!isRegistered('GET /stream')) return ctx.skip();
    const controller = new AbortController();
    const res = await fetch(`${base}/stream`, { headers: headers.unit, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (done: () => boolean, ms: number) => {
      const until = Date.now() + ms;
      while (!done() && Date.now() < until) {
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), until - Date.now()))]);
        if (!chunk || chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
    };
    try {
      // B's inspection moves first, then A's: once A's shows up, B's had its chance.
      for (const id of [surpriseB, surpriseA]) {
        const r = await call('POST', `/inspections/${id}/events`, headers.chairman, { type: 'DECIDE', decisionNo: '12/QĐ-UBND' });
        expect(r.status, r.body).toBe(200);
        await consumeOutbox(t.t.db, t.clock.now());
      }
      await readUntil(() => text.includes(surpriseA), 15_000);
      expect(text).toContain(surpriseA);
      expect(leaks(text)).toEqual([]);
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
  });
});
