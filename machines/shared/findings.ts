import { assign, type EventObject } from 'xstate';
import { z } from 'zod';
import { findCriterion, type CriterionGroup } from '../criteria.js';
import type { MachineEvent, PayloadIssue } from '../types.js';
import { isEvent, longText, text, type EventOf } from './common.js';
import { concludeTransition } from './remediation.js';

/**
 * Findings (kết quả kiểm tra): what the team records after the visit, each tied
 * to one criterion of the catalog, until the conclusion is issued. Shared by
 * both inspection machines.
 */

export const findingKinds = ['strength', 'shortcoming', 'goodPractice'] as const;
export type FindingKind = (typeof findingKinds)[number];

export const recordFindingEvent = z.object({
  type: z.literal('RECORD_FINDING'),
  criterionCode: text(16),
  kind: z.enum(findingKinds),
  text: longText,
  /** The organisation or person responsible (trách nhiệm của tổ chức, cá nhân). */
  responsible: text(500).optional(),
});
export type RecordFindingEvent = EventOf<typeof recordFindingEvent>;

export const findingEvents = { RECORD_FINDING: recordFindingEvent } as const;

export interface Finding {
  /** `F1`, `F2`, ... in the order recorded. */
  id: string;
  criterionCode: string;
  /** The criterion's group (a–i, s): the PAR Index counts findings per group. */
  group?: CriterionGroup;
  kind: FindingKind;
  text: string;
  responsible?: string;
  recordedAt: string;
}

export interface FindingsContext {
  findings: Finding[];
  /** How many findings were ever recorded; the next id is `F${findingSeq + 1}`. */
  findingSeq: number;
}

export function findingsActions<TContext extends FindingsContext, TEvent extends EventObject>() {
  return {
    recordFinding: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (!isEvent<RecordFindingEvent>(event, 'RECORD_FINDING')) return {};
      const seq = context.findingSeq + 1;
      const finding: Finding = {
        id: `F${seq}`,
        criterionCode: event.criterionCode,
        kind: event.kind,
        text: event.text,
        recordedAt: event.at,
      };
      const group = findCriterion(event.criterionCode)?.group;
      if (group !== undefined) finding.group = group;
      if (event.responsible !== undefined) finding.responsible = event.responsible;
      return { ...context, findings: [...context.findings, finding], findingSeq: seq };
    }),
  };
}

/** The `findings` state: record findings, then issue the conclusion. */
export const findingsState = {
  on: {
    RECORD_FINDING: { actions: 'recordFinding' },
    ...concludeTransition,
  },
} as const;

/**
 * A finding must name a criterion the inspection covers: one of `allowed`
 * (the catalog's codes for the inspection's kind, narrowed to the contents of
 * a surprise inspection).
 */
export function checkFinding(event: MachineEvent, allowed: readonly string[]): PayloadIssue[] {
  if (event.type !== 'RECORD_FINDING') return [];
  const code = event.criterionCode;
  if (typeof code === 'string' && allowed.includes(code.trim())) return [];
  return [
    {
      path: ['criterionCode'],
      message: `criterionCode must be one of the criteria this inspection covers: ${allowed.join(', ')}`,
    },
  ];
}
