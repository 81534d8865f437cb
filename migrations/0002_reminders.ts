import { sql, type Kysely } from 'kysely';

/**
 * Reminders and notifications (issue #4): the stored working-day calendars
 * that `PUT /calendar/:year` writes; reminder rows created once per
 * (deadline, due instant, offset, audience) whatever the replica count, with
 * per-deadline planning state so a scheduler pass only looks at what changed;
 * the notifications table that feeds webhooks and Server-Sent Events (ordered
 * by the inserting transaction's id, so a reader never skips a row that
 * commits late); registered webhooks and one delivery row per (webhook,
 * notification) whose id is stable across retries. The engine's outbox gets a
 * marker of the rows the notifier has consumed; rows written before this
 * migration are marked consumed, so an upgrade does not replay history to the
 * first webhook registered.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_years')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('days_off', 'jsonb', (c) => c.notNull())
    .addColumn('working_weekends', 'jsonb', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('reminders')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('deadline_id', 'uuid', (c) => c.notNull().references('deadlines.id').onDelete('cascade'))
    .addColumn('inspection_id', 'uuid', (c) => c.notNull().references('instances.id'))
    .addColumn('unit_code', 'text')
    // Negative: days before the due date; 0: on the day; positive: working days overdue.
    .addColumn('offset_days', 'integer', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull().check(sql`audience in ('unit', 'coordinator', 'chairman')`))
    // The deadline's due instant this reminder was computed for: an extension makes new rows.
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('send_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed', 'cancelled')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    // A dispatcher's lease while it delivers; another takes the row over only after it expires.
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('channel', 'text')
    .addColumn('last_error', 'text')
    .addColumn('notification_id', 'bigint')
    .addColumn('email_sent_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('reminders_once_uq', ['deadline_id', 'due_at', 'offset_days', 'audience'])
    .execute();
  await sql`create index reminders_due_idx on reminders (send_at) where status = 'pending'`.execute(db);
  await db.schema.createIndex('reminders_inspection_idx').on('reminders').columns(['inspection_id', 'send_at']).execute();
  await db.schema.createIndex('reminders_status_idx').on('reminders').columns(['status', 'send_at']).execute();

  await db.schema
    .createTable('reminder_plans')
    .addColumn('deadline_id', 'uuid', (c) => c.primaryKey().references('deadlines.id').onDelete('cascade'))
    // The deadline as last planned: any difference means plan again (the clock may not have moved).
    .addColumn('seen_updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seen_due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seen_status', 'text', (c) => c.notNull())
    // When the next overdue reminder must be created; null: nothing more to plan.
    .addColumn('next_check_at', 'timestamptz')
    .addColumn('planned_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index reminder_plans_next_idx on reminder_plans (next_check_at) where next_check_at is not null`.execute(db);

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('xid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('unit_code', 'text')
    .addColumn('inspection_id', 'uuid')
    .addColumn('audience', 'text')
    .addColumn('reminder_id', 'uuid', (c) => c.unique())
    .addColumn('outbox_id', 'bigint', (c) => c.unique())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_xid_idx').on('notifications').columns(['xid', 'id']).execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    // null: every notification type
    .addColumn('events', sql`text[]`)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('webhook_id', 'uuid', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('notification_id', 'bigint', (c) => c.notNull().references('notifications.id'))
    // Set for reminders: their dispatcher retries the delivery with the reminder.
    .addColumn('reminder_id', 'uuid')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    // The exact bytes signed and sent, the same on every attempt.
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'delivered', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addUniqueConstraint('webhook_deliveries_once_uq', ['webhook_id', 'notification_id'])
    .execute();
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at)
    where status = 'pending' and reminder_id is null`.execute(db);
  await db.schema.createIndex('webhook_deliveries_reminder_idx').on('webhook_deliveries').column('reminder_id').execute();

  await db.schema.alterTable('outbox').addColumn('notified_at', 'timestamptz').execute();
  await sql`update outbox set notified_at = created_at`.execute(db);
  await sql`create index outbox_unnotified_idx on outbox (id) where notified_at is null`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
