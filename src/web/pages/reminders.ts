import { mayCallRoute } from '../../domain/access.js';
import { listReminders, retryReminder as retry, type ReminderView } from '../../reminders/views.js';
import type { Page, PageContext } from '../context.js';
import { unitNames } from '../data.js';
import { html } from '../html.js';
import { formatInstant, t, word, type Lang } from '../i18n.js';

/**
 * Reminders and webhook deliveries for the coordinating department: what is
 * waiting, what went out, what failed (with its last error) and a retry for
 * failed reminders, through the reminders module's own functions.
 */

const SHOWN = 100;

interface DeliveryRow {
  id: string;
  url: string;
  type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  next_attempt_at: Date;
  reminder_id: string | null;
}

async function deliveries(ctx: PageContext, status: 'pending' | 'delivered' | 'failed'): Promise<DeliveryRow[]> {
  return ctx.db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhooks', 'webhooks.id', 'webhook_deliveries.webhook_id')
    .select([
      'webhook_deliveries.id',
      'webhooks.url',
      'webhook_deliveries.type',
      'webhook_deliveries.status',
      'webhook_deliveries.attempts',
      'webhook_deliveries.last_status_code',
      'webhook_deliveries.last_error',
      'webhook_deliveries.created_at',
      'webhook_deliveries.delivered_at',
      'webhook_deliveries.next_attempt_at',
      'webhook_deliveries.reminder_id',
    ])
    .where('webhook_deliveries.status', '=', status)
    .orderBy('webhook_deliveries.created_at', 'desc')
    .limit(SHOWN)
    .execute() as Promise<DeliveryRow[]>;
}

function reminderTable(ctx: PageContext, items: ReminderView[], names: Map<string, string>, canRetry: boolean) {
  const { lang } = ctx;
  const tz = ctx.config.TZ_DEADLINES;
  if (items.length === 0) return html`<p class="muted">${t(lang, 'none')}</p>`;
  return html`<div class="table-wrap"><table class="reminders">
    <thead><tr><th scope="col">${t(lang, 'unit')}</th><th scope="col">${t(lang, 'offsetDays')}</th><th scope="col">${t(lang, 'sendAt')}</th>
      <th scope="col">${t(lang, 'channel')}</th><th scope="col">${t(lang, 'attempts')}</th><th scope="col">${t(lang, 'state')}</th></tr></thead>
    <tbody>${items.map(
      (r) => html`<tr data-reminder="${r.id}" class="status-${r.status}">
        <td><a href="/ui/inspections/${r.inspectionId}">${names.get(r.unitCode ?? '') ?? r.unitCode ?? '—'}</a> <span class="muted small">(${r.audience})</span></td>
        <td>${r.offsetDays}</td><td>${formatInstant(r.sendAt, tz)}</td><td>${r.channel ?? '—'}</td><td>${r.attempts}</td>
        <td><span class="badge status-${r.status}">${word(lang, `status.${r.status}`)}</span>
          ${r.lastError ? html`<div class="muted small">${r.lastError}</div>` : ''}
          ${canRetry && r.status === 'failed'
            ? html`<form method="post" action="/ui/reminders/${r.id}/retry" class="inline">
                <input type="hidden" name="_csrf" value="${ctx.session.csrfToken}">
                <button type="submit" class="small">${t(lang, 'retry')}</button></form>`
            : ''}</td></tr>`,
    )}</tbody></table></div>`;
}

function deliveryTable(lang: Lang, tz: string, rows: DeliveryRow[]) {
  if (rows.length === 0) return html`<p class="muted">${t(lang, 'none')}</p>`;
  return html`<div class="table-wrap"><table class="deliveries">
    <thead><tr><th scope="col">URL</th><th scope="col">${t(lang, 'what')}</th><th scope="col">${t(lang, 'when')}</th><th scope="col">${t(lang, 'attempts')}</th><th scope="col">${t(lang, 'state')}</th></tr></thead>
    <tbody>${rows.map(
      (d) => html`<tr data-delivery="${d.id}"><td class="url">${d.url}</td><td>${d.type}</td>
        <td>${formatInstant(d.delivered_at ?? d.created_at, tz)}</td><td>${d.attempts}</td>
        <td><span class="badge status-${d.status}">${word(lang, `status.${d.status}`)}</span>
          ${d.last_status_code || d.last_error ? html`<div class="muted small">${d.last_status_code ?? ''} ${d.last_error ?? ''}</div>` : ''}</td></tr>`,
    )}</tbody></table></div>`;
}

export async function remindersPage(ctx: PageContext): Promise<Page> {
  const { lang, db, principal } = ctx;
  const tz = ctx.config.TZ_DEADLINES;
  const statuses = ['failed', 'pending', 'sent'] as const;
  const lists = await Promise.all(statuses.map((status) => listReminders(db, { status, limit: SHOWN }, principal)));
  const names = await unitNames(db, lists.flatMap((l) => l.items.map((r) => r.unitCode)));
  const canRetry = mayCallRoute(principal.role, 'POST /reminders/:id/retry');
  const [failedDeliveries, pendingDeliveries, delivered] = await Promise.all([
    deliveries(ctx, 'failed'),
    deliveries(ctx, 'pending'),
    deliveries(ctx, 'delivered'),
  ]);
  const done = new URL(ctx.url, 'http://x').searchParams.get('done') === 'retry';
  return {
    title: t(lang, 'reminders'),
    topics: ['reminders'],
    main: html`<h1>${t(lang, 'reminders')}</h1>
      ${done ? html`<p class="notice" role="status">${t(lang, 'done', { event: t(lang, 'retry') })}</p>` : ''}
      ${statuses.map(
        (status, i) => html`<section class="panel" aria-labelledby="r-${status}"><h2 id="r-${status}">${t(lang, status)} <span class="count">${lists[i]!.items.length}</span></h2>
          ${reminderTable(ctx, lists[i]!.items, names, canRetry)}</section>`,
      )}
      <section class="panel" aria-labelledby="wh-h"><h2 id="wh-h">${t(lang, 'webhookDeliveries')}</h2>
        <h3>${t(lang, 'failed')} <span class="count">${failedDeliveries.length}</span></h3>${deliveryTable(lang, tz, failedDeliveries)}
        <h3>${t(lang, 'pending')} <span class="count">${pendingDeliveries.length}</span></h3>${deliveryTable(lang, tz, pendingDeliveries)}
        <h3>${t(lang, 'sent')} <span class="count">${delivered.length}</span></h3>${deliveryTable(lang, tz, delivered)}
      </section>`,
  };
}

export async function retryReminder(ctx: PageContext, id: string): Promise<void> {
  await retry(ctx.db, id, ctx.now);
}
