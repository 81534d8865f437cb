import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { inTransaction, type Actor } from '../engine/index.js';
import { ROLES, type Role } from './access.js';
import { recordAdminAction } from './admin-audit.js';

export interface Principal {
  id: string;
  name: string;
  role: Role;
  unitCode: string | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** 256 random bits; the prefix lets secret scanners recognise a leaked token. */
export function generateToken(): string {
  return `kt_${randomBytes(32).toString('base64url')}`;
}

export interface NewToken {
  role: Role;
  name: string;
  unitCode?: string | null;
  expiresAt?: Date | null;
}

export async function createToken(db: Db, input: NewToken): Promise<{ id: string; token: string }> {
  const token = generateToken();
  const id = randomUUID();
  await db
    .insertInto('tokens')
    .values({
      id,
      name: input.name,
      role: input.role,
      unit_code: input.unitCode ?? null,
      token_hash: hashToken(token),
      expires_at: input.expiresAt ?? null,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
  return { id, token };
}

/** Marks a token revoked; false when there is no such live token. */
export async function revokeToken(db: Db, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The principal behind a bearer token, or undefined (unknown, revoked or expired). */
export async function authenticate(
  db: Db,
  token: string,
  now: Date,
  bootstrapAdminToken?: string,
): Promise<Principal | undefined> {
  if (bootstrapAdminToken && sameSecret(token, bootstrapAdminToken)) {
    return { id: 'bootstrap-admin', name: 'bootstrap admin', role: 'admin', unitCode: null };
  }
  const row = await db
    .selectFrom('tokens')
    .select(['id', 'name', 'role', 'unit_code', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) return undefined;
  // A role this version does not know (a row written by hand, a role since removed) grants nothing.
  if (!(ROLES as readonly string[]).includes(row.role)) return undefined;
  // Written at most once a minute per token, so reads stay reads.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { id: row.id, name: row.name, role: row.role as Role, unitCode: row.unit_code };
}

/** The engine's actor for what the service does by itself. */
const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system' };

/**
 * Without BOOTSTRAP_ADMIN_TOKEN, the first start creates an admin token and
 * hands it back once (the caller prints it); later starts find it and return
 * nothing.
 */
export async function ensureInitialAdminToken(db: Db, now: Date = new Date()): Promise<string | undefined> {
  const existing = await db.selectFrom('tokens').select('id').where('role', '=', 'admin').executeTakeFirst();
  if (existing) return undefined;
  const { token } = await issueToken(db, { role: 'admin', name: 'initial admin' }, SYSTEM_ACTOR, now);
  return token;
}

export interface IssuedToken {
  id: string;
  token: string;
  role: Role;
  name: string;
  unitCode: string | null;
  expiresAt: Date | null;
}

/** Creates a token and records who created it, in one transaction. */
export async function issueToken(db: Db, input: NewToken, actor: Actor, now: Date): Promise<IssuedToken> {
  return inTransaction(db, async (trx) => {
    const created = await createToken(trx, input);
    const issued = { ...created, role: input.role, name: input.name, unitCode: input.unitCode ?? null, expiresAt: input.expiresAt ?? null };
    await recordAdminAction(trx, {
      actor,
      action: 'token.created',
      subject: created.id,
      details: { role: issued.role, name: issued.name, unitCode: issued.unitCode, expiresAt: issued.expiresAt },
      at: now,
    });
    return issued;
  });
}

/** Revokes a live token and records who did; false when there is no such live token. */
export async function revokeTokenBy(db: Db, id: string, actor: Actor, now: Date): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    if (!(await revokeToken(trx, id, now))) return false;
    await recordAdminAction(trx, { actor, action: 'token.revoked', subject: id, at: now });
    return true;
  });
}

/**
 * Rotation: the token is revoked and a replacement with the same name, role,
 * unit and expiry is issued, in one transaction (so a holder is never left
 * with neither). Undefined when there is no live token with that id (unknown,
 * revoked or expired).
 */
export async function rotateToken(db: Db, id: string, actor: Actor, now: Date): Promise<(IssuedToken & { replaces: string }) | undefined> {
  return inTransaction(db, async (trx) => {
    const old = await trx
      .selectFrom('tokens')
      .select(['id', 'name', 'role', 'unit_code', 'expires_at'])
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .forUpdate()
      .executeTakeFirst();
    if (!old) return undefined;
    await revokeToken(trx, id, now);
    const input = { role: old.role as Role, name: old.name, unitCode: old.unit_code, expiresAt: old.expires_at };
    const created = await createToken(trx, input);
    await recordAdminAction(trx, {
      actor,
      action: 'token.rotated',
      subject: id,
      details: { replacedBy: created.id, role: input.role, unitCode: input.unitCode },
      at: now,
    });
    return { ...created, role: input.role, name: input.name, unitCode: input.unitCode, expiresAt: input.expiresAt, replaces: id };
  });
}
