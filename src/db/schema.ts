import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A `timestamptz` column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A `date` column: read and written as 'YYYY-MM-DD' (parser set in db/connect.ts). */
type DateOnly = string;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface UnitContact {
  name?: string;
  email: string;
}

export interface UnitsTable {
  code: string;
  name: string;
  kind: string;
  parent_code: string | null;
  contacts: Json<UnitContact[]>;
  valid_from: DateOnly | null;
  valid_to: DateOnly | null;
  successor_codes: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CoverageRule {
  kind: string;
  minRatio: number;
  maxRatio?: number;
  /** For sampled kinds (communes): the ratio is taken within each inspected unit of this kind. */
  of?: string;
}

export interface PlansTable {
  id: string;
  year: number;
  title: string;
  decision_no: string | null;
  review_from: DateOnly;
  review_to: DateOnly;
  visit_from: DateOnly;
  visit_to: DateOnly;
  targets: ColumnType<string[], string[], string[]>;
  coverage: Json<CoverageRule[]>;
  created_at: Generated<Date>;
}

export interface InstancesTable {
  id: string;
  machine_name: string;
  machine_version: number;
  kind: 'plan' | 'planned' | 'surprise';
  plan_id: string | null;
  unit_code: string | null;
  state: string;
  snapshot: Json<unknown>;
  version: number;
  last_hash: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  instance_id: string;
  seq: number;
  at: Timestamp;
  actor_id: string;
  actor_role: string;
  event: Json<Record<string, unknown>>;
  from_state: string | null;
  to_state: string;
  prev_hash: string;
  hash: string;
}

export interface TimersTable {
  id: Generated<number>;
  instance_id: string;
  send_id: string;
  fire_at: Timestamp;
  event: Json<Record<string, unknown>>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
}

export interface OutboxTable {
  id: Generated<number>;
  instance_id: string | null;
  type: string;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
  /** When the notifier turned the row into notifications (migration 0002). */
  notified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface IdempotencyKeysTable {
  instance_id: string;
  key: string;
  actor_id: string;
  request_hash: string;
  response: Json<unknown>;
  created_at: Timestamp;
}

export interface DeadlinesTable {
  id: Generated<string>;
  instance_id: string;
  unit_code: string | null;
  kind: string;
  subject: string;
  due_date: DateOnly;
  due_at: Timestamp;
  status: string;
  updated_at: Timestamp;
}

export interface TokensTable {
  id: string;
  name: string;
  role: string;
  unit_code: string | null;
  token_hash: string;
  created_at: Generated<Date>;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface CalendarYearsTable {
  year: number;
  days_off: Json<string[]>;
  working_weekends: Json<string[]>;
  source: string | null;
  updated_by: string;
  updated_at: Timestamp;
}

export type ReminderAudience = 'unit' | 'coordinator' | 'chairman';
export type ReminderStatus = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface RemindersTable {
  id: Generated<string>;
  deadline_id: string;
  inspection_id: string;
  unit_code: string | null;
  offset_days: number;
  audience: ReminderAudience;
  due_at: Timestamp;
  send_at: Timestamp;
  status: ColumnType<ReminderStatus, ReminderStatus | undefined, ReminderStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  claimed_until: Timestamp | null;
  channel: string | null;
  last_error: string | null;
  notification_id: number | null;
  email_sent_at: Timestamp | null;
  sent_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReminderPlansTable {
  deadline_id: string;
  seen_updated_at: Timestamp;
  seen_due_at: Timestamp;
  seen_status: string;
  next_check_at: Timestamp | null;
  planned_at: Timestamp;
}

export interface NotificationsTable {
  id: Generated<number>;
  /** xid8 of the inserting transaction, as text; readers follow (xid, id) order. */
  xid: Generated<string>;
  type: string;
  unit_code: string | null;
  inspection_id: string | null;
  audience: string | null;
  reminder_id: string | null;
  outbox_id: number | null;
  occurred_at: Timestamp;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface WebhooksTable {
  id: string;
  url: string;
  secret: string;
  events: ColumnType<string[] | null, string[] | null, string[] | null>;
  created_by: string;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  notification_id: number;
  reminder_id: string | null;
  type: string;
  payload: Json<Record<string, unknown>>;
  body: string;
  status: ColumnType<'pending' | 'delivered' | 'failed', 'pending' | 'delivered' | 'failed' | undefined, 'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  claimed_until: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

/** What was done outside the statecharts, by whom; one hash chain, append-only (migration 0003). */
export interface AdminAuditTable {
  seq: number;
  at: Timestamp;
  actor_id: string;
  actor_role: string;
  action: string;
  subject: string;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface Database {
  units: UnitsTable;
  plans: PlansTable;
  instances: InstancesTable;
  audit_log: AuditLogTable;
  timers: TimersTable;
  outbox: OutboxTable;
  idempotency_keys: IdempotencyKeysTable;
  deadlines: DeadlinesTable;
  tokens: TokensTable;
  admin_audit: AdminAuditTable;
  calendar_years: CalendarYearsTable;
  reminders: RemindersTable;
  reminder_plans: ReminderPlansTable;
  notifications: NotificationsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type InstanceRow = Selectable<InstancesTable>;
export type NewInstance = Insertable<InstancesTable>;
export type InstanceUpdate = Updateable<InstancesTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type UnitRow = Selectable<UnitsTable>;
export type PlanRow = Selectable<PlansTable>;
export type DeadlineRow = Selectable<DeadlinesTable>;
