import { sql, type Kysely } from 'kysely';

/**
 * The engine's tables: the unit registry, plans, statechart instances with
 * their snapshots, the hash-chained audit log (append-only by trigger),
 * delayed events as timer rows, the outbox of notifications, idempotency keys,
 * derived deadlines, and API tokens (hashes only).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('units')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('parent_code', 'text', (c) => c.references('units.code'))
    .addColumn('contacts', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('valid_from', 'date')
    .addColumn('valid_to', 'date')
    .addColumn('successor_codes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('units_parent_idx').on('units').columns(['parent_code', 'kind']).execute();
  await db.schema.createIndex('units_kind_idx').on('units').column('kind').execute();

  await db.schema
    .createTable('instances')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('machine_name', 'text', (c) => c.notNull())
    .addColumn('machine_version', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('plan', 'planned', 'surprise')`))
    .addColumn('plan_id', 'uuid')
    .addColumn('unit_code', 'text', (c) => c.references('units.code'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    // The hash of the newest audit row, so an event needs no extra read to extend the chain.
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('plans')
    .addColumn('id', 'uuid', (c) => c.primaryKey().references('instances.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('decision_no', 'text')
    .addColumn('review_from', 'date', (c) => c.notNull())
    .addColumn('review_to', 'date', (c) => c.notNull())
    .addColumn('visit_from', 'date', (c) => c.notNull())
    .addColumn('visit_to', 'date', (c) => c.notNull())
    .addColumn('targets', sql`text[]`, (c) => c.notNull())
    .addColumn('coverage', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('instances')
    .addForeignKeyConstraint('instances_plan_fk', ['plan_id'], 'plans', ['id'])
    .execute();
  // Listing filters: by plan, by unit, by kind + state (prefix match), newest first with a stable cursor.
  await db.schema.createIndex('instances_plan_idx').on('instances').columns(['plan_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('instances_unit_idx').on('instances').columns(['unit_code', 'created_at', 'id']).execute();
  await sql`create index instances_state_idx on instances (kind, state text_pattern_ops)`.execute(db);
  await sql`create index instances_state_prefix_idx on instances (state text_pattern_ops)`.execute(db);
  await db.schema.createIndex('instances_created_idx').on('instances').columns(['created_at', 'id']).execute();
  // A plan inspects a unit once.
  await sql`create unique index instances_plan_unit_uq on instances (plan_id, unit_code) where kind = 'planned'`.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_log_pk', ['instance_id', 'seq'])
    .execute();
  // The audit log is append-only: rows can be added, never changed or removed.
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only (% rejected)', tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only()`.execute(db);

  await db.schema
    .createTable('timers')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('send_id', 'text', (c) => c.notNull())
    .addColumn('fire_at', 'timestamptz', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('timers_instance_send_uq', ['instance_id', 'send_id'])
    .execute();
  await db.schema.createIndex('timers_fire_at_idx').on('timers').column('fire_at').execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('instance_id', 'uuid', (c) => c.references('instances.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['instance_id', 'key'])
    .execute();

  await db.schema
    .createTable('deadlines')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id'))
    .addColumn('unit_code', 'text', (c) => c.references('units.code'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'met', 'missed', 'cancelled')`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('deadlines_subject_uq', ['instance_id', 'kind', 'subject'])
    .execute();
  await db.schema.createIndex('deadlines_unit_idx').on('deadlines').columns(['unit_code', 'status', 'due_at']).execute();
  await db.schema.createIndex('deadlines_status_idx').on('deadlines').columns(['status', 'due_at']).execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('unit_code', 'text', (c) => c.references('units.code'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
