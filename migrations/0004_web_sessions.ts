import { sql, type Kysely } from 'kysely';

/**
 * Dashboard sign-in sessions. The browser holds a random session id in an
 * httpOnly cookie; only its hash is stored here, with the principal it was
 * opened for and the synchronizer token every form must echo (CSRF). The
 * token the official signed in with is not kept: each request re-checks the
 * token row by id, so revoking the token ends its sessions too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('principal_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('unit_code', 'text')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_expires_idx').on('web_sessions').column('expires_at').execute();
  await sql`comment on table web_sessions is 'dashboard sessions: hashed cookie ids, principal, CSRF token'`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
