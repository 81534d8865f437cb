import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Db } from '../../src/db/connect.js';
import { createInstance } from '../../src/engine/index.js';
import { coordinator, T0 } from '../support/fixtures.js';

/** A unit with contacts, a plan row, and a planned inspection of the unit. */
export async function seedInspection(
  db: Db,
  unit: { code: string; name: string; contacts?: { name?: string; email: string }[] },
  planId?: string,
): Promise<{ planId: string; inspectionId: string }> {
  await db
    .insertInto('units')
    .values({ code: unit.code, name: unit.name, kind: 'department', contacts: JSON.stringify(unit.contacts ?? []) })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  if (!planId) {
    const plan = await createInstance(db, { kind: 'plan', input: { planId: 'p', year: 2020 }, actor: coordinator, now: T0 });
    planId = plan.id;
    await db
      .insertInto('plans')
      .values({
        id: planId,
        year: 2020,
        title: 'Kế hoạch kiểm tra CCHC năm 2020',
        decision_no: '1234/QĐ-UBND',
        review_from: '2019-01-01',
        review_to: '2020-06-30',
        visit_from: '2020-08-01',
        visit_to: '2020-10-31',
        targets: [unit.code],
        coverage: '[]',
      })
      .execute();
  }
  const inspection = await createInstance(db, {
    kind: 'planned',
    input: { planId, unitCode: unit.code },
    planId,
    unitCode: unit.code,
    actor: coordinator,
    now: T0,
  });
  return { planId, inspectionId: inspection.id };
}

export interface ReceivedDelivery {
  deliveryId: string;
  signatureOk: boolean;
  status: number;
  body: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
}

/** A webhook receiver on 127.0.0.1 that checks signatures and answers what `respond` says. */
export async function startReceiver(secret: string) {
  const received: ReceivedDelivery[] = [];
  let respond: (d: ReceivedDelivery['body']) => number = () => 204;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-signature'] ?? ''));
      const signatureOk = given.length === expected.length && timingSafeEqual(given, expected);
      const body = JSON.parse(raw.toString('utf8')) as ReceivedDelivery['body'];
      const status = signatureOk ? respond(body) : 401;
      received.push({ deliveryId: String(req.headers['x-delivery-id']), signatureOk, status, body });
      res.writeHead(status).end();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Deliveries answered 2xx. */
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    answer(fn: (d: ReceivedDelivery['body']) => number) {
      respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The same receiver in a worker thread, for load: it counts instead of
 * keeping every body, and it does not compete with the dispatchers for the
 * test's event loop. Plain JavaScript, so the worker needs no TypeScript loader.
 */
const RECEIVER_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { createHmac, timingSafeEqual } = require('node:crypto');
const perDelivery = new Map();
const reminders = new Set();
let received = 0;
let badSignatures = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    received += 1;
    const raw = Buffer.concat(chunks);
    const expected = Buffer.from('sha256=' + createHmac('sha256', workerData.secret).update(raw).digest('hex'));
    const given = Buffer.from(String(req.headers['x-signature'] || ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      badSignatures += 1;
      res.writeHead(401).end();
      return;
    }
    const id = String(req.headers['x-delivery-id']);
    perDelivery.set(id, (perDelivery.get(id) || 0) + 1);
    reminders.add(JSON.parse(raw.toString('utf8')).data.reminderId);
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (msg) => {
  if (msg === 'stats') {
    let duplicates = 0;
    for (const n of perDelivery.values()) if (n > 1) duplicates += 1;
    parentPort.postMessage({ received, badSignatures, deliveries: perDelivery.size, duplicates, reminders: reminders.size });
  } else if (msg === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
`;

export interface ReceiverStats {
  received: number;
  badSignatures: number;
  deliveries: number;
  duplicates: number;
  reminders: number;
}

export async function startWorkerReceiver(secret: string) {
  const worker = new Worker(RECEIVER_WORKER, { eval: true, workerData: { secret } });
  const next = () => new Promise<unknown>((resolve) => worker.once('message', resolve));
  const { port } = (await next()) as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    async stats(): Promise<ReceiverStats> {
      const reply = next();
      worker.postMessage('stats');
      return (await reply) as ReceiverStats;
    },
    async close() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}
