import { assign, type EventObject } from 'xstate';
import { z } from 'zod';
import type { DeadlineSpec, MachineEvent, PayloadIssue } from '../types.js';
import { isEvent, localId, longText, stampOf, text, type EventOf } from './common.js';
import { endOfDay, isoDate } from './dates.js';

/**
 * The conclusion (thông báo kết luận) and the remediation it orders (khắc
 * phục), shared by both inspection machines. Each remediation item goes
 * `open` → `reported` (the unit reports 100 %) → `verified` (the coordinator
 * accepts); a rejected report sends it back to `open`. The inspection closes
 * itself once every item is verified.
 */

export const issueConclusionEvent = z.object({
  type: z.literal('ISSUE_CONCLUSION'),
  summary: longText,
  remediation: z
    .array(
      z.object({
        action: text(2000),
        dueDate: isoDate,
        findingId: localId.optional(),
        responsible: text(500).optional(),
      }),
    )
    .max(200),
});
export const reportProgressEvent = z.object({
  type: z.literal('REPORT_PROGRESS'),
  itemId: localId,
  percent: z.int().min(0).max(100),
  note: text(2000).optional(),
});
export const verifyItemEvent = z.object({
  type: z.literal('VERIFY_ITEM'),
  itemId: localId,
  accepted: z.boolean(),
  note: text(2000).optional(),
});

export type IssueConclusionEvent = EventOf<typeof issueConclusionEvent>;
export type ReportProgressEvent = EventOf<typeof reportProgressEvent>;
export type VerifyItemEvent = EventOf<typeof verifyItemEvent>;

export const remediationEvents = {
  ISSUE_CONCLUSION: issueConclusionEvent,
  REPORT_PROGRESS: reportProgressEvent,
  VERIFY_ITEM: verifyItemEvent,
} as const;

export type RemediationStatus = 'open' | 'reported' | 'verified';

export interface RemediationItem {
  /** `R1`, `R2`, ... in the order of the conclusion's list. */
  id: string;
  action: string;
  dueDate: string;
  /** End of `dueDate` in the instance's time zone. */
  dueAt: string;
  findingId?: string;
  responsible?: string;
  status: RemediationStatus;
  /** The unit's latest figure; kept when a report is rejected (the work done is still done). */
  percent: number;
  progress: { at: string; percent: number; note?: string }[];
  verifications: { at: string; accepted: boolean; note?: string }[];
  verifiedAt?: string;
}

export interface Conclusion {
  summary: string;
  issuedAt: string;
}

export interface RemediationContext {
  timeZone: string;
  conclusion?: Conclusion;
  remediation: RemediationItem[];
  /** How many items were ever created; the next id is `R${remediationSeq + 1}`. */
  remediationSeq: number;
  closedAt?: string;
}

function withNote<T extends object>(entry: T, note: string | undefined): T & { note?: string } {
  return note === undefined ? entry : { ...entry, note };
}

function findItem(context: RemediationContext, itemId: unknown): RemediationItem | undefined {
  return context.remediation.find((item) => item.id === itemId);
}

export function remediationActions<TContext extends RemediationContext, TEvent extends EventObject>() {
  return {
    issueConclusion: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (!isEvent<IssueConclusionEvent>(event, 'ISSUE_CONCLUSION')) return {};
      let seq = context.remediationSeq;
      const created = event.remediation.map((entry): RemediationItem => {
        seq += 1;
        const item: RemediationItem = {
          id: `R${seq}`,
          action: entry.action,
          dueDate: entry.dueDate,
          dueAt: endOfDay(entry.dueDate, context.timeZone),
          status: 'open',
          percent: 0,
          progress: [],
          verifications: [],
        };
        if (entry.findingId !== undefined) item.findingId = entry.findingId;
        if (entry.responsible !== undefined) item.responsible = entry.responsible;
        return item;
      });
      return {
        ...context,
        conclusion: { summary: event.summary, issuedAt: event.at },
        remediation: [...context.remediation, ...created],
        remediationSeq: seq,
      };
    }),
    reportProgress: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (!isEvent<ReportProgressEvent>(event, 'REPORT_PROGRESS')) return {};
      const remediation = context.remediation.map((item): RemediationItem => {
        if (item.id !== event.itemId) return item;
        return {
          ...item,
          percent: event.percent,
          status: event.percent === 100 ? 'reported' : 'open',
          progress: [...item.progress, withNote({ at: event.at, percent: event.percent }, event.note)],
        };
      });
      return { ...context, remediation };
    }),
    verifyItem: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (!isEvent<VerifyItemEvent>(event, 'VERIFY_ITEM')) return {};
      const remediation = context.remediation.map((item): RemediationItem => {
        if (item.id !== event.itemId) return item;
        const verifications = [
          ...item.verifications,
          withNote({ at: event.at, accepted: event.accepted }, event.note),
        ];
        return event.accepted
          ? { ...item, status: 'verified', verifiedAt: event.at, verifications }
          : { ...item, status: 'open', verifications };
      });
      return { ...context, remediation };
    }),
    /** Runs on the transition into `closed`; `event` is the event that closed the inspection. */
    markClosed: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      const at = stampOf(event);
      return at === undefined ? {} : { ...context, closedAt: at };
    }),
  };
}

