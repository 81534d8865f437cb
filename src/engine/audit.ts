import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { Kysely } from 'kysely';
import { canonicalJson, sha256 } from './hash.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface Actor {
  id: string;
  role: string;
}

export interface AuditEntry {
  instanceId: string;
  seq: number;
  at: Date;
  actor: Actor;
  event: Record<string, unknown>;
  from: string | null;
  to: string;
  prevHash: string;
}

/** hash = sha256(prev_hash ‖ canonical row): covers who, when, what (with payload), from and to. */
export function auditHash(entry: AuditEntry): string {
  const row = {
    instanceId: entry.instanceId,
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: { id: entry.actor.id, role: entry.actor.role },
    event: entry.event,
    from: entry.from,
    to: entry.to,
  };
  return sha256(`${entry.prevHash}\n${canonicalJson(row)}`);
}

export async function appendAudit(trx: Kysely<Database>, entry: AuditEntry): Promise<string> {
  const hash = auditHash(entry);
  await trx
    .insertInto('audit_log')
    .values({
      instance_id: entry.instanceId,
      seq: entry.seq,
      at: entry.at,
      actor_id: entry.actor.id,
      actor_role: entry.actor.role,
      event: JSON.stringify(entry.event),
      from_state: entry.from,
      to_state: entry.to,
      prev_hash: entry.prevHash,
      hash,
    })
    .execute();
  return hash;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  brokenAt?: { instanceId: string; seq: number; reason: string };
}

const PAGE = 1000;

/**
 * Recomputes every hash chain (one instance, or all of them, a page at a time
 * so memory stays flat whatever the log's size) and reports the first row that
 * does not fit: a changed row, a removed row (a gap in seq; fewer rows than
 * the instance's version; a newest row that is not the one the instance
 * points at; an instance with no rows at all), or rows put in another order.
 */
export async function verifyAudit(db: Db, instanceId?: string): Promise<VerifyResult> {
  let checked = 0;
  let current: { id: string; version: number; lastHash: string } | undefined;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let after: { instanceId: string; seq: number } | undefined;

  /** The instance's own record of its chain (version = newest seq, last_hash) must match the rows read. */
  const closeInstance = (id: string, version: number, lastHash: string): VerifyResult | undefined => {
    const lastSeq = expectedSeq - 1;
    const broken = (seq: number, reason: string): VerifyResult => ({ ok: false, checked, brokenAt: { instanceId: id, seq, reason } });
    if (version > lastSeq) return broken(lastSeq + 1, lastSeq === 0 ? 'every audit row of the instance is missing' : `rows after seq ${lastSeq} are missing`);
    if (version < lastSeq) return broken(version + 1, `the log goes on past the instance's version ${version}`);
    if (lastHash !== prevHash) return broken(lastSeq, 'the newest row is not the one the instance points at');
    return undefined;
  };

  for (;;) {
    let q = db
      .selectFrom('audit_log as a')
      .innerJoin('instances as i', 'i.id', 'a.instance_id')
      .selectAll('a')
      .select(['i.version as instance_version', 'i.last_hash as instance_last_hash'])
      .orderBy('a.instance_id')
      .orderBy('a.seq')
      .limit(PAGE);
    if (instanceId) q = q.where('a.instance_id', '=', instanceId);
    if (after) {
      const a = after;
      q = q.where(sql<boolean>`(a.instance_id, a.seq) > (${a.instanceId}::uuid, ${a.seq})`);
    }
    const rows = await q.execute();
    for (const row of rows) {
      if (row.instance_id !== current?.id) {
        if (current) {
          const broken = closeInstance(current.id, current.version, current.lastHash);
          if (broken) return broken;
        }
        current = { id: row.instance_id, version: row.instance_version, lastHash: row.instance_last_hash };
        expectedSeq = 1;
        prevHash = GENESIS_HASH;
      }
      const fail = (reason: string): VerifyResult => ({
        ok: false,
        checked,
        brokenAt: { instanceId: row.instance_id, seq: expectedSeq, reason },
      });
      if (row.seq !== expectedSeq) return fail(`seq ${expectedSeq} is missing (found ${row.seq})`);
      if (row.prev_hash !== prevHash) return fail('prev_hash does not match the previous row');
      const hash = auditHash({
        instanceId: row.instance_id,
        seq: row.seq,
        at: row.at,
        actor: { id: row.actor_id, role: row.actor_role },
        event: row.event,
        from: row.from_state,
        to: row.to_state,
        prevHash: row.prev_hash,
      });
      if (hash !== row.hash) return fail('the row was changed after it was written');
      checked += 1;
      prevHash = row.hash;
      expectedSeq += 1;
    }
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) break;
    after = { instanceId: last.instance_id, seq: last.seq };
  }
  if (current) {
    const broken = closeInstance(current.id, current.version, current.lastHash);
    if (broken) return broken;
  }
  // Instances with no rows at all: the pass above never met them.
  let empty = db
    .selectFrom('instances as i')
    .select(['i.id', 'i.version', 'i.last_hash'])
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('audit_log as a').select('a.seq').whereRef('a.instance_id', '=', 'i.id'))),
    )
    .orderBy('i.id')
    .limit(1);
  if (instanceId) empty = empty.where('i.id', '=', instanceId);
  const orphan = await empty.executeTakeFirst();
  if (orphan) {
    expectedSeq = 1;
    prevHash = GENESIS_HASH;
    return closeInstance(orphan.id, orphan.version, orphan.last_hash) ?? { ok: true, checked };
  }
  return { ok: true, checked };
}
