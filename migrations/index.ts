import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_reminders.js';
import * as m0003 from './0003_audit_privileges.js';
import * as m0004 from './0004_web_sessions.js';

/** Every migration, by name; names sort in the order they must run. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_reminders': m0002,
  '0003_audit_privileges': m0003,
  '0004_web_sessions': m0004,
};
