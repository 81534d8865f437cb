import { assertEvent, assign, setup } from 'xstate';
import { z } from 'zod';
import { criterionCodesFor } from './criteria.js';
import {
  cancelEvent,
  cancelTransition,
  cancellationActions,
  longText,
  reason,
  stampOf,
  text,
  unitCode,
  type CancellableContext,
  type EventOf,
} from './shared/common.js';
import { DEFAULT_TIME_ZONE, endOfDay, isoDate, timeZoneName } from './shared/dates.js';
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
import type { DeadlineSpec, MachineEvent, MachineModule, PayloadIssue } from './types.js';

/**
 * A planned inspection (kiểm tra theo kế hoạch, section II.1 of the plan):
 * self-report, visit, findings, conclusion, remediation, closed. One instance
 * per target unit, created when the plan is approved.
 */

const MACHINE_ID = 'plannedInspection';

export const plannedInspectionInput = z.object({
  planId: text(64),
  unitCode,
  /** Time zone of the instance's date-only deadlines; `Asia/Ho_Chi_Minh` when absent. */
  timeZone: timeZoneName.optional(),
});
export type PlannedInspectionInput = z.output<typeof plannedInspectionInput>;

export const requestSelfReportEvent = z.object({
  type: z.literal('REQUEST_SELF_REPORT'),
  dueDate: isoDate,
  /** The self-report outline (đề cương báo cáo tự kiểm tra), as text or a link. */
  outline: longText.optional(),
});
export const extendDeadlineEvent = z.object({
  type: z.literal('EXTEND_DEADLINE'),
  dueDate: isoDate,
  reason,
});
export const submitSelfReportEvent = z.object({
  type: z.literal('SUBMIT_SELF_REPORT'),
  summary: longText,
  /** Evidence documents (hồ sơ, tài liệu kiểm chứng). */
  documents: z
    .array(z.object({ title: text(500), url: z.url({ protocol: /^https?$/ }).max(2000).optional() }))
    .max(200)
    .optional(),
});
export const requestRevisionEvent = z.object({
  type: z.literal('REQUEST_REVISION'),
  reason,
  dueDate: isoDate,
});

export const plannedInspectionEvents = {
  REQUEST_SELF_REPORT: requestSelfReportEvent,
  EXTEND_DEADLINE: extendDeadlineEvent,
  SUBMIT_SELF_REPORT: submitSelfReportEvent,
  REQUEST_REVISION: requestRevisionEvent,
  ...visitEvents,
  ...findingEvents,
  ...remediationEvents,
  CANCEL: cancelEvent,
} as const;

type EventsOf<T extends Record<string, z.ZodType>> = { [K in keyof T]: EventOf<T[K]> }[keyof T];
export type PlannedInspectionEvent = EventsOf<typeof plannedInspectionEvents>;

export interface SelfReportDocument {
  title: string;
  url?: string;
}

export interface SelfReport {
  outline?: string;
  requestedAt: string;
  /** The deadline in force (moved by EXTEND_DEADLINE and REQUEST_REVISION). */
  dueDate: string;
  /** End of `dueDate` in the instance's time zone; the `selfReportDue` delay runs until then. */
  dueAt: string;
  /** The submission of the current round; cleared when a revision is requested. */
  submittedAt?: string;
  submissions: { at: string; summary: string; documents: SelfReportDocument[] }[];
  extensions: { at: string; reason: string; fromDueDate: string; dueDate: string }[];
  revisions: { at: string; reason: string; dueDate: string }[];
}

export interface PlannedInspectionContext
  extends VisitContext, FindingsContext, RemediationContext, CancellableContext {
  planId: string;
  unitCode: string;
  timeZone: string;
  selfReport?: SelfReport;
}

type Context = PlannedInspectionContext;
type Event = PlannedInspectionEvent;

/** Milliseconds from `fromMs` to the self-report deadline; 0 once it has passed (or if unknown). */
function untilSelfReportDue(context: Context, fromMs: number): number {
  const dueAt = context.selfReport?.dueAt;
  const ms = dueAt === undefined ? 0 : Date.parse(dueAt) - fromMs;
  return Number.isFinite(ms) ? Math.max(0, ms) : 0;
}

