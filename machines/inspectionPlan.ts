import { assertEvent, assign, setup } from 'xstate';
import { z } from 'zod';
import { longText, reason, text, type EventOf } from './shared/common.js';
import type { MachineModule } from './types.js';

/**
 * The yearly inspection plan (kế hoạch kiểm tra CCHC): drafted by the
 * coordinator, approved or returned by the chairman, reported on at the end.
 * Coverage and "every inspection closed" need the database; the HTTP layer
 * checks them before it sends APPROVE or REPORT.
 */

const MACHINE_ID = 'inspectionPlan';

export const inspectionPlanInput = z.object({
  planId: text(64),
  year: z.int().min(2000).max(2100),
});
export type InspectionPlanInput = z.output<typeof inspectionPlanInput>;

export const submitPlanEvent = z.object({ type: z.literal('SUBMIT') });
export const approvePlanEvent = z.object({
  type: z.literal('APPROVE'),
  /** Number of the chairman's decision issuing the plan. */
  decisionNo: text(100),
});
export const returnPlanEvent = z.object({ type: z.literal('RETURN'), reason });
export const reportPlanEvent = z.object({ type: z.literal('REPORT'), summary: longText });

export const inspectionPlanEvents = {
  SUBMIT: submitPlanEvent,
  APPROVE: approvePlanEvent,
  RETURN: returnPlanEvent,
  REPORT: reportPlanEvent,
} as const;

type EventsOf<T extends Record<string, z.ZodType>> = { [K in keyof T]: EventOf<T[K]> }[keyof T];
export type InspectionPlanEvent = EventsOf<typeof inspectionPlanEvents>;

export interface InspectionPlanContext {
  planId: string;
  year: number;
  /** Every SUBMIT, oldest first (a returned plan is submitted again). */
  submissions: { at: string }[];
  /** Every RETURN, oldest first. */
  returns: { reason: string; at: string }[];
  decisionNo?: string;
  approvedAt?: string;
  summary?: string;
  reportedAt?: string;
}

export const inspectionPlanMachine = setup({
  types: {
    context: {} as InspectionPlanContext,
    events: {} as InspectionPlanEvent,
    input: {} as InspectionPlanInput,
  },
  actions: {
    recordSubmission: assign(({ context, event }) => {
      assertEvent(event, 'SUBMIT');
      return { submissions: [...context.submissions, { at: event.at }] };
    }),
    recordReturn: assign(({ context, event }) => {
      assertEvent(event, 'RETURN');
      return { returns: [...context.returns, { reason: event.reason, at: event.at }] };
    }),
    recordApproval: assign(({ event }) => {
      assertEvent(event, 'APPROVE');
      return { decisionNo: event.decisionNo, approvedAt: event.at };
    }),
    recordReport: assign(({ event }) => {
      assertEvent(event, 'REPORT');
      return { summary: event.summary, reportedAt: event.at };
    }),
  },
}).createMachine({
  id: MACHINE_ID,
  context: ({ input }) => ({ planId: input.planId, year: input.year, submissions: [], returns: [] }),
  initial: 'draft',
  states: {
    draft: {
      on: { SUBMIT: { target: 'awaitingApproval', actions: 'recordSubmission' } },
    },
    awaitingApproval: {
      on: {
        APPROVE: { target: 'approved', actions: 'recordApproval' },
        RETURN: { target: 'draft', actions: 'recordReturn' },
      },
    },
    approved: {
      on: { REPORT: { target: 'reported', actions: 'recordReport' } },
    },
    reported: { type: 'final' },
  },
});

export const inspectionPlan: MachineModule<InspectionPlanContext, InspectionPlanInput> = {
  name: MACHINE_ID,
  version: 1,
  machine: inspectionPlanMachine,
  input: inspectionPlanInput,
  events: inspectionPlanEvents,
  withClock() {
    return inspectionPlanMachine;
  },
  checkEvent() {
    return [];
  },
  deadlines() {
    return [];
  },
};
