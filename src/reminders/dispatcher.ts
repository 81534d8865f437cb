import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database, ReminderAudience } from '../db/schema.js';
import { composeReminderEmail, SMTP_TIMEOUT_MS, type Mailer, type ReminderFacts } from './email.js';
import { consumeOutbox, insertNotifications, notificationsCommitted, type NewNotification } from './notifications.js';
import { backoffMs, postWebhook, type PostResult } from './webhook-client.js';

export interface DispatcherSettings {
  maxAttempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  webhookTimeoutMs: number;
  coordinatorEmails: readonly string[];
  chairmanEmails: readonly string[];
}

export function dispatcherSettings(config: Config): DispatcherSettings {
  return {
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoffMs: config.DELIVERY_BACKOFF_MS,
    backoffMaxMs: config.DELIVERY_BACKOFF_MAX_MS,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
    coordinatorEmails: config.COORDINATOR_EMAILS,
    chairmanEmails: config.CHAIRMAN_EMAILS,
  };
}

export interface DispatchOptions {
  settings: DispatcherSettings;
  /** E-mail channel; absent when SMTP_URL is unset. */
  mailer?: Mailer;
  /** Items claimed per transaction. */
  batchSize?: number;
  /** Batches per pass at most. */
  maxBatches?: number;
  /** Deliveries in flight at once, per dispatcher. */
  concurrency?: number;
  /** How long a claim keeps other dispatchers off a row (a crashed dispatcher's rows come back after it). */
  leaseMs?: number;
  /** For the backoff jitter. */
  random?: () => number;
  log?: (msg: string, err?: unknown) => void;
}

export interface DispatchResult {
  notified: number;
  reminders: { claimed: number; sent: number; retried: number; failed: number };
  webhooks: { delivered: number; retried: number; failed: number };
}

