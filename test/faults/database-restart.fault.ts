import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/connect.js';
import { call, checkStreams, createTokens, eventStreams, localDate, must, plannedInspections, type Tokens } from './support/client.js';
import { controlledPostgres, type ControlledPostgres } from './support/postgres.js';
import { spawnService, waitReady, type ServiceProcess } from './support/service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pg: ControlledPostgres;
let url: string;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  pg = await controlledPostgres();
  url = await pg.database('kiemtra');
});
afterAll(async () => {
  await service?.kill9();
  await pg?.destroy();
});

interface Probe {
  ready: Record<string, number>;
  health: Record<string, number>;
  reads: Record<string, number>;
  /** Answers to API calls while the database was down that were not 503 problem+json. */
  wrong: { path: string; status: number; contentType: string; body: unknown }[];
  slowestMs: number;
}

/** Polls /ready, /health and an authenticated read every 100 ms, recording what came back. */
function probe(base: string, token: string, inspectionId: string) {
  const seen: Probe = { ready: {}, health: {}, reads: {}, wrong: [], slowestMs: 0 };
  let running = true;
  let databaseDown = false;
  const loop = (async () => {
    while (running) {
      const [ready, health, read] = await Promise.all([
        call(`${base}/ready`, { timeoutMs: 20_000 }),
        call(`${base}/health`, { timeoutMs: 20_000 }),
        call(`${base}/inspections/${inspectionId}`, { token, timeoutMs: 20_000 }),
      ]);
      seen.slowestMs = Math.max(seen.slowestMs, ready.ms, health.ms, read.ms);
      if (databaseDown) {
        seen.ready[ready.status] = (seen.ready[ready.status] ?? 0) + 1;
        seen.health[health.status] = (seen.health[health.status] ?? 0) + 1;
        seen.reads[read.status] = (seen.reads[read.status] ?? 0) + 1;
        for (const [path, a] of [['/ready', ready], [`/inspections/:id`, read]] as const) {
          if (a.status !== 503 || !a.contentType.startsWith('application/problem+json')) {
            seen.wrong.push({ path, status: a.status, contentType: a.contentType, body: a.body });
          }
        }
      }
      await sleep(100);
    }
  })();
  return {
    seen,
    down(value: boolean) {
      databaseDown = value;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe('database restart under load', () => {
  it('answers 503 problem+json while PostgreSQL is away, reports it on /ready, and recovers by itself with nothing acknowledged lost', async () => {
    service = await spawnService({ databaseUrl: url, env: { REMINDER_INTERVAL_MS: '300' } });
    await waitReady(service);
    const base = service.url;
    const tokens: Tokens = await createTokens(base);
    const ids = await plannedInspections(base, tokens, 12, 'DR');
    const streamIds = ids.slice(0, 8);
    for (const id of streamIds) {
      await must(`${base}/inspections/${id}/events`, { token: tokens.coordinator, body: { type: 'REQUEST_SELF_REPORT', dueDate: localDate(30) }, expect: 200 });
    }
    const streams = eventStreams(base, tokens.coordinator, streamIds);
    const watch = probe(base, tokens.admin, ids[11]!);
    await sleep(3_000);
    const ackedBefore = streams.stats.acked;

    await pg.stop();
    watch.down(true);
    const stoppedAt = Date.now();
    const ackedAtStop = streams.stats.acked;
    const failuresAtStop = Object.values(streams.stats.failures).reduce((a, b) => a + b, 0);
    await sleep(6_000);
    const ackedWhileDown = streams.stats.acked - ackedAtStop;
    watch.down(false);
    // Give the probes in flight time to come back before the server does.
    await sleep(300);
    await pg.start();
    const startedAt = Date.now();

    // Recovers by itself: /ready and the API come back without a restart of the service.
    let readyAfterMs = -1;
    while (Date.now() - startedAt < 30_000) {
      if ((await call(`${base}/ready`)).status === 200) {
        readyAfterMs = Date.now() - startedAt;
        break;
      }
      await sleep(100);
    }
    const ackedAtReady = streams.stats.acked;
    await sleep(3_000);
    const ackedAfter = streams.stats.acked;
    await streams.stop();
    await watch.stop();

    // The timer loop lived through it: a timer due now fires.
    await must(`${base}/inspections/${ids[8]}/events`, { token: tokens.coordinator, body: { type: 'REQUEST_SELF_REPORT', dueDate: localDate(-1) }, expect: 200 });
    let timerState = '';
    for (const until = Date.now() + 15_000; Date.now() < until; ) {
      timerState = (await must<{ state: string }>(`${base}/inspections/${ids[8]}`, { token: tokens.admin })).state;
      if (timerState === 'selfReport.overdue') break;
      await sleep(200);
    }

    const figures = await checkStreams(base, tokens.admin, streams.stats);
    const verify = await must<{ ok: boolean; checked: number }>(`${base}/audit/verify`, { token: tokens.admin });
    const db: Db = createDb(url, { max: 1 });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(db);
    await db.destroy();
    const alive = service.child.exitCode === null && service.child.signalCode === null;
    console.log(
      `[database restart] events sent ${figures.sent}, acknowledged ${figures.acknowledged} (${ackedBefore} before the stop, ` +
        `${ackedAtStop - ackedBefore} while it stopped, ${ackedWhileDown} while down, ${ackedAfter - ackedAtReady} in the 3 s after /ready), found ${figures.found}, ` +
        `lost ${figures.lost}, duplicates ${figures.duplicates}; failed attempts ${JSON.stringify(streams.stats.failures)} ` +
        `(${failuresAtStop} by the time the server had stopped); outage ${startedAt - stoppedAt} ms; while down /ready ${JSON.stringify(watch.seen.ready)}, ` +
        `/health ${JSON.stringify(watch.seen.health)}, reads ${JSON.stringify(watch.seen.reads)}; slowest answer ` +
        `${Math.round(Math.max(watch.seen.slowestMs, streams.stats.slowestMs))} ms; ready ${readyAfterMs} ms after the database; ` +
        `timer after restart: ${timerState}; audit rows ${rows[0]!.n}, verify ${JSON.stringify(verify)}; service alive ${alive}`,
    );

    expect(alive).toBe(true);
    expect(ackedBefore).toBeGreaterThan(0);
    expect(ackedWhileDown).toBe(0);
    expect(watch.seen.wrong).toEqual([]);
    expect(streams.stats.unexpected).toEqual([]);
    expect(watch.seen.ready['503']).toBeGreaterThan(0);
    expect(Object.keys(watch.seen.health)).toEqual(['200']);
    expect(Math.max(watch.seen.slowestMs, streams.stats.slowestMs)).toBeLessThan(10_000);
    expect(readyAfterMs).toBeGreaterThanOrEqual(0);
    expect(ackedAfter).toBeGreaterThan(ackedAtReady);
    expect(figures.lost).toBe(0);
    expect(figures.duplicates).toBe(0);
    expect(figures.found).toBe(figures.acknowledged);
    expect(timerState).toBe('selfReport.overdue');
    expect(verify.ok).toBe(true);
  });
});
