import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { Principal } from '../domain/tokens.js';
import type { Role } from '../domain/access.js';

/**
 * Dashboard sessions (migration 0004): the cookie carries 256 random bits,
 * the table their hash, the principal, and the session's CSRF synchronizer
 * token. A session lasts one working day.
 */

export const SESSION_COOKIE = 'kt_session';
export const SESSION_HOURS = 12;

interface WebSessionsTable {
  id_hash: string;
  principal_id: string;
  principal_name: string;
  role: string;
  unit_code: string | null;
  csrf_token: string;
  created_at: Date;
  expires_at: Date;
}

export interface WebSession {
  principal: Principal;
  csrfToken: string;
}

const sessions = (db: Db) => db.withTables<{ web_sessions: WebSessionsTable }>();

const hash = (id: string) => createHash('sha256').update(id).digest('hex');

export function sameToken(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Opens a session for `principal`; returns the cookie value (never stored). */
export async function openSession(db: Db, principal: Principal, now: Date): Promise<{ cookie: string }> {
  const cookie = randomToken();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  await sessions(db)
    .insertInto('web_sessions')
    .values({
      id_hash: hash(cookie),
      principal_id: principal.id,
      principal_name: principal.name,
      role: principal.role,
      unit_code: principal.unitCode,
      csrf_token: randomToken(),
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  // Expired sessions are swept as new ones open, so the table stays small without a job.
  await sessions(db).deleteFrom('web_sessions').where('expires_at', '<', now).execute();
  return { cookie };
}

/**
 * The session behind a cookie, or undefined when it is unknown or expired, or
 * when the token it was opened with has since been revoked or has expired.
 */
export async function findSession(db: Db, cookie: string, now: Date, bootstrapAdmin: boolean): Promise<WebSession | undefined> {
  const row = await sessions(db)
    .selectFrom('web_sessions')
    .selectAll()
    .where('id_hash', '=', hash(cookie))
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.principal_id === 'bootstrap-admin') {
    if (!bootstrapAdmin) return undefined;
  } else {
    const token = await db
      .selectFrom('tokens')
      .select(['id'])
      .where('id', '=', row.principal_id)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (!token) return undefined;
  }
  return {
    principal: { id: row.principal_id, name: row.principal_name, role: row.role as Role, unitCode: row.unit_code },
    csrfToken: row.csrf_token,
  };
}

export async function closeSession(db: Db, cookie: string): Promise<void> {
  await sessions(db).deleteFrom('web_sessions').where('id_hash', '=', hash(cookie)).execute();
}
