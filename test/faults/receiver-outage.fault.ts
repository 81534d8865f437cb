import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createWebhook } from '../../src/reminders/views.js';
import { call, localDate } from './support/client.js';
import { controlledPostgres, type ControlledPostgres } from './support/postgres.js';
import { webhookReceiver } from './support/receiver.js';
import { FAULT_ADMIN_TOKEN, spawnService, waitReady, type ServiceProcess } from './support/service.js';
import { applyToAll, bulkPlannedInspections } from './support/setup.js';

const SECRET = 'fault-webhook-secret-abcdefghijkl';
const REMINDERS = 300;
const MOVERS = 200;
const OUTAGE_MS = 12_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pg: ControlledPostgres;
let databaseUrl: string;
let db: Db;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  pg = await controlledPostgres();
  databaseUrl = await pg.database('kiemtra');
  db = createDb(databaseUrl, { max: 8 });
  await migrateToLatest(db as never);
});
afterAll(async () => {
  await service?.kill9();
  await db?.destroy();
  await pg?.destroy();
});

interface DeliveryState {
  pending: number;
  delivered: number;
  failed: number;
  maxAttempts: number;
  meanAttempts: number;
}

async function deliveryState(): Promise<DeliveryState> {
  const { rows } = await sql<DeliveryState>`
    select count(*) filter (where status = 'pending')::int as pending,
           count(*) filter (where status = 'delivered')::int as delivered,
           count(*) filter (where status = 'failed')::int as failed,
           coalesce(max(attempts), 0)::int as "maxAttempts",
           coalesce(avg(attempts), 0)::float8 as "meanAttempts"
    from webhook_deliveries`.execute(db);
  return rows[0]!;
}

