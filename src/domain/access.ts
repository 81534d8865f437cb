/**
 * Who may do what: one table for the routes and one for the events, read by
 * the HTTP layer (403 before anything runs), by the domain before an event
 * reaches the engine (inspections and plans alike), and by the dashboard
 * (which actions to offer). The README renders both as a matrix
 * (`npm run docs:roles`), and test/security/access-matrix.test.ts walks it.
 */
import { forbidden } from '../problem.js';

export const ROLES = ['admin', 'coordinator', 'inspector', 'chairman', 'unit', 'observer'] as const;
export type Role = (typeof ROLES)[number];

const EVERYONE: readonly Role[] = ROLES;
const STAFF: readonly Role[] = ['admin', 'coordinator'];

/** Roles allowed per route (`METHOD /path` as registered). Reading is open to every role; `unit` sees its own unit only. */
export const ROUTE_ROLES: Readonly<Record<string, readonly Role[]>> = {
  'POST /tokens': ['admin'],
  'GET /tokens': ['admin'],
  'DELETE /tokens/:id': ['admin'],
  'POST /tokens/:id/rotate': ['admin'],
  'POST /units': STAFF,
  'PATCH /units/:code': STAFF,
  'GET /units': EVERYONE,
  'GET /units/:code': EVERYONE,
  'GET /criteria': EVERYONE,
  'POST /plans': ['coordinator'],
  'GET /plans': EVERYONE,
  'GET /plans/:id': EVERYONE,
  'POST /plans/:id/events': ['coordinator', 'chairman'],
  'POST /inspections': ['coordinator'],
  'GET /inspections': EVERYONE,
  'GET /inspections/:id': EVERYONE,
  'POST /inspections/:id/events': ['coordinator', 'inspector', 'chairman', 'unit'],
  'GET /inspections/:id/history': EVERYONE,
  'GET /audit/verify': ['admin', 'coordinator', 'chairman', 'observer'],
  'GET /audit/admin': STAFF,
  'GET /machines': EVERYONE,
  'GET /machines/:name': EVERYONE,
  'GET /deadlines': EVERYONE,
  'GET /reminders': EVERYONE,
  'GET /reminders/policy': EVERYONE,
  'POST /reminders/:id/retry': STAFF,
  'GET /webhooks': STAFF,
  'POST /webhooks': STAFF,
  'DELETE /webhooks/:id': STAFF,
  'GET /units/:code/calendar.ics': EVERYONE,
  'GET /calendar/:year': EVERYONE,
  'PUT /calendar/:year': ['admin'],
  'GET /stream': EVERYONE,
};

/** Roles allowed to send each event type (API.md, "Events"). */
export const EVENT_ROLES: Readonly<Record<string, readonly Role[]>> = {
  REQUEST_SELF_REPORT: ['coordinator'],
  EXTEND_DEADLINE: ['coordinator'],
  SUBMIT_SELF_REPORT: ['unit'],
  REQUEST_REVISION: ['coordinator'],
  SCHEDULE_VISIT: ['coordinator'],
  START_VISIT: ['inspector'],
  COMPLETE_VISIT: ['inspector'],
  RECORD_FINDING: ['inspector'],
  ISSUE_CONCLUSION: ['coordinator'],
  REPORT_PROGRESS: ['unit'],
  VERIFY_ITEM: ['coordinator'],
  DECIDE: ['chairman'],
  REJECT: ['chairman'],
  CANCEL: ['coordinator'],
  SUBMIT: ['coordinator'],
  APPROVE: ['chairman'],
  RETURN: ['chairman'],
  REPORT: ['coordinator'],
};

export function mayCallRoute(role: Role, routeKey: string): boolean {
  return ROUTE_ROLES[routeKey]?.includes(role) ?? false;
}

export function maySendEvent(role: string, type: string): boolean {
  return EVENT_ROLES[type]?.includes(role as Role) ?? false;
}

/** The engine's own actor (timers, the demo seed): not a token role, so no token can act as it. */
export const SYSTEM_ROLE = 'system';

/**
 * The domain's check before an event reaches the engine (403). Types the
 * machine does not know are left to the engine, which answers 400 naming the
 * ones it does.
 */
export function authorizeEvent(role: string, type: string, machineEvents: Readonly<Record<string, unknown>>): void {
  if (role === SYSTEM_ROLE || !Object.hasOwn(machineEvents, type)) return;
  if (!maySendEvent(role, type)) throw forbidden(`The ${role} role may not send ${type}.`);
}

export function eventsForRole(role: string, types: readonly string[]): string[] {
  return types.filter((t) => maySendEvent(role, t));
}
