import { assign, type EventObject } from 'xstate';
import { z } from 'zod';
import type { DeadlineSpec } from '../types.js';
import { isEvent, longText, text, unitCode, type EventOf } from './common.js';
import { endOfDay, isoDate } from './dates.js';

/**
 * The visit (đoàn kiểm tra làm việc tại đơn vị), shared by both inspection
 * machines: scheduling (and rescheduling), starting and completing it.
 */

export const scheduleVisitEvent = z.object({
  type: z.literal('SCHEDULE_VISIT'),
  date: isoDate,
  team: z.array(text(200)).max(50).optional(),
  sampledUnits: z.array(unitCode).max(500).optional(),
});
export const startVisitEvent = z.object({ type: z.literal('START_VISIT') });
export const completeVisitEvent = z.object({
  type: z.literal('COMPLETE_VISIT'),
  minutes: longText.optional(),
  /**
   * When the conclusion is due. Not in the public payload: the HTTP layer may
   * add it (e.g. 15 working days after the visit, from the calendar) so the
   * conclusion deadline is tracked like the others.
   */
  conclusionDueDate: isoDate.optional(),
});

export type ScheduleVisitEvent = EventOf<typeof scheduleVisitEvent>;
export type StartVisitEvent = EventOf<typeof startVisitEvent>;
export type CompleteVisitEvent = EventOf<typeof completeVisitEvent>;

export const visitEvents = {
  SCHEDULE_VISIT: scheduleVisitEvent,
  START_VISIT: startVisitEvent,
  COMPLETE_VISIT: completeVisitEvent,
} as const;

export interface Visit {
  /** The scheduled date; absent for a visit started without being scheduled (unannounced). */
  date?: string;
  /** End of `date` in the instance's time zone. */
  dueAt?: string;
  team: string[];
  sampledUnits: string[];
  /** Every SCHEDULE_VISIT, oldest first; more than one means the visit was rescheduled. */
  schedule: { date: string; at: string }[];
  startedAt?: string;
  completedAt?: string;
  minutes?: string;
}

export interface VisitContext {
  timeZone: string;
  visit?: Visit;
  conclusionDueDate?: string;
  conclusionDueAt?: string;
}

const noVisit: Visit = { team: [], sampledUnits: [], schedule: [] };

export function visitActions<TContext extends VisitContext, TEvent extends EventObject>() {
  return {
    scheduleVisit: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (!isEvent<ScheduleVisitEvent>(event, 'SCHEDULE_VISIT')) return {};
      const previous = context.visit ?? noVisit;
      const visit: Visit = {
        ...previous,
        date: event.date,
        dueAt: endOfDay(event.date, context.timeZone),
        team: event.team ?? previous.team,
        sampledUnits: event.sampledUnits ?? previous.sampledUnits,
        schedule: [...previous.schedule, { date: event.date, at: event.at }],
      };
      return { ...context, visit };
    }),
    startVisit: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (!isEvent<StartVisitEvent>(event, 'START_VISIT')) return {};
      return { ...context, visit: { ...(context.visit ?? noVisit), startedAt: event.at } };
    }),
    completeVisit: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (!isEvent<CompleteVisitEvent>(event, 'COMPLETE_VISIT')) return {};
      const visit: Visit = { ...(context.visit ?? noVisit), completedAt: event.at };
      if (event.minutes !== undefined) visit.minutes = event.minutes;
      const due = event.conclusionDueDate;
      return due === undefined
        ? { ...context, visit }
        : { ...context, visit, conclusionDueDate: due, conclusionDueAt: endOfDay(due, context.timeZone) };
    }),
  };
}

/**
 * The `visit` compound state of the machine with id `machineId`. SCHEDULE_VISIT
 * while scheduled reschedules and re-enters, so anything tied to the old date
 * starts over.
 */
export function visitState(machineId: string) {
  return {
    initial: 'scheduled',
    states: {
      scheduled: {
        on: {
          SCHEDULE_VISIT: { target: 'scheduled', reenter: true, actions: 'scheduleVisit' },
          START_VISIT: { target: 'inProgress', actions: 'startVisit' },
        },
      },
      inProgress: {
        on: {
          COMPLETE_VISIT: { target: `#${machineId}.findings`, actions: 'completeVisit' },
        },
      },
    },
  } as const;
}

/**
 * The visit deadline: open until the visit starts (met), missed once its day
 * has ended without a start, cancelled when the inspection is cancelled first.
 */
export function visitDeadline(
  date: string | undefined,
  context: VisitContext,
  cancelled: boolean,
  nowMs: number,
): DeadlineSpec[] {
  if (date === undefined) return [];
  const dueAt = endOfDay(date, context.timeZone);
  const started = context.visit?.startedAt !== undefined;
  const status = started ? 'met' : cancelled ? 'cancelled' : nowMs >= Date.parse(dueAt) ? 'missed' : 'open';
  return [{ kind: 'visit', subject: 'visit', dueDate: date, dueAt, status }];
}

/**
 * The conclusion deadline, when the HTTP layer supplied one with COMPLETE_VISIT:
 * met once the conclusion is issued.
 */
export function conclusionDeadline(
  context: VisitContext & { conclusion?: { issuedAt: string } },
  cancelled: boolean,
  nowMs: number,
): DeadlineSpec[] {
  const dueDate = context.conclusionDueDate;
  if (dueDate === undefined) return [];
  const dueAt = context.conclusionDueAt ?? endOfDay(dueDate, context.timeZone);
  const issued = context.conclusion !== undefined;
  const status = issued ? 'met' : cancelled ? 'cancelled' : nowMs >= Date.parse(dueAt) ? 'missed' : 'open';
  return [{ kind: 'conclusion', subject: 'conclusion', dueDate, dueAt, status }];
}