describe('webhook receiver outage', () => {
  it('backs off while the receiver is down and delivers every notification and reminder once when it is back', async () => {
    const receiver = await webhookReceiver(SECRET);
    await receiver.down();
    await createWebhook(db, { url: receiver.url, secret: SECRET }, { id: 'fault-admin', name: 'fault admin', role: 'admin', unitCode: null }, new Date());
    const ids = await bulkPlannedInspections(db, REMINDERS + MOVERS, 'RO');
    const reminderIds = ids.slice(0, REMINDERS);
    const movers = ids.slice(REMINDERS);
    await applyToAll(db, reminderIds, () => ({ type: 'REQUEST_SELF_REPORT', dueDate: localDate(0) }));
    await applyToAll(db, movers, () => ({ type: 'REQUEST_SELF_REPORT', dueDate: localDate(30) }));

    service = await spawnService({
      databaseUrl,
      env: {
        REMINDER_INTERVAL_MS: '200',
        REMINDER_SEND_TIME: '00:00',
        REMINDER_POLICY: JSON.stringify({ catchUpHours: 24, rules: { selfReport: { daysBefore: [], overdue: null } } }),
        DELIVERY_BACKOFF_MS: '300',
        DELIVERY_BACKOFF_MAX_MS: '3000',
        WEBHOOK_MAX_ATTEMPTS: '30',
        WEBHOOK_TIMEOUT_MS: '2000',
      },
    });
    await waitReady(service);
    const downSince = Date.now();
    // Traffic goes on during the outage: each of these is one more notification to deliver.
    const { token } = (await (
      await fetch(`${service.url}/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FAULT_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'coordinator', name: 'fault coordinator' }),
      })
    ).json()) as { token: string };
    let liveEvents = 0;
    for (const id of movers.slice(0, 100)) {
      const a = await call(`${service.url}/inspections/${id}/events`, { token, body: { type: 'EXTEND_DEADLINE', dueDate: localDate(40), reason: 'during the outage' } });
      if (a.status === 200) liveEvents += 1;
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downSince)));
    const duringOutage = await deliveryState();
    const { rows: remindersDown } = await sql<{ n: number; pending: number; max: number }>`
      select count(*)::int as n, count(*) filter (where status = 'pending')::int as pending, coalesce(max(attempts), 0)::int as max
      from reminders where inspection_id = any(${reminderIds}::uuid[])`.execute(db);

    await receiver.up();
    const upAt = Date.now();
    const { rows: outbox } = await sql<{ n: number }>`select count(*)::int as n from outbox where type = 'inspection.transitioned'`.execute(db);
    const expected = outbox[0]!.n + REMINDERS;
    let after = duringOutage;
    while (Date.now() - upAt < 60_000) {
      after = await deliveryState();
      if (after.pending === 0 && receiver.received.length >= expected) break;
      await sleep(250);
    }
    const recoveredMs = Date.now() - upAt;
    await sleep(1_000);
    const { rows: reminderRows } = await sql<{ n: number; sent: number }>`
      select count(*)::int as n, count(*) filter (where status = 'sent')::int as sent
      from reminders where inspection_id = any(${reminderIds}::uuid[])`.execute(db);

    const transitions = new Map<string, number>();
    const reminders = new Map<string, number>();
    for (const d of receiver.received) {
      if (d.type === 'inspection.transitioned') {
        const key = `${String(d.data.instanceId)}#${String(d.data.seq)}`;
        transitions.set(key, (transitions.get(key) ?? 0) + 1);
      } else {
        reminders.set(String(d.data.reminderId), (reminders.get(String(d.data.reminderId)) ?? 0) + 1);
      }
    }
    const dup = (m: Map<string, number>) => [...m.values()].reduce((a, n) => a + n - 1, 0);
    const counts = receiver.counts();
    const outageSeconds = (upAt - downSince) / 1000;
    console.log(
      `[receiver outage] down ${outageSeconds.toFixed(1)} s with the service running; ${liveEvents} events sent during it; ` +
        `at the end of the outage: ${duringOutage.pending} deliveries pending, ${duringOutage.failed} failed, attempts mean ` +
        `${duringOutage.meanAttempts.toFixed(1)} / max ${duringOutage.maxAttempts} (a pass every 0.2 s would have made ~${Math.round(outageSeconds / 0.2)}); ` +
        `reminders ${remindersDown[0]!.pending} of ${remindersDown[0]!.n} pending, max ${remindersDown[0]!.max} attempts. ` +
        `Back up: all delivered ${recoveredMs} ms later; expected ${expected} (${outbox[0]!.n} transitions + ${REMINDERS} reminders), ` +
        `received ${receiver.received.length} (${counts.distinct} distinct ids, ${counts.repeated.length} repeated): transitions ${transitions.size} ` +
        `(${dup(transitions)} duplicates), reminders ${reminders.size} (${dup(reminders)} duplicates), ${reminderRows[0]!.sent} of ${reminderRows[0]!.n} marked sent; ` +
        `deliveries now ${JSON.stringify(after)}`,
    );

    expect(liveEvents).toBe(100);
    expect(duringOutage.delivered).toBe(0);
    expect(duringOutage.failed).toBe(0);
    expect(duringOutage.pending).toBe(expected);
    expect(duringOutage.maxAttempts).toBeGreaterThanOrEqual(2);
    // Backing off: far fewer attempts than passes.
    expect(duringOutage.maxAttempts).toBeLessThan(outageSeconds / 0.2 / 3);
    expect(remindersDown[0]).toMatchObject({ n: REMINDERS, pending: REMINDERS });
    expect(after).toMatchObject({ pending: 0, failed: 0, delivered: expected });
    expect(transitions.size).toBe(outbox[0]!.n);
    expect(reminders.size).toBe(REMINDERS);
    expect(dup(transitions)).toBe(0);
    expect(dup(reminders)).toBe(0);
    expect(counts.repeated).toEqual([]);
    expect(reminderRows[0]).toEqual({ n: REMINDERS, sent: REMINDERS });
  });
});
