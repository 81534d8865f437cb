import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/connect.js';
import { dispatcherSettings, dispatchReminders } from '../../src/reminders/dispatcher.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { seedInspection, startWorkerReceiver } from './support.js';

const SECRET = 'scale-secret-0123456789abcdef';
const COUNT = 10_000;
const NOW = new Date('2020-07-20T02:00:00Z');

let t: TestDatabase;
let receiver: Awaited<ReturnType<typeof startWorkerReceiver>>;
const pools: Db[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  receiver = await startWorkerReceiver(SECRET);
  const { inspectionId } = await seedInspection(t.db, { code: 'SCALE', name: 'Đơn vị thử tải' });
  await t.db
    .insertInto('webhooks')
    .values({ id: randomUUID(), url: receiver.url, secret: SECRET, events: null, created_by: 'test', created_at: NOW })
    .execute();
  // 10,000 open deadlines, each with a reminder due now.
  await sql`
    insert into deadlines (instance_id, unit_code, kind, subject, due_date, due_at, status, updated_at)
    select ${inspectionId}::uuid, 'SCALE', 'remediation', 'item-' || i, '2020-07-20', '2020-07-20T17:00:00Z', 'open', ${NOW}
    from generate_series(1, ${COUNT}) as i`.execute(t.db);
  await sql`
    insert into reminders (deadline_id, inspection_id, unit_code, offset_days, audience, due_at, send_at, created_at, updated_at)
    select d.id, d.instance_id, d.unit_code, 0, 'unit', d.due_at, '2020-07-20T01:00:00Z', ${NOW}, ${NOW}
    from deadlines d where d.unit_code = 'SCALE'`.execute(t.db);
  for (let i = 0; i < 3; i++) pools.push(createDb(t.url, { max: 3 }));
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.destroy()));
  await receiver.close();
  await t.drop();
});

describe('three dispatchers over one database', () => {
  it(`deliver ${COUNT.toLocaleString('en')} due reminders, each exactly once, none lost`, async () => {
    const settings = dispatcherSettings(loadConfig({ WEBHOOK_TIMEOUT_MS: '10000' }));
    const claimedBy = [0, 0, 0];
    const started = performance.now();
    await Promise.all(
      pools.map(async (db, n) => {
        for (;;) {
          const r = await dispatchReminders(db, NOW, { settings, batchSize: 250, maxBatches: 4, concurrency: 12 });
          claimedBy[n]! += r.claimed;
          if (r.claimed === 0) return;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const stats = await receiver.stats();
    console.log(
      `${COUNT} reminders, 3 dispatchers: ${seconds.toFixed(1)} s, ${Math.round(COUNT / seconds)}/s; ` +
        `claimed ${claimedBy.join(' + ')}; received ${stats.received}, duplicates ${stats.duplicates}`,
    );

    expect(stats).toEqual({ received: COUNT, badSignatures: 0, deliveries: COUNT, duplicates: 0, reminders: COUNT });
    expect(claimedBy.reduce((a, b) => a + b, 0)).toBe(COUNT);
    expect(claimedBy.every((n) => n > 0)).toBe(true);
    const statuses = await t.db.selectFrom('reminders').select(['status', sql<number>`count(*)::int`.as('n')]).groupBy('status').execute();
    expect(statuses).toEqual([{ status: 'sent', n: COUNT }]);
    const notifications = await sql<{ n: number }>`select count(*)::int as n from notifications`.execute(t.db);
    expect(notifications.rows[0]!.n).toBe(COUNT);
    // Alone on 2 cores this takes well under a minute; the limit leaves room for the files running beside it.
  }, 180_000);
});
