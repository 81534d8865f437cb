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
 * so memory stays flat) and reports the first row that does not fit: a changed
 * row, a removed row (a gap in seq, or fewer rows than the instance's
 * version), or rows put in another order.
 */
export async function verifyAudit(db: Db, instanceId?: string): Promise<VerifyResult> {
  let checked = 0;
  let current: string | undefined;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let after: { instanceId: string; seq: number } | undefined;
  const versions = new Map<string, number>();

  const closeInstance = async (id: string, lastSeq: number): Promise<VerifyResult | undefined> => {
    const version = versions.get(id) ?? (await instanceVersion(db, id));
    if (version !== undefined && version !== lastSeq) {
      return {
        ok: false,
        checked,
        brokenAt: { instanceId: id, seq: lastSeq + 1, reason: `rows after seq ${lastSeq} are missing` },
      };
    }
    return undefined;
  };

  for (;;) {
    let q = db.selectFrom('audit_log').selectAll().orderBy('instance_id').orderBy('seq').limit(PAGE);
    if (instanceId) q = q.where('instance_id', '=', instanceId);
    if (after) {
      const a = after;
      q = q.where(sql<boolean>`(instance_id, seq) > (${a.instanceId}::uuid, ${a.seq})`);
    }
    const rows = await q.execute();
    for (const row of rows) {
      if (row.instance_id !== current) {
        if (current !== undefined) {
          const broken = await closeInstance(current, expectedSeq - 1);
          if (broken) return broken;
        }
        current = row.instance_id;
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
  if (current !== undefined) {
    const broken = await closeInstance(current, expectedSeq - 1);
    if (broken) return broken;
  } else if (instanceId) {
    const broken = await closeInstance(instanceId, 0);
    if (broken) return broken;
  }
  return { ok: true, checked };
}

async function instanceVersion(db: Db, id: string): Promise<number | undefined> {
  const row = await db.selectFrom('instances').select('version').where('id', '=', id).executeTakeFirst();
  return row?.version;
}
