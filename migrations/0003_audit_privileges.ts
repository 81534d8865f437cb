import { sql, type Kysely } from 'kysely';

/**
 * Security (issue #5). Two things:
 *
 * 1. `admin_audit`: the trail of what is done outside the statecharts (tokens
 *    created, revoked, rotated; units created or changed; the calendar
 *    replaced; webhooks registered or deleted), with the actor. One hash chain
 *    over the whole table (seq 1, 2, …), append-only by trigger like
 *    `audit_log`. The trigger function is generic (it names its table), so a
 *    later append-only table can reuse it.
 *
 * 2. Privileges, where the server lets us: a NOLOGIN role `kiemtra_app` that
 *    may read and write every table, but only SELECT and INSERT the two audit
 *    tables (and only read the migration bookkeeping). An operator runs the
 *    service as a login role that is a member of it, and migrations as the
 *    owner (README, "Security"), so even a compromised service process
 *    cannot alter history: the trigger can be disabled only by the tables'
 *    owner, and the grants stop UPDATE/DELETE/TRUNCATE before any trigger.
 *    Tables created by later migrations get the ordinary rights through
 *    default privileges; a later append-only table must revoke UPDATE and
 *    DELETE itself. When the migrating user can neither create the role nor
 *    finds it already there (no CREATEROLE, not superuser), or does not own
 *    the tables, this part is skipped: the triggers still hold.
 */
export const APP_ROLE = 'kiemtra_app';
const APPEND_ONLY = ['audit_log', 'admin_audit'];
const READ_ONLY = ['kysely_migration', 'kysely_migration_lock'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('admin_audit')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('admin_audit_subject_idx').on('admin_audit').columns(['subject', 'seq']).execute();
  await db.schema.createIndex('admin_audit_action_idx').on('admin_audit').columns(['action', 'seq']).execute();
  await sql`
    create function append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only (% rejected)', tg_table_name, tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`create trigger admin_audit_no_update before update or delete on admin_audit
    for each row execute function append_only()`.execute(db);
  await sql`create trigger admin_audit_no_truncate before truncate on admin_audit
    for each statement execute function append_only()`.execute(db);

  if (!(await mayManagePrivileges(db))) return;
  // Another database on the same server may be creating the role at this moment.
  await sql`
    do $$
    begin
      if not exists (select 1 from pg_roles where rolname = ${sql.lit(APP_ROLE)}) then
        create role ${sql.id(APP_ROLE)} nologin;
      end if;
    exception when duplicate_object or unique_violation then
      null;
    end $$`.execute(db);
  const role = sql.id(APP_ROLE);
  const schema = sql.id(await currentSchema(db));
  await sql`grant usage on schema ${schema} to ${role}`.execute(db);
  await sql`grant select, insert, update, delete on all tables in schema ${schema} to ${role}`.execute(db);
  await sql`grant usage, select on all sequences in schema ${schema} to ${role}`.execute(db);
  for (const table of APPEND_ONLY) {
    await sql`revoke update, delete, truncate on ${sql.table(table)} from ${role}`.execute(db);
  }
  for (const table of READ_ONLY) {
    if (await tableExists(db, table)) {
      await sql`revoke insert, update, delete, truncate on ${sql.table(table)} from ${role}`.execute(db);
    }
  }
  await sql`alter default privileges in schema ${schema} grant select, insert, update, delete on tables to ${role}`.execute(db);
  await sql`alter default privileges in schema ${schema} grant usage, select on sequences to ${role}`.execute(db);
}

/**
 * True when the migrating user can set the privileges up: it is superuser,
 * or may create roles, or the role exists already; and it owns (or is a
 * member of the owner of) every table of the schema, since only an owner
 * grants on a table.
 */
async function mayManagePrivileges(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ can_role: boolean; owns_all: boolean }>`
    select
      (select rolsuper or rolcreaterole from pg_roles where rolname = current_user)
        or exists (select 1 from pg_roles where rolname = ${APP_ROLE}) as can_role,
      coalesce(bool_and(pg_has_role(current_user, tableowner, 'USAGE')), true) as owns_all
    from pg_tables where schemaname = current_schema()`.execute(db);
  return Boolean(rows[0]?.can_role && rows[0]?.owns_all);
}

async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]!.schema;
}

async function tableExists(db: Kysely<unknown>, table: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${table}) is not null as found`.execute(db);
  return rows[0]?.found ?? false;
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
