/**
 * The reminder policy (chính sách nhắc hạn) as data, and the pure planning
 * of one deadline's reminders from it. The scheduler stores what
 * {@link planReminders} returns; nothing here reads the clock or the database.
 *
 * Offsets: negative = calendar days before the due date, 0 = on the due date,
 * positive = working days after it (overdue). Every reminder goes out at the
 * policy's local send time (REMINDER_SEND_TIME in TZ_DEADLINES) of its day.
 */
import { z } from 'zod';
import { endOfDay } from '../../machines/index.js';
import { addDays, addWorkingDays, type CalendarLookup } from '../domain/calendar.js';
import type { ReminderAudience } from '../db/schema.js';

export const AUDIENCES = ['unit', 'coordinator', 'chairman'] as const;

const offset = z.number().int().min(1).max(365);

export const overdueRuleSchema = z.strictObject({
  /** Working days after the due date of the first overdue reminder. */
  firstAfterWorkingDays: z.number().int().min(1).max(60),
  /** Working days between overdue reminders. */
  everyWorkingDays: z.number().int().min(1).max(60),
  /** Overdue reminders per deadline (and due date) at most: the series ends. */
  maxReminders: z.number().int().min(1).max(100),
});

export const reminderRuleSchema = z.strictObject({
  /** Calendar days before the due date. */
  daysBefore: z.array(offset).max(20),
  onTheDay: z.boolean(),
  /** Who the reminders before and on the day go to; overdue ones too, plus the escalations. */
  audience: z.enum(['unit', 'coordinator']),
  overdue: overdueRuleSchema.nullable(),
  /** From this many working days overdue, these audiences are reminded as well. */
  escalateTo: z.strictObject({
    coordinator: z.number().int().min(1).max(365).optional(),
    chairman: z.number().int().min(1).max(365).optional(),
  }),
});

export type OverdueRule = z.infer<typeof overdueRuleSchema>;
export type ReminderRule = z.infer<typeof reminderRuleSchema>;

export const DEADLINE_KINDS = ['selfReport', 'visit', 'conclusion', 'remediation'] as const;
export type ReminderDeadlineKind = (typeof DEADLINE_KINDS)[number];

export interface ReminderPolicy {
  rules: Record<ReminderDeadlineKind, ReminderRule>;
  /**
   * A reminder before the due date whose send time passed more than this many
   * hours ago when it is first planned (a deadline set at short notice) is
   * not created: the unit gets the nearest one, not a burst of stale ones.
   */
  catchUpHours: number;
}

/**
 * The defaults (issue #4):
 * - self-report: 7, 3 and 1 days before and on the day to the unit; overdue
 *   on the 1st working day and every 3 working days after (at most 10),
 *   escalated to the coordinator from the first and to the chairman from 10
 *   working days overdue;
 * - remediation items: 14, 7 and 1 days before and on the day; overdue
 *   weekly (every 5 working days, from the 1st, at most 8), to the
 *   coordinator as well from 5 working days overdue;
 * - visits (announced only: the machines publish no deadline for an
 *   unannounced visit): 7 and 1 days before, to the unit; nothing overdue
 *   (a visit that did not happen is the team's matter, not the unit's);
 * - conclusion (due 15 working days after the visit; the team's and the
 *   coordinator's duty, so the unit is not reminded): 5 and 1 days before and
 *   on the day to the coordinator; overdue every 5 working days (at most 4),
 *   to the chairman as well from 10 working days overdue.
 */
export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  catchUpHours: 20,
  rules: {
    selfReport: {
      daysBefore: [7, 3, 1],
      onTheDay: true,
      audience: 'unit',
      overdue: { firstAfterWorkingDays: 1, everyWorkingDays: 3, maxReminders: 10 },
      escalateTo: { coordinator: 1, chairman: 10 },
    },
    remediation: {
      daysBefore: [14, 7, 1],
      onTheDay: true,
      audience: 'unit',
      overdue: { firstAfterWorkingDays: 1, everyWorkingDays: 5, maxReminders: 8 },
      escalateTo: { coordinator: 5 },
    },
    visit: {
      daysBefore: [7, 1],
      onTheDay: false,
      audience: 'unit',
      overdue: null,
      escalateTo: {},
    },
    conclusion: {
      daysBefore: [5, 1],
      onTheDay: true,
      audience: 'coordinator',
      overdue: { firstAfterWorkingDays: 1, everyWorkingDays: 5, maxReminders: 4 },
      escalateTo: { chairman: 10 },
    },
  },
};

/**
 * REMINDER_POLICY (JSON): changes to the defaults, per deadline kind and per
 * field, e.g. `{"rules":{"selfReport":{"daysBefore":[5,2]}},"catchUpHours":12}`.
 */
