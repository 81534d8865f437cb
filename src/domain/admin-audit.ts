import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inTransaction, verifyAudit, type Actor } from '../engine/index.js';
import { GENESIS_HASH } from '../engine/audit.js';
import { canonicalJson, sha256 } from '../engine/hash.js';

/**
 * The administrative audit trail (migration 0003): every change made outside
 * the statecharts — tokens created, revoked or rotated, units created or
 * changed, the working-day calendar replaced, webhooks registered or deleted —
 * with who did it and when. One hash chain over the whole table, so a row
 * changed, removed or moved shows; append-only by trigger and, where the
 * server allows, by privileges.
 *
 * Record an action in the transaction that makes the change, so both commit
 * or neither does: `recordAdminAction(trx, {...})`.
 */

export type AdminAction =
  | 'token.created'
  | 'token.revoked'
  | 'token.rotated'
  | 'unit.created'
  | 'unit.changed'
  | 'calendar.replaced'
  | 'webhook.registered'
  | 'webhook.deleted';

export interface AdminActionInput {
  actor: Actor;
  action: AdminAction;
  /** What was acted on: a token id, a unit code, a year, a webhook id. */
  subject: string;
  /** What changed. Secrets never belong here; keys named like one are blanked regardless. */
  details?: Record<string, unknown>;
  at: Date;
}

export interface AdminAuditEntry {
  seq: number;
  at: string;
  actor: Actor;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  hash: string;
  prevHash: string;
}

const SECRET_KEY = /^(secret|password|token|tokenHash|token_hash|authorization|smtpUrl)$/i;

/** A copy of `value` as JSON would store it, with secret-named keys blanked at any depth. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, SECRET_KEY.test(k) ? '[REDACTED]' : withoutSecrets(v)]),
    );
  }
  return value;
}

interface HashedFields {
  seq: number;
  at: Date;
  actor: Actor;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
}

/** hash = sha256(prev_hash ‖ canonical row): covers when, who, what, on what, and the details. */
export function adminAuditHash(entry: HashedFields): string {
  const row = {
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: { id: entry.actor.id, role: entry.actor.role },
    action: entry.action,
    subject: entry.subject,
    details: entry.details,
  };
  return sha256(`${entry.prevHash}\n${canonicalJson(row)}`);
}

/**
 * Appends one action to the chain (inside the caller's transaction when `db`
 * is one). Appends are serialised by an advisory lock so seq has no gaps and
 * every row links to the one before it.
 */
export async function recordAdminAction(db: Kysely<Database>, input: AdminActionInput): Promise<AdminAuditEntry> {
  return inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('admin_audit'))`.execute(trx);
    const last = await trx.selectFrom('admin_audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const fields: HashedFields = {
      seq: (last?.seq ?? 0) + 1,
      at: input.at,
      actor: { id: input.actor.id, role: input.actor.role },
      action: input.action,
      subject: input.subject,
      details: withoutSecrets(input.details ?? {}) as Record<string, unknown>,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = adminAuditHash(fields);
    await trx
      .insertInto('admin_audit')
      .values({
        seq: fields.seq,
        at: fields.at,
        actor_id: fields.actor.id,
        actor_role: fields.actor.role,
        action: fields.action,
        subject: fields.subject,
        details: JSON.stringify(fields.details),
        prev_hash: fields.prevHash,
        hash,
      })
      .execute();
    return { ...fields, at: fields.at.toISOString(), hash };
  });
}

export interface AdminAuditFilter {
  action?: string;
  subject?: string;
  /** Entries with a seq below this one (keyset pagination, newest first). */
  before?: number;
  limit: number;
}

/** Newest first. */
export async function listAdminActions(db: Kysely<Database>, filter: AdminAuditFilter): Promise<AdminAuditEntry[]> {
  let q = db.selectFrom('admin_audit').selectAll().orderBy('seq', 'desc').limit(filter.limit);
  if (filter.action !== undefined) q = q.where('action', '=', filter.action);
  if (filter.subject !== undefined) q = q.where('subject', '=', filter.subject);
  if (filter.before !== undefined) q = q.where('seq', '<', filter.before);
  return (await q.execute()).map((r) => ({
    seq: r.seq,
    at: r.at.toISOString(),
    actor: { id: r.actor_id, role: r.actor_role },
    action: r.action,
    subject: r.subject,
    details: r.details,
    hash: r.hash,
    prevHash: r.prev_hash,
  }));
}

export interface AdminVerifyResult {
  ok: boolean;
  checked: number;
  brokenAt?: { chain: 'admin'; seq: number; reason: string };
}

const PAGE = 1000;

/**
 * Recomputes the administrative chain a page at a time and reports the first
 * row that does not fit: changed, missing (a gap in seq), or out of order. A
 * removed newest row leaves no gap; the privileges (no DELETE for the
 * service's role) are what stop that.
 */
export async function verifyAdminAudit(db: Kysely<Database>): Promise<AdminVerifyResult> {
  let checked = 0;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const rows = await db
      .selectFrom('admin_audit')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const fail = (reason: string): AdminVerifyResult => ({ ok: false, checked, brokenAt: { chain: 'admin', seq: expectedSeq, reason } });
      if (row.seq !== expectedSeq) return fail(`seq ${expectedSeq} is missing (found ${row.seq})`);
      if (row.prev_hash !== prevHash) return fail('prev_hash does not match the previous row');
      const hash = adminAuditHash({
        seq: row.seq,
        at: row.at,
        actor: { id: row.actor_id, role: row.actor_role },
        action: row.action,
        subject: row.subject,
        details: row.details,
        prevHash: row.prev_hash,
      });
      if (hash !== row.hash) return fail('the row was changed after it was written');
      checked += 1;
      prevHash = row.hash;
      expectedSeq += 1;
    }
    if (rows.length < PAGE) break;
  }
  return { ok: true, checked };
}

export type VerifyScope = 'all' | 'instances' | 'admin';

export interface TrailVerifyResult {
  ok: boolean;
  checked: number;
  brokenAt?: { instanceId: string; seq: number; reason: string } | { chain: 'admin'; seq: number; reason: string };
}

/**
 * The whole trail: one instance's chain, or every instance's chain and then
 * the administrative one (`scope` picks either part). `checked` counts the
 * rows recomputed before the first break.
 */
export async function verifyAuditTrail(
  db: Kysely<Database>,
  options: { instanceId?: string; scope?: VerifyScope } = {},
): Promise<TrailVerifyResult> {
  const scope = options.scope ?? 'all';
  if (options.instanceId !== undefined) return verifyAudit(db, options.instanceId);
  const instances = scope === 'admin' ? { ok: true, checked: 0 } : await verifyAudit(db);
  if (!instances.ok || scope === 'instances') return instances;
  const admin = await verifyAdminAudit(db);
  return { ...admin, checked: instances.checked + admin.checked };
}