/** One bounded dispatcher pass: outbox → notifications, due reminders, other pending webhook deliveries. */
export async function runDispatcherPass(db: Kysely<Database>, now: Date, options: DispatchOptions): Promise<DispatchResult> {
  const notified = await consumeOutbox(db, now, { batchSize: options.batchSize, maxBatches: options.maxBatches });
  const reminders = await dispatchReminders(db, now, options);
  const webhooks = await deliverWebhooks(db, now, options);
  return { notified, reminders, webhooks };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface ClaimedReminder {
  id: string;
  attempts: number;
  notification_id: number | null;
  email_sent_at: Date | null;
  facts: ReminderFacts;
  recipients: string[];
}

interface FactsRow {
  id: string;
  deadline_id: string;
  inspection_id: string;
  unit_code: string | null;
  offset_days: number;
  audience: ReminderAudience;
  attempts: number;
  notification_id: number | null;
  email_sent_at: Date | null;
  kind: string;
  subject: string;
  due_date: string;
  due_at: Date;
  inspection_kind: string;
  plan_id: string | null;
  plan_year: number | null;
  plan_title: string | null;
  unit_name: string | null;
  contacts: { email?: string }[] | null;
  remediation: { id?: string; action?: string }[] | null;
}

function recipientsFor(row: FactsRow, settings: DispatcherSettings): string[] {
  const list =
    row.audience === 'unit'
      ? (row.contacts ?? []).map((c) => c.email).filter((e): e is string => typeof e === 'string' && e.length > 0)
      : row.audience === 'coordinator'
        ? settings.coordinatorEmails
        : settings.chairmanEmails;
  return [...new Set(list)];
}

function factsOf(row: FactsRow): ReminderFacts {
  const item = row.kind === 'remediation' ? (row.remediation ?? []).find((r) => r.id === row.subject) : undefined;
  return {
    reminderId: row.id,
    deadlineId: row.deadline_id,
    inspectionId: row.inspection_id,
    inspectionKind: row.inspection_kind,
    planId: row.plan_id,
    planYear: row.plan_year,
    planTitle: row.plan_title,
    unitCode: row.unit_code,
    unitName: row.unit_name,
    kind: row.kind,
    subject: row.subject,
    itemAction: typeof item?.action === 'string' ? item.action : null,
    dueDate: row.due_date,
    dueAt: row.due_at.toISOString(),
    offsetDays: row.offset_days,
    audience: row.audience,
  };
}

/**
 * Claims due reminders (SKIP LOCKED, then a lease), writes each one's
 * notification and webhook deliveries the first time, and commits; then
 * delivers outside the transaction — e-mail (once) and every pending webhook
 * delivery — and records the outcome: `sent`, a retry after an exponential
 * backoff with jitter, or `failed` after the last attempt.
 */
export async function dispatchReminders(
  db: Kysely<Database>,
  now: Date,
  options: DispatchOptions,
): Promise<DispatchResult['reminders']> {
  const batchSize = options.batchSize ?? 200;
  // Long enough for the slowest batch (every delivery timing out), so a live claim never expires.
  const rounds = Math.ceil(batchSize / (options.concurrency ?? 16));
  const leaseMs = options.leaseMs ?? 300_000 + rounds * (options.settings.webhookTimeoutMs + SMTP_TIMEOUT_MS);
  const lease = new Date(now.getTime() + leaseMs);
  const result = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  for (let batch = 0; batch < (options.maxBatches ?? 10); batch++) {
    const claimed = await db.transaction().execute((trx) => claimReminders(trx, now, lease, batchSize, options));
    if (claimed.length === 0) break;
    notificationsCommitted.emit('committed');
    result.claimed += claimed.length;
    const outcome = await deliverClaimed(db, now, lease, claimed, options);
    result.sent += outcome.sent;
    result.retried += outcome.retried;
    result.failed += outcome.failed;
    if (claimed.length < batchSize) break;
  }
  return result;
}

async function claimReminders(
  trx: Kysely<Database>,
  now: Date,
  lease: Date,
  batchSize: number,
  options: DispatchOptions,
): Promise<ClaimedReminder[]> {
  // Only reminders whose deadline is still open for the due instant they were made for.
  const claimed = await sql<{ id: string }>`
    with due as (
      select r.id from reminders r join deadlines d on d.id = r.deadline_id
      where r.status = 'pending' and r.send_at <= ${now}
        and (r.next_attempt_at is null or r.next_attempt_at <= ${now})
        and (r.claimed_until is null or r.claimed_until <= ${now})
        and d.status in ('open', 'missed') and d.due_at = r.due_at
      order by r.send_at, r.id
      limit ${batchSize}
      for update of r skip locked)
    update reminders r set claimed_until = ${lease}, attempts = r.attempts + 1, updated_at = ${now}
    from due where r.id = due.id
    returning r.id`.execute(trx);
  if (claimed.rows.length === 0) return [];
  const ids = claimed.rows.map((r) => r.id);
  const rows = await sql<FactsRow>`
    select r.id, r.deadline_id, r.inspection_id, r.unit_code, r.offset_days, r.audience, r.attempts,
      r.notification_id, r.email_sent_at, d.kind, d.subject, d.due_date, d.due_at,
      i.kind as inspection_kind, i.plan_id, p.year as plan_year, p.title as plan_title,
      u.name as unit_name, u.contacts,
      case when d.kind = 'remediation' then i.snapshot #> '{context,remediation}' end as remediation
    from reminders r
      join deadlines d on d.id = r.deadline_id
      join instances i on i.id = r.inspection_id
      left join plans p on p.id = i.plan_id
      left join units u on u.code = r.unit_code
    where r.id = any(${ids}::uuid[])
    order by r.send_at, r.id`.execute(trx);
  const out: ClaimedReminder[] = rows.rows.map((row) => ({
    id: row.id,
    attempts: row.attempts,
    notification_id: row.notification_id,
    email_sent_at: row.email_sent_at,
    facts: factsOf(row),
    recipients: options.mailer ? recipientsFor(row, options.settings) : [],
  }));
  const first = out.filter((r) => r.notification_id === null);
  const notifications: NewNotification[] = first.map((r) => ({
    type: r.facts.offsetDays > 0 ? 'reminder.overdue' : 'reminder.due',
    unitCode: r.facts.unitCode,
    inspectionId: r.facts.inspectionId,
    audience: r.facts.audience,
    reminderId: r.id,
    occurredAt: now,
    data: { ...r.facts },
  }));
  const created = await insertNotifications(trx, notifications, now);
  if (created.length > 0) {
    const channels = created.map((c, i) =>
      ['stream', c.deliveries > 0 ? 'webhook' : '', first[i]!.recipients.length > 0 ? 'email' : ''].filter(Boolean).join(','),
    );
    await sql`
      update reminders r set notification_id = v.notification_id, channel = v.channel
      from unnest(${first.map((r) => r.id)}::uuid[], ${created.map((c) => c.id)}::bigint[], ${channels}::text[])
        as v(id, notification_id, channel)
      where r.id = v.id`.execute(trx);
    first.forEach((r, i) => (r.notification_id = created[i]!.id));
  }
  return out;
}

interface PendingDelivery {
  id: string;
  reminder_id: string;
  type: string;
  body: string;
  url: string;
  secret: string;
}

async function deliverClaimed(
  db: Kysely<Database>,
  now: Date,
  lease: Date,
  claimed: ClaimedReminder[],
  options: DispatchOptions,
): Promise<{ sent: number; retried: number; failed: number }> {
  const { settings } = options;
  const pending = await sql<PendingDelivery>`
    select d.id, d.reminder_id, d.type, d.body, w.url, w.secret
    from webhook_deliveries d join webhooks w on w.id = d.webhook_id
    where d.reminder_id = any(${claimed.map((r) => r.id)}::uuid[]) and d.status = 'pending'
    order by d.id`.execute(db);
  const byReminder = new Map<string, PendingDelivery[]>();
  for (const d of pending.rows) byReminder.set(d.reminder_id, [...(byReminder.get(d.reminder_id) ?? []), d]);

  const deliveryResults: { id: string; result: PostResult }[] = [];
  const outcomes = await mapLimit(claimed, options.concurrency ?? 16, async (r) => {
    const errors: string[] = [];
    let emailSentAt = r.email_sent_at;
    if (options.mailer && r.recipients.length > 0 && emailSentAt === null) {
      try {
        await options.mailer.send({ to: r.recipients, ...composeReminderEmail(r.facts) });
        emailSentAt = now;
      } catch (err) {
        errors.push(`email: ${String((err as Error).message ?? err).slice(0, 300)}`);
      }
    }
    const posted = await Promise.all(
      (byReminder.get(r.id) ?? []).map(async (d) => ({ d, result: await postWebhook(d, d, settings.webhookTimeoutMs) })),
    );
    for (const { d, result } of posted) {
      deliveryResults.push({ id: d.id, result });
      if (!result.ok) errors.push(`webhook ${d.url}: ${result.error}`);
    }
    const status = errors.length === 0 ? 'sent' : r.attempts >= settings.maxAttempts ? 'failed' : 'pending';
    const next = status === 'pending' ? new Date(now.getTime() + backoffMs(r.attempts, settings.backoffMs, settings.backoffMaxMs, options.random)) : null;
    return { id: r.id, status, next, error: errors.length ? errors.join('; ').slice(0, 2000) : null, emailSentAt };
  });

  const outcomeOf = new Map(outcomes.map((o) => [o.id, o]));
  const reminderOf = new Map(pending.rows.map((d) => [d.id, d.reminder_id]));
  const ofDelivery = (id: string) => outcomeOf.get(reminderOf.get(id)!)!;
  if (deliveryResults.length > 0) {
    await sql`
      update webhook_deliveries d set
        status = v.status, attempts = d.attempts + 1, last_status_code = v.code, last_error = v.error,
        delivered_at = case when v.status = 'delivered' then ${now}::timestamptz end,
        next_attempt_at = coalesce(v.next_attempt_at, d.next_attempt_at)
      from unnest(
        ${deliveryResults.map((d) => d.id)}::uuid[],
        ${deliveryResults.map((d) => (d.result.ok ? 'delivered' : ofDelivery(d.id).status === 'failed' ? 'failed' : 'pending'))}::text[],
        ${deliveryResults.map((d) => d.result.statusCode)}::int[],
        ${deliveryResults.map((d) => d.result.error)}::text[],
        ${deliveryResults.map((d) => ofDelivery(d.id).next)}::timestamptz[]
      ) as v(id, status, code, error, next_attempt_at)
      where d.id = v.id`.execute(db);
  }
  // Only rows still under this claim: a dispatcher that outlived its lease records nothing.
  await sql`
    update reminders r set
      status = v.status, next_attempt_at = v.next_attempt_at, last_error = v.error,
      email_sent_at = v.email_sent_at, claimed_until = null, updated_at = ${now},
      sent_at = case when v.status = 'sent' then ${now}::timestamptz else r.sent_at end
    from unnest(
      ${outcomes.map((o) => o.id)}::uuid[],
      ${outcomes.map((o) => o.status)}::text[],
      ${outcomes.map((o) => o.next)}::timestamptz[],
      ${outcomes.map((o) => o.error)}::text[],
      ${outcomes.map((o) => o.emailSentAt)}::timestamptz[]
    ) as v(id, status, next_attempt_at, error, email_sent_at)
    where r.id = v.id and r.claimed_until = ${lease}`.execute(db);
  for (const o of outcomes) if (o.status === 'failed') options.log?.(`reminder ${o.id} failed after its last attempt: ${o.error}`);
  return {
    sent: outcomes.filter((o) => o.status === 'sent').length,
    retried: outcomes.filter((o) => o.status === 'pending').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
  };
}

interface ClaimedDelivery {
  id: string;
  type: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

/**
 * Webhook deliveries that belong to no reminder (inspection.transitioned):
 * claimed with SKIP LOCKED and a lease, posted, and recorded with the same
 * backoff and last-attempt rule as reminders.
 */
export async function deliverWebhooks(
  db: Kysely<Database>,
  now: Date,
  options: DispatchOptions,
): Promise<DispatchResult['webhooks']> {
  const { settings } = options;
  const batchSize = options.batchSize ?? 200;
  const rounds = Math.ceil(batchSize / (options.concurrency ?? 16));
  const lease = new Date(now.getTime() + (options.leaseMs ?? 300_000 + rounds * settings.webhookTimeoutMs));
  const result = { delivered: 0, retried: 0, failed: 0 };
  for (let batch = 0; batch < (options.maxBatches ?? 10); batch++) {
    const claimed = await sql<ClaimedDelivery>`
      with due as (
        select id from webhook_deliveries
        where status = 'pending' and reminder_id is null and next_attempt_at <= ${now}
          and (claimed_until is null or claimed_until <= ${now})
        order by next_attempt_at, id
        limit ${batchSize}
        for update skip locked)
      update webhook_deliveries d set claimed_until = ${lease}, attempts = d.attempts + 1
      from due, webhooks w
      where d.id = due.id and w.id = d.webhook_id
      returning d.id, d.type, d.body, d.attempts, w.url, w.secret`.execute(db);
    if (claimed.rows.length === 0) break;
    const outcomes = await mapLimit(claimed.rows, options.concurrency ?? 16, async (d) => {
      const r = await postWebhook(d, d, settings.webhookTimeoutMs);
      const status = r.ok ? 'delivered' : d.attempts >= settings.maxAttempts ? 'failed' : 'pending';
      const next = status === 'pending' ? new Date(now.getTime() + backoffMs(d.attempts, settings.backoffMs, settings.backoffMaxMs, options.random)) : now;
      return { id: d.id, status, next, code: r.statusCode, error: r.error };
    });
    await sql`
      update webhook_deliveries d set
        status = v.status, next_attempt_at = v.next_attempt_at, last_status_code = v.code, last_error = v.error,
        claimed_until = null, delivered_at = case when v.status = 'delivered' then ${now}::timestamptz end
      from unnest(
        ${outcomes.map((o) => o.id)}::uuid[],
        ${outcomes.map((o) => o.status)}::text[],
        ${outcomes.map((o) => o.next)}::timestamptz[],
        ${outcomes.map((o) => o.code)}::int[],
        ${outcomes.map((o) => o.error)}::text[]
      ) as v(id, status, next_attempt_at, code, error)
      where d.id = v.id and d.claimed_until = ${lease}`.execute(db);
    for (const o of outcomes) {
      if (o.status === 'delivered') result.delivered += 1;
      else if (o.status === 'failed') result.failed += 1;
      else result.retried += 1;
    }
    if (claimed.rows.length < batchSize) break;
  }
  return result;
}