export const reminderPolicyOverrideSchema = z.strictObject({
  catchUpHours: z.number().min(0).max(24 * 14).optional(),
  rules: z.partialRecord(z.enum(DEADLINE_KINDS), reminderRuleSchema.partial()).optional(),
});
export type ReminderPolicyOverride = z.infer<typeof reminderPolicyOverrideSchema>;

/** The defaults with the configured changes applied. */
export function resolveReminderPolicy(override?: ReminderPolicyOverride): ReminderPolicy {
  const rules = { ...DEFAULT_REMINDER_POLICY.rules };
  for (const kind of DEADLINE_KINDS) {
    const change = override?.rules?.[kind];
    if (change) rules[kind] = { ...rules[kind], ...change };
  }
  return { catchUpHours: override?.catchUpHours ?? DEFAULT_REMINDER_POLICY.catchUpHours, rules };
}

export interface PlannedReminder {
  offsetDays: number;
  audience: ReminderAudience;
  sendAt: Date;
}

export interface PlanningContext {
  now: Date;
  calendar: CalendarLookup;
  /** Time zone of the send time (TZ_DEADLINES). */
  timeZone: string;
  /** 'HH:MM', local. */
  sendTime: string;
}

export interface DeadlineToPlan {
  kind: string;
  dueDate: string;
  dueAt: Date;
}

export interface ReminderPlan {
  reminders: PlannedReminder[];
  /** When the next overdue reminder has to be planned; null when nothing more will be. */
  nextCheckAt: Date | null;
}

/** `HH:MM` on `date` in `timeZone`, as an instant. */
export function localTimeOn(date: string, time: string, timeZone: string): Date {
  const startOfDay = Date.parse(endOfDay(addDays(date, -1), timeZone));
  const [h, m] = time.split(':').map(Number) as [number, number];
  return new Date(startOfDay + (h * 60 + m) * 60_000);
}

function overdueAudiences(rule: ReminderRule, workingDaysOverdue: number): ReminderAudience[] {
  const out: ReminderAudience[] = [rule.audience];
  for (const extra of ['coordinator', 'chairman'] as const) {
    const from = rule.escalateTo[extra];
    if (from !== undefined && workingDaysOverdue >= from && !out.includes(extra)) out.push(extra);
  }
  return out;
}

/**
 * The reminders one open (or missed) deadline should have now. Reminders
 * before and on the due date are planned all at once; overdue ones one step
 * at a time: the latest whose send time has come (a dispatcher that was away
 * sends one catch-up, not a burst) and the next one, whose send time is then
 * `nextCheckAt`.
 */
export function planReminders(deadline: DeadlineToPlan, policy: ReminderPolicy, ctx: PlanningContext): ReminderPlan {
  const rule = policy.rules[deadline.kind as ReminderDeadlineKind] as ReminderRule | undefined;
  if (!rule) return { reminders: [], nextCheckAt: null };
  const nowMs = ctx.now.getTime();
  const oldest = nowMs - policy.catchUpHours * 3_600_000;
  const reminders: PlannedReminder[] = [];
  const at = (date: string) => localTimeOn(date, ctx.sendTime, ctx.timeZone);

  const before = [...new Set(rule.daysBefore)].sort((a, b) => b - a).map((n) => -n);
  if (rule.onTheDay) before.push(0);
  for (const offsetDays of before) {
    const sendAt = at(addDays(deadline.dueDate, offsetDays));
    if (sendAt.getTime() >= oldest && sendAt.getTime() < deadline.dueAt.getTime()) {
      reminders.push({ offsetDays, audience: rule.audience, sendAt });
    }
  }
  if (!rule.overdue) return { reminders, nextCheckAt: null };
  if (nowMs < deadline.dueAt.getTime()) return { reminders, nextCheckAt: deadline.dueAt };

  const { firstAfterWorkingDays, everyWorkingDays, maxReminders } = rule.overdue;
  let latest: { k: number; sendAt: Date } | undefined;
  let next: { k: number; sendAt: Date } | undefined;
  for (let i = 0; i < maxReminders; i++) {
    const k = firstAfterWorkingDays + i * everyWorkingDays;
    const sendAt = at(addWorkingDays(deadline.dueDate, k, ctx.calendar));
    if (sendAt.getTime() <= nowMs) {
      latest = { k, sendAt };
    } else {
      next = { k, sendAt };
      break;
    }
  }
  for (const step of [latest, next]) {
    if (!step) continue;
    for (const audience of overdueAudiences(rule, step.k)) reminders.push({ offsetDays: step.k, audience, sendAt: step.sendAt });
  }
  return { reminders, nextCheckAt: next?.sendAt ?? null };
}
