/**
 * Who may do what: one table for the routes and one for the events, read by
 * the HTTP layer (403 before anything runs) and by the dashboard (which
 * actions to offer). The README renders both as a matrix.
 */
export const ROLES = ['admin', 'coordinator', 'inspector', 'chairman', 'unit', 'observer'] as const;
export type Role = (typeof ROLES)[number];

const EVERYONE: readonly Role[] = ROLES;
const STAFF: readonly Role[] = ['admin', 'coordinator'];

/** Roles allowed per route (`METHOD /path` as registered). Reading is open to every role; `unit` sees its own unit only. */
export const ROUTE_ROLES: Readonly<Record<string, readonly Role[]>> = {
  'POST /tokens': ['admin'],
  'GET /tokens': ['admin'],
  'DELETE /tokens/:id': ['admin'],
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
  'GET /machines': EVERYONE,
  'GET /machines/:name': EVERYONE,
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

export function eventsForRole(role: string, types: readonly string[]): string[] {
  return types.filter((t) => maySendEvent(role, t));
}
