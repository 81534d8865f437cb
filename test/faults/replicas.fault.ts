import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createWebhook } from '../../src/reminders/views.js';
import { localDate } from './support/client.js';
import { controlledPostgres, type ControlledPostgres } from './support/postgres.js';
import { webhookReceiver } from './support/receiver.js';
import { spawnService, waitReady, type ServiceProcess } from './support/service.js';
import { applyToAll, bulkPlannedInspections } from './support/setup.js';

const TIMERS = 10_000;
const REMINDERS = 1_000;
const SECRET = 'fault-webhook-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pg: ControlledPostgres;
let databaseUrl: string;
let db: Db;
const replicas: ServiceProcess[] = [];

beforeAll(async () => {
  pg = await controlledPostgres();
  databaseUrl = await pg.database('kiemtra');
  db = createDb(databaseUrl, { max: 10 });
  await migrateToLatest(db as never);
});
afterAll(async () => {
  for (const r of replicas) await r.kill9();
  await db?.destroy();
  await pg?.destroy();
});

/** Per replica, the timers its loop reports having fired (its 'timers fired' log lines). */
function firedBy(service: ServiceProcess): number {
  let fired = 0;
  for (const line of service.output().split('\n')) {
    if (!line.includes('"timers fired"')) continue;
    try {
      fired += (JSON.parse(line) as { fired?: number }).fired ?? 0;
    } catch {
      // not a log line
    }
  }
  return fired;
}

describe('three replicas on one database', () => {
  it(`fire each of ${TIMERS.toLocaleString('en')} due timers once and deliver each notification and reminder once`, async () => {
    const t0 = Date.now();
    const ids = await bulkPlannedInspections(db, TIMERS + REMINDERS, 'RP');
    const timerIds = ids.slice(0, TIMERS);
    const reminderIds = ids.slice(TIMERS);
    // Due yesterday: the timer is due at once. Nothing runs yet, so they all wait for the replicas.
    await applyToAll(db, timerIds, () => ({ type: 'REQUEST_SELF_REPORT', dueDate: localDate(-1) }));
    // Due today: with the send time at 00:00 the on-the-day reminder is due now (and it is the only one, see the policy below).
    await applyToAll(db, reminderIds, () => ({ type: 'REQUEST_SELF_REPORT', dueDate: localDate(0) }));
    // The set-up's own transitions are not what this test counts.
    await sql`update outbox set notified_at = now() where notified_at is null`.execute(db);
    const receiver = await webhookReceiver(SECRET);
    await createWebhook(db, { url: receiver.url, secret: SECRET }, { id: 'fault-admin', name: 'fault admin', role: 'admin', unitCode: null }, new Date());
    const setupSeconds = (Date.now() - t0) / 1000;

    const env = {
      LOG_LEVEL: 'info',
      REMINDER_INTERVAL_MS: '200',
      REMINDER_SEND_TIME: '00:00',
      REMINDER_POLICY: JSON.stringify({ catchUpHours: 24, rules: { selfReport: { daysBefore: [], overdue: null } } }),
      DELIVERY_BACKOFF_MS: '500',
      DELIVERY_BACKOFF_MAX_MS: '2000',
      WEBHOOK_MAX_ATTEMPTS: '20',
    };
    const started = Date.now();
    replicas.push(...(await Promise.all([1, 2, 3].map(() => spawnService({ databaseUrl, env })))));
    await Promise.all(replicas.map((r) => waitReady(r)));

    const expectedDeliveries = TIMERS + REMINDERS;
    let done = false;
    while (!done && Date.now() - started < 180_000) {
      await sleep(500);
      const { rows } = await sql<{ timers: number; reminders: number; sent: number; pending: number }>`
        select (select count(*)::int from timers) as timers,
               (select count(*)::int from reminders) as reminders,
               (select count(*)::int from reminders where status = 'sent') as sent,
               (select count(*)::int from webhook_deliveries where status <> 'delivered') as pending`.execute(db);
      const r = rows[0]!;
      done = r.timers === REMINDERS && r.reminders >= REMINDERS && r.sent === r.reminders && r.pending === 0 && receiver.received.length >= expectedDeliveries;
    }
    const seconds = (Date.now() - started) / 1000;
    await sleep(1_000); // anything sent twice would arrive now

    const { rows: firings } = await sql<{ n: number; instances: number; max: number }>`
      select count(*)::int as n, count(distinct instance_id)::int as instances, coalesce(max(c), 0)::int as max from (
        select instance_id, count(*) as c from audit_log
        where instance_id = any(${timerIds}::uuid[]) and to_state = 'selfReport.overdue' group by instance_id) x`.execute(db);
    const { rows: timersLeft } = await sql<{ n: number }>`select count(*)::int as n from timers where instance_id = any(${timerIds}::uuid[])`.execute(db);
    const { rows: reminderRows } = await sql<{ n: number; sent: number }>`
      select count(*)::int as n, count(*) filter (where status = 'sent')::int as sent
      from reminders where inspection_id = any(${reminderIds}::uuid[])`.execute(db);

    const timerSet = new Set(timerIds);
    const reminderSet = new Set(reminderIds);
    const transitions = new Map<string, number>();
    const reminders = new Map<string, number>();
    let other = 0;
    for (const d of receiver.received) {
      if (d.type === 'inspection.transitioned' && timerSet.has(String(d.data.instanceId)) && d.data.to === 'selfReport.overdue') {
        transitions.set(String(d.data.instanceId), (transitions.get(String(d.data.instanceId)) ?? 0) + 1);
      } else if ((d.type === 'reminder.due' || d.type === 'reminder.overdue') && reminderSet.has(String(d.data.inspectionId))) {
        reminders.set(String(d.data.reminderId), (reminders.get(String(d.data.reminderId)) ?? 0) + 1);
      } else {
        other += 1;
      }
    }
    const dup = (m: Map<string, number>) => [...m.values()].reduce((a, n) => a + n - 1, 0);
    const counts = receiver.counts();
    const perReplica = replicas.map(firedBy);
    console.log(
      `[replicas] set-up ${setupSeconds.toFixed(1)} s; 3 replicas, done in ${seconds.toFixed(1)} s. ` +
        `timers: ${TIMERS} due, fired ${firings[0]!.n} on ${firings[0]!.instances} instances (most on one: ${firings[0]!.max}), ` +
        `by replica ${perReplica.join(' / ')}, left ${timersLeft[0]!.n}; ` +
        `webhook deliveries received ${receiver.received.length} (${counts.distinct} distinct ids, ${counts.repeated.length} repeated, ` +
        `${receiver.badSignatures.length} bad signatures): transitions ${transitions.size} instances (${dup(transitions)} duplicates), ` +
        `reminders ${reminders.size} of ${reminderRows[0]!.n} rows, ${reminderRows[0]!.sent} sent (${dup(reminders)} duplicates), other ${other}`,
    );

    expect(firings[0]).toEqual({ n: TIMERS, instances: TIMERS, max: 1 });
    expect(timersLeft[0]!.n).toBe(0);
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(TIMERS);
    expect(perReplica.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    expect(transitions.size).toBe(TIMERS);
    expect(dup(transitions)).toBe(0);
    expect(reminderRows[0]).toEqual({ n: REMINDERS, sent: REMINDERS });
    expect(reminders.size).toBe(REMINDERS);
    expect(dup(reminders)).toBe(0);
    expect(counts.repeated).toEqual([]);
    expect(receiver.badSignatures).toEqual([]);
    expect(other).toBe(0);
    await Promise.all(replicas.map((r) => r.stop()));
  });
});
