import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/connect.js';
import { checkStreams, createTokens, eventStreams, history, localDate, must, plannedInspections, type Tokens } from './support/client.js';
import { controlledPostgres, type ControlledPostgres } from './support/postgres.js';
import { spawnService, waitReady, type ServiceProcess } from './support/service.js';
import { freePort } from '../support/ports.js';

const OVERDUE_EVENT = 'xstate.after.selfReportDue.plannedInspection.selfReport.requested';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pg: ControlledPostgres;
let url: string;
let db: Db;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  pg = await controlledPostgres();
  url = await pg.database('kiemtra');
  db = createDb(url, { max: 2 });
});
afterAll(async () => {
  for (const s of services) await s.kill9();
  await db?.destroy();
  await pg?.destroy();
});

describe('crash: kill -9 of the service mid-stream', () => {
  it('keeps every acknowledged event exactly once, the audit chain whole, and fires the timers that came due while it was down', async () => {
    const port = await freePort();
    // The first process never runs its timer loop: whatever is due is due "while it is down".
    const first = await spawnService({ databaseUrl: url, port, env: { REMINDER_INTERVAL_MS: '600000' } });
    services.push(first);
    await waitReady(first);
    const base = first.url;
    const tokens: Tokens = await createTokens(base);
    const ids = await plannedInspections(base, tokens, 24, 'CR');
    const streamIds = ids.slice(0, 8);
    const timerIds = ids.slice(8);
    for (const id of streamIds) {
      await must(`${base}/inspections/${id}/events`, { token: tokens.coordinator, body: { type: 'REQUEST_SELF_REPORT', dueDate: localDate(30) }, expect: 200 });
    }
    // Due yesterday: each timer is due at once, but nobody fires it before the crash.
    for (const id of timerIds) {
      await must(`${base}/inspections/${id}/events`, { token: tokens.coordinator, body: { type: 'REQUEST_SELF_REPORT', dueDate: localDate(-1) }, expect: 200 });
    }

    const streams = eventStreams(base, tokens.coordinator, streamIds);
    await sleep(4_000);
    const ackedBeforeCrash = streams.stats.acked;
    // Half the timers come due only after the crash, during the downtime.
    await sql`update timers set fire_at = now() + interval '1.5 seconds' where instance_id = any(${timerIds.slice(0, 8)}::uuid[])`.execute(db);
    await first.kill9();
    const killedAt = Date.now();
    await sleep(3_000);
    const { rows: pending } = await sql<{ n: number }>`
      select count(*)::int as n from timers where instance_id = any(${timerIds}::uuid[]) and fire_at <= now()`.execute(db);

    const second = await spawnService({ databaseUrl: url, port, env: { REMINDER_INTERVAL_MS: '500' } });
    services.push(second);
    await waitReady(second);
    const downtimeMs = Date.now() - killedAt;
    await sleep(4_000);
    await streams.stop();

    // The timers due during the downtime fire once the service is back.
    const until = Date.now() + 30_000;
    let overdue = 0;
    while (Date.now() < until) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from instances where id = any(${timerIds}::uuid[]) and state = 'selfReport.overdue'`.execute(db);
      overdue = rows[0]!.n;
      if (overdue === timerIds.length) break;
      await sleep(250);
    }
    let firings = 0;
    let timerDuplicates = 0;
    for (const id of timerIds) {
      const n = (await history(second.url, tokens.admin, id)).filter((h) => h.event.type === OVERDUE_EVENT).length;
      firings += n;
      if (n > 1) timerDuplicates += n - 1;
    }
    const { rows: left } = await sql<{ n: number }>`select count(*)::int as n from timers where instance_id = any(${timerIds}::uuid[])`.execute(db);

    const figures = await checkStreams(second.url, tokens.admin, streams.stats);
    const verify = await must<{ ok: boolean; checked: number }>(`${second.url}/audit/verify`, { token: tokens.admin });
    console.log(
      `[crash] events sent ${figures.sent}, acknowledged ${figures.acknowledged} (${ackedBeforeCrash} before the kill), ` +
        `found ${figures.found}, lost ${figures.lost}, duplicates ${figures.duplicates}, applied but unacknowledged ${figures.unacknowledgedApplied}; ` +
        `failed attempts ${JSON.stringify(streams.stats.failures)}; downtime ${downtimeMs} ms; ` +
        `timers: ${pending[0]!.n} due while down, ${timerIds.length} expected, fired ${firings}, duplicates ${timerDuplicates}, left ${left[0]!.n}; ` +
        `audit verify ${JSON.stringify(verify)}`,
    );

    expect(ackedBeforeCrash).toBeGreaterThan(0);
    expect(figures.acknowledged).toBeGreaterThan(ackedBeforeCrash);
    expect(figures.lost).toBe(0);
    expect(figures.duplicates).toBe(0);
    expect(figures.found).toBe(figures.acknowledged);
    expect(figures.unacknowledgedApplied).toBe(0);
    expect(streams.stats.unexpected).toEqual([]);
    expect(pending[0]!.n).toBe(timerIds.length);
    expect(overdue).toBe(timerIds.length);
    expect(firings).toBe(timerIds.length);
    expect(left[0]!.n).toBe(0);
    expect(verify.ok).toBe(true);
  });
});
