import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDb, dropDatabase, withDatabase, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { verifyAuditTrail } from '../../src/domain/admin-audit.js';
import { buildApp } from '../../src/http/app.js';
import { ADMIN_TOKEN } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * Migration 0003's privileges: the service's role may read and add audit
 * rows, never change or remove them — not even by switching the trigger off.
 * The test server runs as a superuser (like CI's), so the role exists; these
 * tests make login roles and databases of their own and remove them after.
 */

const suffix = randomBytes(4).toString('hex');
const SERVICE = `kt_service_${suffix}`;
const OWNER = `kt_owner_${suffix}`;
const PASSWORD = `pw-${suffix}`;
let t: TestDatabase;
let superuser = false;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: t.adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function as(role: string, database: string): string {
  const u = new URL(withDatabase(t.adminUrl, database));
  u.username = role;
  u.password = PASSWORD;
  return u.toString();
}

beforeAll(async () => {
  t = await createTestDatabase();
  const { rows } = await sql<{ rolsuper: boolean }>`select rolsuper from pg_roles where rolname = current_user`.execute(t.db);
  superuser = rows[0]?.rolsuper ?? false;
});
afterAll(async () => {
  await t?.drop();
  if (superuser) {
    await admin(`drop role if exists ${SERVICE}`);
    await admin(`drop role if exists ${OWNER}`);
  }
});

const may = async (db: Db, role: string, table: string, privilege: string) => {
  const { rows } = await sql<{ ok: boolean }>`select has_table_privilege(${role}, ${table}, ${privilege}) as ok`.execute(db);
  return rows[0]!.ok;
};

describe('the kiemtra_app role', () => {
  it('exists, cannot log in, and may only SELECT and INSERT the audit tables', async (ctx) => {
    if (!superuser) return ctx.skip();
    const role = await t.db.selectFrom(sql`pg_roles`.as('r')).select(sql<boolean>`rolcanlogin`.as('login')).where(sql`rolname`, '=', 'kiemtra_app').executeTakeFirst();
    expect(role).toEqual({ login: false });
    for (const table of ['audit_log', 'admin_audit']) {
      expect(await may(t.db, 'kiemtra_app', table, 'SELECT')).toBe(true);
      expect(await may(t.db, 'kiemtra_app', table, 'INSERT')).toBe(true);
      for (const p of ['UPDATE', 'DELETE', 'TRUNCATE']) expect(await may(t.db, 'kiemtra_app', table, p), `${table} ${p}`).toBe(false);
    }
    expect(await may(t.db, 'kiemtra_app', 'kysely_migration', 'SELECT')).toBe(true);
    expect(await may(t.db, 'kiemtra_app', 'kysely_migration', 'INSERT')).toBe(false);
    // Every other table, including those of later migrations, is the service's to use.
    const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()
      and tablename not in ('audit_log', 'admin_audit', 'kysely_migration', 'kysely_migration_lock')`.execute(t.db);
    expect(rows.length).toBeGreaterThan(8);
    for (const { name } of rows) {
      for (const p of ['SELECT', 'INSERT', 'UPDATE', 'DELETE']) expect(await may(t.db, 'kiemtra_app', name, p), `${name} ${p}`).toBe(true);
    }
  });
});

describe('the service running as a member of kiemtra_app', () => {
  let db: Db;

  beforeAll(async () => {
    if (!superuser) return;
    await admin(`create role ${SERVICE} login password '${PASSWORD}' in role kiemtra_app`);
    db = createDb(as(SERVICE, t.name), { max: 4 });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('starts (migrations already applied), serves and audits as usual', async (ctx) => {
    if (!superuser) return ctx.skip();
    expect(await migrateToLatest(db as never)).toEqual([]);
    const config = loadConfig({ BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, RATE_LIMIT_MAX: '0', LOG_LEVEL: 'silent' });
    const app = await buildApp({ db, config, now: () => new Date('2020-07-01T03:00:00Z') });
    try {
      const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const unit = await app.inject({ method: 'POST', url: '/units', headers, payload: { code: 'SNV', name: 'Sở Nội vụ', kind: 'department' } });
      expect(unit.statusCode, unit.body).toBe(201);
      const token = await app.inject({ method: 'POST', url: '/tokens', headers, payload: { role: 'coordinator', name: 'SNV' } });
      expect(token.statusCode).toBe(201);
      const coordinator = { authorization: `Bearer ${token.json().token}` };
      const created = await app.inject({
        method: 'POST',
        url: '/inspections',
        headers: coordinator,
        payload: { kind: 'surprise', unitCode: 'SNV', contents: ['s1'], announced: false, reason: 'Đơn thư' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const cancel = await app.inject({
        method: 'POST',
        url: `/inspections/${created.json().id}/events`,
        headers: coordinator,
        payload: { type: 'CANCEL', reason: 'Trùng lịch' },
      });
      expect(cancel.statusCode, cancel.body).toBe(200);
      expect(await verifyAuditTrail(db)).toMatchObject({ ok: true });
      expect((await db.selectFrom('admin_audit').select('action').execute()).map((r) => r.action)).toEqual(['unit.created', 'token.created']);
    } finally {
      await app.close();
    }
  });

  it('cannot change, remove or truncate audit rows, nor switch the append-only trigger off', async (ctx) => {
    if (!superuser) return ctx.skip();
    for (const statement of [
      sql`update audit_log set actor_id = 'someone-else'`,
      sql`delete from audit_log`,
      sql`truncate audit_log`,
      sql`update admin_audit set details = '{}'`,
      sql`delete from admin_audit`,
      sql`truncate admin_audit`,
    ]) {
      await expect(statement.execute(db)).rejects.toThrow(/permission denied/);
    }
    for (const statement of [sql`alter table audit_log disable trigger user`, sql`alter table admin_audit disable trigger all`]) {
      await expect(statement.execute(db)).rejects.toThrow(/must be owner|permission denied/);
    }
    await expect(sql`insert into kysely_migration (name, timestamp) values ('9999_forged', 'now')`.execute(db)).rejects.toThrow(/permission denied/);
    expect(await verifyAuditTrail(db)).toMatchObject({ ok: true });
  });
});

describe('migrating as a plain database owner (no superuser, no CREATEROLE)', () => {
  const databases: string[] = [];
  afterAll(async () => {
    for (const name of databases) await dropDatabase(t.adminUrl, name);
  });

  async function ownedDatabase(prepare?: string): Promise<{ db: Db; name: string }> {
    const name = `t_owned_${randomBytes(4).toString('hex')}`;
    databases.push(name);
    await admin(`create database ${name} owner ${OWNER}`);
    if (prepare) {
      const client = new pg.Client({ connectionString: withDatabase(t.adminUrl, name) });
      await client.connect();
      await client.query(prepare);
      await client.end();
    }
    return { db: createDb(as(OWNER, name), { max: 1 }), name };
  }

  beforeAll(async () => {
    if (superuser) await admin(`create role ${OWNER} login password '${PASSWORD}' nocreaterole nosuperuser`);
  });

  it('grants to the existing role when it owns every table', async (ctx) => {
    if (!superuser) return ctx.skip();
    const { db } = await ownedDatabase();
    try {
      expect(await migrateToLatest(db as never)).toContain('0003_audit_privileges');
      expect(await may(db, 'kiemtra_app', 'audit_log', 'INSERT')).toBe(true);
      expect(await may(db, 'kiemtra_app', 'audit_log', 'UPDATE')).toBe(false);
      expect(await may(db, 'kiemtra_app', 'tokens', 'UPDATE')).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('skips the privileges cleanly when it cannot grant them, keeping the triggers', async (ctx) => {
    if (!superuser) return ctx.skip();
    // A table of someone else's in the schema: the owner could not grant on it, so nothing is granted at all.
    const { db } = await ownedDatabase('create table legacy_import (id int)');
    try {
      expect(await migrateToLatest(db as never)).toContain('0003_audit_privileges');
      expect(await may(db, 'kiemtra_app', 'audit_log', 'INSERT')).toBe(false);
      expect(await may(db, 'kiemtra_app', 'tokens', 'SELECT')).toBe(false);
      await expect(sql`delete from admin_audit`.execute(db)).resolves.toBeDefined(); // nothing to delete yet
      await sql`insert into admin_audit values (1, now(), 'a', 'admin', 'unit.created', 'X', '{}', 'p', 'h')`.execute(db);
      await expect(sql`delete from admin_audit`.execute(db)).rejects.toThrow(/append-only/);
    } finally {
      await db.destroy();
    }
  });
});
