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
}

export type InstanceRow = Selectable<InstancesTable>;
export type NewInstance = Insertable<InstancesTable>;
export type InstanceUpdate = Updateable<InstancesTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type UnitRow = Selectable<UnitsTable>;
export type PlanRow = Selectable<PlansTable>;
export type DeadlineRow = Selectable<DeadlinesTable>;