type GuardArgs = { context: RemediationContext; event: EventObject };

/**
 * Whether the item the event names has one of `statuses`. Asked without an
 * item id (`snapshot.can({ type })`, as the engine does to list the allowed
 * events), it answers whether some item has one: whether some payload could
 * pass.
 */
function itemIn(context: RemediationContext, itemId: unknown, statuses: readonly RemediationStatus[]): boolean {
  if (itemId === undefined) return context.remediation.some((item) => statuses.includes(item.status));
  const item = findItem(context, itemId);
  return item !== undefined && statuses.includes(item.status);
}

export const remediationGuards = {
  conclusionWithoutRemediation: ({ event }: GuardArgs) =>
    isEvent<IssueConclusionEvent>(event, 'ISSUE_CONCLUSION') &&
    Array.isArray(event.remediation) &&
    event.remediation.length === 0,
  /** Only a reported item can be verified (accepted or sent back). */
  itemIsReported: ({ context, event }: GuardArgs) =>
    isEvent<VerifyItemEvent>(event, 'VERIFY_ITEM') && itemIn(context, event.itemId, ['reported']),
  /** A verified item is settled: no more progress reports. */
  itemIsNotVerified: ({ context, event }: GuardArgs) =>
    isEvent<ReportProgressEvent>(event, 'REPORT_PROGRESS') && itemIn(context, event.itemId, ['open', 'reported']),
  allItemsVerified: ({ context }: GuardArgs) =>
    context.remediation.length > 0 && context.remediation.every((item) => item.status === 'verified'),
};

/** ISSUE_CONCLUSION from `findings`: to `remediation`, or straight to `closed` when nothing is to be remedied. */
export const concludeTransition = {
  ISSUE_CONCLUSION: [
    {
      guard: 'conclusionWithoutRemediation',
      target: 'closed',
      actions: ['issueConclusion', 'markClosed'],
    },
    { target: 'remediation', actions: 'issueConclusion' },
  ],
} as const;

/** The `remediation` state: closes itself (eventless) as soon as every item is verified. */
export const remediationState = {
  always: { guard: 'allItemsVerified', target: 'closed', actions: 'markClosed' },
  on: {
    REPORT_PROGRESS: { guard: 'itemIsNotVerified', actions: 'reportProgress' },
    VERIFY_ITEM: { guard: 'itemIsReported', actions: 'verifyItem' },
  },
} as const;

/** Payload checks against the context: item ids and the findings they refer to must exist. */
export function checkRemediation(
  context: RemediationContext & { findings: { id: string }[] },
  event: MachineEvent,
): PayloadIssue[] {
  switch (event.type) {
    case 'REPORT_PROGRESS':
    case 'VERIFY_ITEM':
      return findItem(context, event.itemId)
        ? []
        : [{ path: ['itemId'], message: `no remediation item ${String(event.itemId)} in this inspection` }];
    case 'ISSUE_CONCLUSION': {
      const entries = Array.isArray(event.remediation) ? (event.remediation as unknown[]) : [];
      const known = new Set(context.findings.map((f) => f.id));
      const issues: PayloadIssue[] = [];
      entries.forEach((entry, index) => {
        const findingId = (entry as { findingId?: unknown } | null)?.findingId;
        if (findingId !== undefined && !(typeof findingId === 'string' && known.has(findingId))) {
          issues.push({
            path: ['remediation', index, 'findingId'],
            message: `no finding ${String(findingId)} in this inspection`,
          });
        }
      });
      return issues;
    }
    default:
      return [];
  }
}

/**
 * One deadline per remediation item: met once verified, cancelled when the
 * inspection is cancelled first, otherwise open or missed by the clock.
 */
export function remediationDeadlines(
  context: RemediationContext,
  cancelled: boolean,
  nowMs: number,
): DeadlineSpec[] {
  return context.remediation.map((item) => ({
    kind: 'remediation',
    subject: item.id,
    dueDate: item.dueDate,
    dueAt: item.dueAt,
    status:
      item.status === 'verified'
        ? 'met'
        : cancelled
          ? 'cancelled'
          : nowMs >= Date.parse(item.dueAt)
            ? 'missed'
            : 'open',
  }));
}
