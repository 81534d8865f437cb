import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, ReminderStatus } from '../db/schema.js';
import { recordAdminAction } from '../domain/admin-audit.js';
import type { Principal } from '../domain/tokens.js';
import { badRequest, conflict, notFound } from '../problem.js';

/** What GET /deadlines, GET /reminders and the webhook routes read and write. */

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      !Number.isNaN(Date.parse(v[0])) &&
      typeof v[1] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(v[1])
    ) {
      return [v[0], v[1]];
    }
  } catch {
    // answered below
  }
  throw badRequest('The cursor is not one this service returned.', [{ path: 'querystring.cursor', message: 'invalid cursor' }]);
}

export interface DeadlineFilter {
  unitCode?: string;
  status?: string;
  kind?: string;
  inspectionId?: string;
  /** A date (`YYYY-MM-DD`: due on an earlier day) or an instant (due earlier). */
  dueBefore?: string;
  limit: number;
  cursor?: string;
}

export interface DeadlineItem {
  id: string;
  inspectionId: string;
  unitCode: string | null;
  kind: string;
  subject: string;
  dueDate: string;
  dueAt: string;
  status: string;
}

/** Deadlines by due instant; a unit token sees its own unit's only (others are simply absent). */
export async function listDeadlines(
  db: Kysely<Database>,
  filter: DeadlineFilter,
  principal: Principal,
): Promise<{ items: DeadlineItem[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('deadlines')
    .select(['id', 'instance_id', 'unit_code', 'kind', 'subject', 'due_date', 'due_at', 'status']);
  if (principal.role === 'unit') q = q.where('unit_code', '=', principal.unitCode ?? '');
  if (filter.unitCode) q = q.where('unit_code', '=', filter.unitCode);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.inspectionId) q = q.where('instance_id', '=', filter.inspectionId);
  if (filter.dueBefore) {
    q = /^\d{4}-\d{2}-\d{2}$/.test(filter.dueBefore)
      ? q.where('due_date', '<', filter.dueBefore)
      : q.where('due_at', '<', new Date(filter.dueBefore));
  }
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor);
    q = q.where(sql<boolean>`(due_at, id) > (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q.orderBy('due_at').orderBy('id').limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map((d) => ({
      id: d.id,
      inspectionId: d.instance_id,
      unitCode: d.unit_code,
      kind: d.kind,
      subject: d.subject,
      dueDate: d.due_date,
      dueAt: d.due_at.toISOString(),
      status: d.status,
    })),
    nextCursor: rows.length > filter.limit && last ? encodeCursor(last.due_at, last.id) : null,
  };
}

export interface ReminderFilter {
  inspectionId?: string;
  deadlineId?: string;
  unitCode?: string;
  status?: ReminderStatus;
  audience?: string;
  limit: number;
  cursor?: string;
}

const reminderColumns = [
  'id',
  'deadline_id',
  'inspection_id',
  'unit_code',
  'offset_days',
  'audience',
  'send_at',
  'status',
  'attempts',
  'channel',
  'last_error',
  'next_attempt_at',
  'sent_at',
] as const;

type ReminderRow = {
  id: string;
  deadline_id: string;
  inspection_id: string;
  unit_code: string | null;
  offset_days: number;
  audience: string;
  send_at: Date;
  status: string;
  attempts: number;
  channel: string | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
};

export function reminderView(r: ReminderRow) {
  return {
    id: r.id,
    deadlineId: r.deadline_id,
    inspectionId: r.inspection_id,
    unitCode: r.unit_code,
    offsetDays: r.offset_days,
    audience: r.audience,
    sendAt: r.send_at.toISOString(),
    status: r.status,
    attempts: r.attempts,
    channel: r.channel,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
    sentAt: r.sent_at?.toISOString() ?? null,
  };
}

export type ReminderView = ReturnType<typeof reminderView>;

/** Reminders by send time; a unit token sees those addressed to its own unit only. */
export async function listReminders(
  db: Kysely<Database>,
  filter: ReminderFilter,
  principal: Principal,
): Promise<{ items: ReminderView[]; nextCursor: string | null }> {
  let q = db.selectFrom('reminders').select(reminderColumns);
  if (principal.role === 'unit') q = q.where('unit_code', '=', principal.unitCode ?? '').where('audience', '=', 'unit');
  if (filter.inspectionId) q = q.where('inspection_id', '=', filter.inspectionId);
  if (filter.deadlineId) q = q.where('deadline_id', '=', filter.deadlineId);
  if (filter.unitCode) q = q.where('unit_code', '=', filter.unitCode);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.audience) q = q.where('audience', '=', filter.audience as 'unit');
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor);
    q = q.where(sql<boolean>`(send_at, id) > (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q.orderBy('send_at').orderBy('id').limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(reminderView),
    nextCursor: rows.length > filter.limit && last ? encodeCursor(last.send_at, last.id) : null,
  };
}

/** A failed reminder goes back to pending with fresh attempts, and so do its failed webhook deliveries. */
export async function retryReminder(db: Kysely<Database>, id: string, now: Date): Promise<ReminderView> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('reminders').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound(`No reminder with id ${id}.`);
    if (row.status !== 'failed') throw conflict(`The reminder is ${row.status}; only a failed reminder is retried.`, { reminderStatus: row.status });
    const updated = await trx
      .updateTable('reminders')
      .set({ status: 'pending', attempts: 0, next_attempt_at: null, claimed_until: null, updated_at: now })
      .where('id', '=', id)
      .returning(reminderColumns)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, claimed_until: null })
      .where('reminder_id', '=', id)
      .where('status', '=', 'failed')
      .execute();
    return reminderView(updated);
  });
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: string;
  createdBy: string;
}

function webhookView(w: { id: string; url: string; events: string[] | null; created_at: Date; created_by: string }): WebhookView {
  return { id: w.id, url: w.url, events: w.events, createdAt: w.created_at.toISOString(), createdBy: w.created_by };
}

/** Registers a webhook, recorded in the admin audit trail (without its secret) in the same transaction. */
export async function createWebhook(
  db: Kysely<Database>,
  input: { url: string; secret: string; events?: string[] },
  principal: Principal,
  now: Date,
): Promise<WebhookView> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('webhooks')
      .values({
        id: randomUUID(),
        url: input.url,
        secret: input.secret,
        events: input.events ? [...new Set(input.events)].sort() : null,
        created_by: principal.id,
        created_at: now,
      })
      .returning(['id', 'url', 'events', 'created_at', 'created_by'])
      .executeTakeFirstOrThrow();
    await recordAdminAction(trx, {
      actor: { id: principal.id, role: principal.role },
      action: 'webhook.registered',
      subject: row.id,
      details: { url: row.url, events: row.events },
      at: now,
    });
    return webhookView(row);
  });
}

export async function listWebhooks(db: Kysely<Database>): Promise<WebhookView[]> {
  const rows = await db.selectFrom('webhooks').select(['id', 'url', 'events', 'created_at', 'created_by']).orderBy('created_at').orderBy('id').execute();
  return rows.map(webhookView);
}

/** Removes a webhook and its deliveries (pending ones are not sent any more), recorded in the admin audit trail. */
export async function deleteWebhook(db: Kysely<Database>, id: string, principal: Principal, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('webhooks').where('id', '=', id).returning(['url']).executeTakeFirst();
    if (!gone) throw notFound(`No webhook with id ${id}.`);
    await recordAdminAction(trx, {
      actor: { id: principal.id, role: principal.role },
      action: 'webhook.deleted',
      subject: id,
      details: { url: gone.url },
      at: now,
    });
  });
}