export const plannedInspectionMachine = setup({
  types: {
    context: {} as Context,
    events: {} as Event,
    input: {} as PlannedInspectionInput,
  },
  actions: {
    requestSelfReport: assign(({ context, event }) => {
      assertEvent(event, 'REQUEST_SELF_REPORT');
      const selfReport: SelfReport = {
        requestedAt: event.at,
        dueDate: event.dueDate,
        dueAt: endOfDay(event.dueDate, context.timeZone),
        submissions: [],
        extensions: [],
        revisions: [],
      };
      if (event.outline !== undefined) selfReport.outline = event.outline;
      return { selfReport };
    }),
    extendDeadline: assign(({ context, event }) => {
      assertEvent(event, 'EXTEND_DEADLINE');
      const current = context.selfReport;
      if (!current) return {};
      const extension = { at: event.at, reason: event.reason, fromDueDate: current.dueDate, dueDate: event.dueDate };
      return {
        selfReport: {
          ...current,
          dueDate: event.dueDate,
          dueAt: endOfDay(event.dueDate, context.timeZone),
          extensions: [...current.extensions, extension],
        },
      };
    }),
    submitSelfReport: assign(({ context, event }) => {
      assertEvent(event, 'SUBMIT_SELF_REPORT');
      const current = context.selfReport;
      if (!current) return {};
      const documents = (event.documents ?? []).map((doc) =>
        doc.url === undefined ? { title: doc.title } : { title: doc.title, url: doc.url },
      );
      return {
        selfReport: {
          ...current,
          submittedAt: event.at,
          submissions: [...current.submissions, { at: event.at, summary: event.summary, documents }],
        },
      };
    }),
    requestRevision: assign(({ context, event }) => {
      assertEvent(event, 'REQUEST_REVISION');
      const current = context.selfReport;
      if (!current) return {};
      const { submittedAt: _previousRound, ...rest } = current;
      return {
        selfReport: {
          ...rest,
          dueDate: event.dueDate,
          dueAt: endOfDay(event.dueDate, context.timeZone),
          revisions: [...current.revisions, { at: event.at, reason: event.reason, dueDate: event.dueDate }],
        },
      };
    }),
    ...visitActions<Context, Event>(),
    ...findingsActions<Context, Event>(),
    ...remediationActions<Context, Event>(),
    ...cancellationActions<Context, Event>(),
  },
  guards: { ...remediationGuards },
  delays: {
    /**
     * Until the self-report deadline. Without a clock the distance is taken
     * from the entering event's stamp (the engine's `now`); `withClock`
     * replaces it with the engine's clock.
     */
    selfReportDue: ({ context, event }) => {
      const from = stampOf(event) ?? context.selfReport?.requestedAt;
      return untilSelfReportDue(context, from === undefined ? Number.NaN : Date.parse(from));
    },
  },
}).createMachine({
  id: MACHINE_ID,
  context: ({ input }) => ({
    planId: input.planId,
    unitCode: input.unitCode,
    timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    findings: [],
    findingSeq: 0,
    remediation: [],
    remediationSeq: 0,
  }),
  initial: 'planned',
  states: {
    planned: {
      on: {
        REQUEST_SELF_REPORT: { target: 'selfReport.requested', actions: 'requestSelfReport' },
        ...cancelTransition,
      },
    },
    selfReport: {
      initial: 'requested',
      on: { ...cancelTransition },
      states: {
        requested: {
          // Re-entering (EXTEND_DEADLINE) cancels this timer and starts one for the new date.
          after: { selfReportDue: 'overdue' },
          on: {
            EXTEND_DEADLINE: { target: 'requested', reenter: true, actions: 'extendDeadline' },
            SUBMIT_SELF_REPORT: { target: 'submitted', actions: 'submitSelfReport' },
          },
        },
        overdue: {
          on: {
            EXTEND_DEADLINE: { target: 'requested', actions: 'extendDeadline' },
            SUBMIT_SELF_REPORT: { target: 'submitted', actions: 'submitSelfReport' },
          },
        },
        submitted: {
          on: {
            REQUEST_REVISION: { target: 'requested', actions: 'requestRevision' },
            SCHEDULE_VISIT: { target: `#${MACHINE_ID}.visit.scheduled`, actions: 'scheduleVisit' },
          },
        },
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

/** The event the engine stores when the self-report deadline passes (the `selfReportDue` delay). */
export const SELF_REPORT_DUE_EVENT = `xstate.after.selfReportDue.${MACHINE_ID}.selfReport.requested`;

function selfReportDeadline(state: string, context: Context, nowMs: number): DeadlineSpec[] {
  const report = context.selfReport;
  if (!report) return [];
  const status =
    report.submittedAt !== undefined
      ? 'met'
      : state === 'cancelled'
        ? 'cancelled'
        : state === 'selfReport.overdue' || nowMs >= Date.parse(report.dueAt)
          ? 'missed'
          : 'open';
  return [{ kind: 'selfReport', subject: 'selfReport', dueDate: report.dueDate, dueAt: report.dueAt, status }];
}

function checkExtension(context: Context, event: MachineEvent): PayloadIssue[] {
  const current = context.selfReport?.dueDate;
  if (event.type !== 'EXTEND_DEADLINE' || current === undefined || typeof event.dueDate !== 'string') return [];
  return event.dueDate > current
    ? []
    : [{ path: ['dueDate'], message: `an extension must move the deadline after ${current}` }];
}

export const plannedInspection: MachineModule<PlannedInspectionContext, PlannedInspectionInput> = {
  name: MACHINE_ID,
  version: 1,
  machine: plannedInspectionMachine,
  input: plannedInspectionInput,
  events: plannedInspectionEvents,
  withClock(nowMs) {
    return plannedInspectionMachine.provide({
      delays: { selfReportDue: ({ context }) => untilSelfReportDue(context, nowMs) },
    });
  },
  checkEvent(context, event) {
    return [
      ...checkFinding(event, criterionCodesFor('planned')),
      ...checkRemediation(context, event),
      ...checkExtension(context, event),
    ];
  },
  deadlines(state, context, nowMs) {
    const cancelled = state === 'cancelled';
    return [
      ...selfReportDeadline(state, context, nowMs),
      ...visitDeadline(context.visit?.date, context, cancelled, nowMs),
      ...conclusionDeadline(context, cancelled, nowMs),
      ...remediationDeadlines(context, cancelled, nowMs),
    ];
  },
};
