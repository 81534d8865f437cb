import { randomUUID } from 'node:crypto';
import { FAULT_ADMIN_TOKEN } from './service.js';

export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
  ms: number;
}

/** One HTTP call, bounded in time; a network failure is status 0 (never a hang). */
export async function call(url: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, ms: performance.now() - t0 };
  } catch (err) {
    return { status: 0, contentType: '', body: String(err), ms: performance.now() - t0 };
  }
}

/** A call that must succeed (setup steps); throws with the answer otherwise. */
export async function must<T = unknown>(url: string, init: Parameters<typeof call>[1] & { expect?: number } = {}): Promise<T> {
  const answer = await call(url, init);
  const ok = init.expect === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === init.expect;
  if (!ok) {
    throw new Error(`${init.method ?? (init.body === undefined ? 'GET' : 'POST')} ${url} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body as T;
}

export interface Tokens {
  admin: string;
  coordinator: string;
  chairman: string;
  inspector: string;
}

export async function createTokens(baseUrl: string): Promise<Tokens> {
  const token = async (role: string) =>
    (await must<{ token: string }>(`${baseUrl}/tokens`, { token: FAULT_ADMIN_TOKEN, body: { role, name: `fault ${role}` } })).token;
  return { admin: FAULT_ADMIN_TOKEN, coordinator: await token('coordinator'), chairman: await token('chairman'), inspector: await token('inspector') };
}

/**
 * `count` planned inspections through the API: departments, a plan covering
 * them all, submitted and approved. Returns the inspection ids.
 */
export async function plannedInspections(baseUrl: string, tokens: Tokens, count: number, prefix: string): Promise<string[]> {
  const codes = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
  for (const code of codes) {
    await must(`${baseUrl}/units`, { token: tokens.admin, body: { code, name: `Sở thử nghiệm ${code}`, kind: 'department' } });
  }
  const year = new Date().getUTCFullYear();
  const plan = await must<{ id: string }>(`${baseUrl}/plans`, {
    token: tokens.coordinator,
    body: {
      year,
      title: `Kế hoạch kiểm tra ${prefix}`,
      reviewPeriod: { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` },
      visitWindow: { from: `${year}-01-01`, to: `${year}-12-31` },
      targets: codes,
    },
  });
  await must(`${baseUrl}/plans/${plan.id}/events`, { token: tokens.coordinator, body: { type: 'SUBMIT' }, expect: 200 });
  await must(`${baseUrl}/plans/${plan.id}/events`, { token: tokens.chairman, body: { type: 'APPROVE', decisionNo: `${prefix}/QĐ-UBND` }, expect: 200 });
  const view = await must<{ inspections: { id: string; unitCode: string }[] }>(`${baseUrl}/plans/${plan.id}`, { token: tokens.admin });
  return view.inspections.map((i) => i.id);
}

/** 'YYYY-MM-DD', `days` from today in the deadline time zone (Asia/Ho_Chi_Minh). */
export function localDate(days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export interface StreamStats {
  /** Events attempted (each counted once, however often it was retried). */
  sent: number;
  /** Events answered 2xx. */
  acked: number;
  /** Every attempt that did not get a 2xx, by status (0: no answer). */
  failures: Record<string, number>;
  /** Answers that were not 2xx and not 503 problem+json (network errors excepted). */
  unexpected: { status: number; contentType: string; body: unknown }[];
  /** The slowest answer of any attempt, ms. */
  slowestMs: number;
  /** Per instance, the sequence numbers acknowledged. */
  ackedByInstance: Map<string, number[]>;
}

/**
 * Event streams, one per instance, each event with its own Idempotency-Key and
 * retried with that key until it is answered 2xx (as a careful client does):
 * EXTEND_DEADLINE number k moves the self-report deadline to today + 30 + k
 * days, with reason `stream k`. Runs until `stop()` is called, then finishes
 * the event in hand (retrying until acknowledged or `giveUpMs` passes).
 */
export function eventStreams(baseUrl: string, token: string, instanceIds: readonly string[], runId: string = randomUUID().slice(0, 8)) {
  const stats: StreamStats = { sent: 0, acked: 0, failures: {}, unexpected: [], slowestMs: 0, ackedByInstance: new Map() };
  let stopping = false;
  let giveUpAt = Number.POSITIVE_INFINITY;
  const base = 30;
  const stream = async (id: string) => {
    const acked: number[] = [];
    stats.ackedByInstance.set(id, acked);
    for (let k = 1; !stopping; k += 1) {
      stats.sent += 1;
      const body = { type: 'EXTEND_DEADLINE', dueDate: localDate(base + k), reason: `stream ${k}` };
      const key = `${runId}-${id}-${k}`;
      for (let attempt = 0; ; attempt += 1) {
        const answer = await call(`${baseUrl}/inspections/${id}/events`, { token, body, headers: { 'idempotency-key': key }, timeoutMs: 20_000 });
        stats.slowestMs = Math.max(stats.slowestMs, answer.ms);
        if (answer.status >= 200 && answer.status < 300) {
          acked.push(k);
          stats.acked += 1;
          break;
        }
        stats.failures[answer.status] = (stats.failures[answer.status] ?? 0) + 1;
        if (answer.status !== 0 && !(answer.status === 503 && answer.contentType.startsWith('application/problem+json'))) {
          stats.unexpected.push({ status: answer.status, contentType: answer.contentType, body: answer.body });
        }
        if (Date.now() > giveUpAt) return;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
      }
    }
  };
  const done = Promise.all(instanceIds.map(stream));
  return {
    stats,
    async stop(giveUpMs = 60_000): Promise<void> {
      stopping = true;
      giveUpAt = Date.now() + giveUpMs;
      await done;
    },
  };
}

export interface HistoryItem {
  seq: number;
  event: { type: string; reason?: string };
  from: string | null;
  to: string;
  actor: { id: string; role: string };
}

export async function history(baseUrl: string, token: string, id: string): Promise<HistoryItem[]> {
  return (await must<{ items: HistoryItem[] }>(`${baseUrl}/inspections/${id}/history`, { token })).items;
}

/**
 * Checks every stream's history against what the client was told: each
 * acknowledged event is there exactly once, nothing is there that was not
 * sent, and nothing twice. Returns the figures.
 */
export async function checkStreams(baseUrl: string, token: string, stats: StreamStats) {
  let found = 0;
  let duplicates = 0;
  let lost = 0;
  let unacknowledgedApplied = 0;
  for (const [id, acked] of stats.ackedByInstance) {
    const items = await history(baseUrl, token, id);
    const counts = new Map<number, number>();
    for (const item of items) {
      const m = item.event.type === 'EXTEND_DEADLINE' ? /^stream (\d+)$/.exec(item.event.reason ?? '') : null;
      if (m) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
    }
    for (const k of acked) {
      const n = counts.get(k) ?? 0;
      if (n === 0) lost += 1;
      else found += 1;
    }
    for (const [k, n] of counts) {
      if (n > 1) duplicates += n - 1;
      if (!acked.includes(k)) unacknowledgedApplied += 1;
    }
  }
  return { sent: stats.sent, acknowledged: stats.acked, found, lost, duplicates, unacknowledgedApplied };
}
