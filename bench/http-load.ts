/**
 * The HTTP load generator, run as a process of its own (so its work is not
 * the service's): `concurrency` keep-alive connections, each sending the next
 * event as soon as the previous answer is in, for `seconds`. Prints one JSON
 * line with counts and latency percentiles.
 *
 *   node --import tsx bench/http-load.ts config.json
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

export interface HttpLoadConfig {
  baseUrl: string;
  token: string;
  ids: string[];
  concurrency: number;
  seconds: number;
  /** Seconds of load before measuring starts (JIT, pools, caches). */
  warmupSeconds: number;
  /** Offset into the event numbering, so repeated runs send different findings. */
  offset: number;
}

export interface HttpLoadResult {
  requests: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  seconds: number;
  eps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** CPU time of the load generator itself per answered request (it shares the machine with the service). */
  cpuMsPerRequest: number;
}

function post(agent: http.Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function httpLoad(config: HttpLoadConfig): Promise<HttpLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  let cpuFrom: NodeJS.CpuUsage | undefined;
  const measureFrom = start + config.warmupSeconds * 1000;
  const until = measureFrom + config.seconds * 1000;
  const loop = async (w: number) => {
    const mine = config.ids.filter((_, i) => i % config.concurrency === w);
    let n = config.offset;
    for (;;) {
      const t0 = performance.now();
      if (t0 >= until) return;
      const id = mine[n % mine.length]!;
      n += 1;
      const body = JSON.stringify({
        type: 'RECORD_FINDING',
        criterionCode: 'a1',
        kind: n % 3 === 0 ? 'strength' : 'shortcoming',
        text: `Phát hiện số ${n}: hồ sơ thủ tục hành chính chưa được công khai đầy đủ tại bộ phận một cửa.`,
      });
      let status = 0;
      try {
        status = await post(agent, new URL(`${config.baseUrl}/inspections/${id}/events`), config.token, body);
      } catch {
        status = 0;
      }
      const t1 = performance.now();
      if (t0 < measureFrom) continue;
      cpuFrom ??= process.cpuUsage();
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        ok += 1;
        latencies.push(t1 - t0);
      } else {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, (_, w) => loop(w)));
  const cpu = process.cpuUsage(cpuFrom);
  agent.destroy();
  const seconds = (performance.now() - measureFrom) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    requests: ok + failed,
    ok,
    failed,
    statuses,
    seconds,
    eps: ok / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: latencies.length ? sum / latencies.length : 0,
    maxMs: sorted.length ? sorted[sorted.length - 1]! : 0,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, ok + failed),
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as HttpLoadConfig;
  const result = await httpLoad(config);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
