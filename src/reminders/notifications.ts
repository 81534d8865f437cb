import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Insertable, Kysely } from 'kysely';
import type { Database, WebhookDeliveriesTable } from '../db/schema.js';

/**
 * Notifications are rows: the table is what GET /stream reads (in every
 * process) and what webhook deliveries are made from. A notification and its
 * deliveries are written in one transaction with whatever they come from (a
 * claimed reminder, an outbox row), so each exists exactly once.
 */

export const NOTIFICATION_TYPES = ['reminder.due', 'reminder.overdue', 'inspection.transitioned'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NewNotification {
  type: NotificationType;
  unitCode: string | null;
  inspectionId: string | null;
  /** For reminders: who they are for (a unit token sees only `unit` ones). */
  audience: string | null;
  reminderId?: string;
  outboxId?: number;
  occurredAt: Date;
  data: Record<string, unknown>;
}

export interface CreatedNotification {
  id: number;
  reminderId: string | null;
  deliveries: number;
}

/**
 * Within one process, the dispatcher tells the open event streams that new
 * rows were committed, so they read them now rather than at their next poll.
 * Other processes' streams find the rows by polling.
 */
export const notificationsCommitted = new EventEmitter();
notificationsCommitted.setMaxListeners(0);

/** The body of a webhook delivery: `{id, type, occurredAt, data}`, `id` being the delivery id. */
export function deliveryBody(deliveryId: string, n: { type: string; occurredAt: Date; data: Record<string, unknown> }) {
  return { id: deliveryId, type: n.type, occurredAt: n.occurredAt.toISOString(), data: n.data };
}

/** Inserts notifications and, for every webhook subscribed to their type, a pending delivery. */
export async function insertNotifications(
  trx: Kysely<Database>,
  items: NewNotification[],
  now: Date,
): Promise<CreatedNotification[]> {
  if (items.length === 0) return [];
  const inserted = await trx
    .insertInto('notifications')
    .values(
      items.map((n) => ({
        type: n.type,
        unit_code: n.unitCode,
        inspection_id: n.inspectionId,
        audience: n.audience,
        reminder_id: n.reminderId ?? null,
        outbox_id: n.outboxId ?? null,
        occurred_at: n.occurredAt,
        data: JSON.stringify(n.data),
        created_at: now,
      })),
    )
    .returning(['id'])
    .execute();
  const webhooks = await trx.selectFrom('webhooks').select(['id', 'events']).orderBy('id').execute();
  const deliveries: Insertable<WebhookDeliveriesTable>[] = [];
  const created: CreatedNotification[] = [];
  items.forEach((n, i) => {
    const notificationId = inserted[i]!.id;
    let count = 0;
    for (const w of webhooks) {
      if (w.events && !w.events.includes(n.type)) continue;
      const id = randomUUID();
      const payload = deliveryBody(id, n);
      deliveries.push({
        id,
        webhook_id: w.id,
        notification_id: notificationId,
        reminder_id: n.reminderId ?? null,
        type: n.type,
        payload: JSON.stringify(payload),
        body: JSON.stringify(payload),
        next_attempt_at: now,
        created_at: now,
      });
      count += 1;
    }
    created.push({ id: notificationId, reminderId: n.reminderId ?? null, deliveries: count });
  });
  if (deliveries.length > 0) {
    await trx
      .insertInto('webhook_deliveries')
      .values(deliveries)
      .onConflict((oc) => oc.constraint('webhook_deliveries_once_uq').doNothing())
      .execute();
  }
  return created;
}

interface OutboxRow {
  id: number;
  instance_id: string | null;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * Turns the engine's outbox rows into notifications, each once: rows are
 * claimed with SKIP LOCKED and marked in the same transaction that writes
 * their notifications, so several processes share the work and none repeats
 * it. Types other than `inspection.transitioned` are marked and left at that.
 */
export async function consumeOutbox(
  db: Kysely<Database>,
  now: Date,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 200;
  let total = 0;
  for (let batch = 0; batch < (options.maxBatches ?? 10); batch++) {
    const { claimed, created } = await db.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom('outbox')
        .select(['id', 'instance_id', 'type', 'payload', 'created_at'])
        .where('notified_at', 'is', null)
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute()) as OutboxRow[];
      if (rows.length === 0) return { claimed: 0, created: 0 };
      const items: NewNotification[] = rows
        .filter((r) => r.type === 'inspection.transitioned')
        .map((r) => ({
          type: 'inspection.transitioned' as const,
          unitCode: typeof r.payload.unitCode === 'string' ? r.payload.unitCode : null,
          inspectionId: r.instance_id,
          audience: null,
          outboxId: r.id,
          occurredAt: typeof r.payload.at === 'string' ? new Date(r.payload.at) : r.created_at,
          data: { inspectionId: r.instance_id, ...r.payload },
        }));
      await insertNotifications(trx, items, now);
      await trx
        .updateTable('outbox')
        .set({ notified_at: now })
        .where('id', 'in', rows.map((r) => r.id))
        .execute();
      return { claimed: rows.length, created: items.length };
    });
    total += created;
    if (created > 0) notificationsCommitted.emit('committed');
    if (claimed < batchSize) break;
  }
  return total;
}
