import type { Db } from '../src/db/connect.js';
import { applyEvent } from '../src/engine/index.js';
import { inspector } from './fixtures.js';

/** The engine's representative event: an inspector records a finding (findings → findings). */
export function findingEvent(n: number): Record<string, unknown> {
  return {
    type: 'RECORD_FINDING',
    criterionCode: 'a1',
    kind: n % 3 === 0 ? 'strength' : 'shortcoming',
    text: `Phát hiện số ${n}: hồ sơ thủ tục hành chính chưa được công khai đầy đủ tại bộ phận một cửa.`,
  };
}

export interface LoadResult {
  workers: number;
  events: number;
  errors: number;
  seconds: number;
  eps: number;
}

/**
 * `workers` concurrent loops, each applying events to its own share of the
 * instances in turn (so two workers never wait on the same row), for
 * `seconds`. Every event is a full applyEvent: its own transaction.
 */
export async function engineLoad(db: Db, ids: readonly string[], workers: number, seconds: number, offset = 0): Promise<LoadResult> {
  let events = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  const loop = async (w: number) => {
    const mine = ids.filter((_, i) => i % workers === w);
    let n = offset;
    while (performance.now() < until) {
      const id = mine[n % mine.length]!;
      n += 1;
      try {
        await applyEvent(db, id, findingEvent(n), inspector, { now: new Date() });
        events += 1;
      } catch (err) {
        errors += 1;
        if (errors === 1) console.error('engine event failed:', err);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  const elapsed = (performance.now() - started) / 1000;
  return { workers, events, errors, seconds: elapsed, eps: events / elapsed };
}
