import { assertEvent, assign, setup } from 'xstate';
import { z } from 'zod';
import { criterionCodesFor } from './criteria.js';
import {
  cancelEvent,
  cancelTransition,
  cancellationActions,
  reason,
  text,
  unitCode,
  type CancellableContext,
  type EventOf,
} from './shared/common.js';
import { DEFAULT_TIME_ZONE, isoDate, timeZoneName } from './shared/dates.js';
import { checkFinding, findingEvents, findingsActions, findingsState, type FindingsContext } from './shared/findings.js';
import {
  checkRemediation,
  remediationActions,
  remediationDeadlines,
  remediationEvents,
  remediationGuards,
  remediationState,
  type RemediationContext,
} from './shared/remediation.js';
import {
  conclusionDeadline,
  visitActions,
  visitDeadline,
  visitEvents,
  visitState,
  type VisitContext,
} from './shared/visit.js';
import type { MachineModule } from './types.js';

/**
 * A surprise inspection (kiểm tra đột xuất, section II.2 of the plan): proposed
 * by the coordinator, decided or rejected by the chairman, announced (the visit
 * is scheduled) or unannounced (the team simply starts the visit); then the
 * same findings, conclusion and remediation as a planned inspection.
 */

const MACHINE_ID = 'surpriseInspection';

export const surpriseContents = ['s1', 's2'] as const;
export type SurpriseContent = (typeof surpriseContents)[number];

export const surpriseInspectionInput = z.object({
  unitCode,
  contents: z
    .array(z.enum(surpriseContents))
    .min(1)
    .refine((codes) => new Set(codes).size === codes.length, { message: 'contents must not repeat a criterion' }),
  announced: z.boolean(),
  reason,
  /** Time zone of the instance's date-only deadlines; `Asia/Ho_Chi_Minh` when absent. */
  timeZone: timeZoneName.optional(),
});
export type SurpriseInspectionInput = z.output<typeof surpriseInspectionInput>;

export const decideEvent = z.object({
  type: z.literal('DECIDE'),
  /** Number of the chairman's decision (số quyết định). */
  decisionNo: text(100),
  visitDate: isoDate.optional(),
});
export const rejectEvent = z.object({ type: z.literal('REJECT'), reason });

export const surpriseInspectionEvents = {
  DECIDE: decideEvent,
  REJECT: rejectEvent,
  ...visitEvents,
  ...findingEvents,
  ...remediationEvents,
  CANCEL: cancelEvent,
} as const;

type EventsOf<T extends Record<string, z.ZodType>> = { [K in keyof T]: EventOf<T[K]> }[keyof T];
export type SurpriseInspectionEvent = EventsOf<typeof surpriseInspectionEvents>;

export interface Decision {
  decisionNo: string;
  /** The intended visit date, if the decision names one. */
  visitDate?: string;
  decidedAt: string;
}

export interface SurpriseInspectionContext
  extends VisitContext, FindingsContext, RemediationContext, CancellableContext {
  unitCode: string;
  contents: SurpriseContent[];
  /** Announced: the unit is told the visit date (SCHEDULE_VISIT); unannounced: START_VISIT from `decided`. */
  announced: boolean;
  reason: string;
  timeZone: string;
  decision?: Decision;
}

type Context = SurpriseInspectionContext;
type Event = SurpriseInspectionEvent;

export const surpriseInspectionMachine = setup({
  types: {
    context: {} as Context,
    events: {} as Event,
    input: {} as SurpriseInspectionInput,
  },
  actions: {
    recordDecision: assign(({ event }) => {
      assertEvent(event, 'DECIDE');
      const decision: Decision = { decisionNo: event.decisionNo, decidedAt: event.at };
      if (event.visitDate !== undefined) decision.visitDate = event.visitDate;
      return { decision };
    }),
    ...visitActions<Context, Event>(),
    ...findingsActions<Context, Event>(),
    ...remediationActions<Context, Event>(),
    ...cancellationActions<Context, Event>(),
  },
  guards: {
    ...remediationGuards,
    isAnnounced: ({ context }) => context.announced,
    isUnannounced: ({ context }) => !context.announced,
  },
}).createMachine({
  id: MACHINE_ID,
  context: ({ input }) => ({
    unitCode: input.unitCode,
    contents: [...input.contents],
    announced: input.announced,
    reason: input.reason,
    timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    findings: [],
    findingSeq: 0,
    remediation: [],
    remediationSeq: 0,
  }),
  initial: 'proposed',
  states: {
    proposed: {
      on: {
        DECIDE: { target: 'decided', actions: 'recordDecision' },
        REJECT: { target: 'cancelled', actions: 'recordCancellation' },
        ...cancelTransition,
      },
    },
    decided: {
      on: {
        SCHEDULE_VISIT: { guard: 'isAnnounced', target: 'visit.scheduled', actions: 'scheduleVisit' },
        START_VISIT: { guard: 'isUnannounced', target: 'visit.inProgress', actions: 'startVisit' },
        ...cancelTransition,
      },
    },
    visit: {
      ...visitState(MACHINE_ID),
      on: { ...cancelTransition },
    },
    findings: {
      on: { ...findingsState.on, ...cancelTransition },
    },
    remediation: {
      ...remediationState,
      on: { ...remediationState.on, ...cancelTransition },
    },
    closed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export const surpriseInspection: MachineModule<SurpriseInspectionContext, SurpriseInspectionInput> = {
  name: MACHINE_ID,
  version: 1,
  machine: surpriseInspectionMachine,
  input: surpriseInspectionInput,
  events: surpriseInspectionEvents,
  withClock() {
    // No delays: nothing depends on the clock.
    return surpriseInspectionMachine;
  },
  checkEvent(context, event) {
    const covered = criterionCodesFor('surprise').filter((code) => context.contents.some((c) => c === code));
    return [...checkFinding(event, covered), ...checkRemediation(context, event)];
  },
  deadlines(state, context, nowMs) {
    const cancelled = state === 'cancelled';
    // An unannounced visit date is never published as a deadline: deadlines feed
    // the unit's calendar and reminders, which would announce it.
    const visitDate = context.announced ? (context.visit?.date ?? context.decision?.visitDate) : undefined;
    return [
      ...visitDeadline(visitDate, context, cancelled, nowMs),
      ...conclusionDeadline(context, cancelled, nowMs),
      ...remediationDeadlines(context, cancelled, nowMs),
    ];
  },
};
