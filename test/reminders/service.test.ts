import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { applyEvent } from '../../src/engine/index.js';
import { startService, type RunningService } from '../../src/server.js';
import { TestClock } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { coordinator } from '../support/fixtures.js';
import { seedInspection, startReceiver } from './support.js';

const SECRET = 'service-secret-0123456789';

let t: TestDatabase;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let service: RunningService | undefined;

beforeAll(async () => {
  t = await createTestDatabase();
  receiver = await startReceiver(SECRET);
});
afterAll(async () => {
  await service?.close();
  await receiver.close();
  await t.drop();
});

describe('the service', () => {
  it('runs the timer, scheduler and dispatcher loops, and stops them on close', async () => {
    const clock = new TestClock(new Date('2020-07-01T03:00:00Z'));
    const { inspectionId } = await seedInspection(t.db, { code: 'SDL', name: 'Sở Du lịch' });
    await t.db
      .insertInto('webhooks')
      .values({ id: randomUUID(), url: receiver.url, secret: SECRET, events: null, created_by: 'test', created_at: clock.now() })
      .execute();
    await applyEvent(t.db, inspectionId, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, coordinator, { now: clock.now() });
    clock.set('2020-07-16T02:00:00Z'); // past the deadline, after 08:00 on the first overdue day
    const config = loadConfig({
      DATABASE_URL: t.url,
      PORT: '0',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      BOOTSTRAP_ADMIN_TOKEN: 'service-admin-token-0123456789',
      REMINDER_INTERVAL_MS: '100',
    });
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      service = await startService(config, clock.now);
    } finally {
      process.stdout.write = write;
    }
    const until = Date.now() + 15_000;
    const types = () => new Set(receiver.accepted().map((r) => `${r.body.type}:${String(r.body.data.audience ?? r.body.data.to)}`));
    while (!(types().has('reminder.overdue:coordinator') && types().has('inspection.transitioned:selfReport.overdue'))) {
      if (Date.now() > until) throw new Error(`the loops delivered only ${[...types()].join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const state = await t.db.selectFrom('instances').select('state').where('id', '=', inspectionId).executeTakeFirstOrThrow();
    expect(state.state).toBe('selfReport.overdue');
    await service.close();
    service = undefined;
    const count = receiver.received.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(count);
    expect(lines.join('')).toContain('listening on');
  });
});
