import { describe, expect, it } from 'vitest';
import { inspectionPlan, machineModules, plannedInspection, surpriseInspection } from '../../machines/index.js';
import type { MachineModule } from '../../machines/types.js';

type Payload = Record<string, unknown>;

function accepts(mod: MachineModule<unknown, unknown>, payload: Payload & { type: string }) {
  return mod.events[payload.type]!.safeParse(payload).success;
}

const planned = plannedInspection as MachineModule<unknown, unknown>;
const surprise = surpriseInspection as MachineModule<unknown, unknown>;
const plan = inspectionPlan as MachineModule<unknown, unknown>;

describe('event schemas', () => {
  it('are z.objects whose type is the literal of their key', () => {
    for (const mod of Object.values(machineModules) as MachineModule<unknown, unknown>[]) {
      for (const [type, schema] of Object.entries(mod.events)) {
        expect(schema.shape.type?.safeParse(type).success, `${mod.name} ${type}`).toBe(true);
        expect(schema.shape.type?.safeParse('OTHER').success).toBe(false);
        expect(schema.shape.at, 'the engine stamps `at`; it is not part of the payload').toBeUndefined();
      }
    }
  });

  it('trim strings and drop unknown fields', () => {
    const parsed = planned.events.CANCEL!.parse({ type: 'CANCEL', reason: '  Giải thể  ', extra: 1 });
    expect(parsed).toEqual({ type: 'CANCEL', reason: 'Giải thể' });
  });

  const rejected: [MachineModule<unknown, unknown>, Payload & { type: string }, string][] = [
    [planned, { type: 'REQUEST_SELF_REPORT' }, 'missing dueDate'],
    [planned, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-02-30' }, 'no such date'],
    [planned, { type: 'REQUEST_SELF_REPORT', dueDate: '2021-02-29' }, 'not a leap year'],
    [planned, { type: 'REQUEST_SELF_REPORT', dueDate: '15/07/2020' }, 'not ISO'],
    [planned, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15T00:00:00Z' }, 'an instant, not a date'],
    [planned, { type: 'REQUEST_SELF_REPORT', dueInWorkingDays: 10 }, 'working days are turned into a date before the machine'],
    [planned, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15', outline: '' }, 'empty outline'],
    [planned, { type: 'EXTEND_DEADLINE', dueDate: '2020-07-20' }, 'missing reason'],
    [planned, { type: 'EXTEND_DEADLINE', dueDate: '2020-07-20', reason: '   ' }, 'blank reason'],
    [planned, { type: 'SUBMIT_SELF_REPORT' }, 'missing summary'],
    [planned, { type: 'SUBMIT_SELF_REPORT', summary: 's', documents: [{ url: 'https://x.vn/a.pdf' }] }, 'document without title'],
    [planned, { type: 'SUBMIT_SELF_REPORT', summary: 's', documents: [{ title: 't', url: 'javascript:alert(1)' }] }, 'not http(s)'],
    [planned, { type: 'SUBMIT_SELF_REPORT', summary: 's', documents: 'a.pdf' }, 'documents not a list'],
    [planned, { type: 'REQUEST_REVISION', reason: 'r' }, 'missing dueDate'],
    [planned, { type: 'SCHEDULE_VISIT' }, 'missing date'],
    [planned, { type: 'SCHEDULE_VISIT', date: '2020-08-20', team: 'A' }, 'team not a list'],
    [planned, { type: 'SCHEDULE_VISIT', date: '2020-08-20', sampledUnits: [''] }, 'empty unit code'],
    [planned, { type: 'RECORD_FINDING', criterionCode: 'a1', kind: 'weakness', text: 't' }, 'unknown kind'],
    [planned, { type: 'RECORD_FINDING', criterionCode: 'a1', kind: 'strength' }, 'missing text'],
    [planned, { type: 'RECORD_FINDING', criterionCode: 'a1', kind: 'strength', text: 'x'.repeat(20_001) }, 'text too long'],
    [planned, { type: 'ISSUE_CONCLUSION', summary: 's' }, 'missing remediation list'],
    [planned, { type: 'ISSUE_CONCLUSION', summary: 's', remediation: [{ action: 'a' }] }, 'item without dueDate'],
    [planned, { type: 'ISSUE_CONCLUSION', summary: 's', remediation: [{ action: '', dueDate: '2020-10-01' }] }, 'empty action'],
    [planned, { type: 'REPORT_PROGRESS', itemId: 'R1', percent: 101 }, 'percent 101'],
    [planned, { type: 'REPORT_PROGRESS', itemId: 'R1', percent: -1 }, 'negative percent'],
    [planned, { type: 'REPORT_PROGRESS', itemId: 'R1', percent: 50.5 }, 'fractional percent'],
    [planned, { type: 'REPORT_PROGRESS', itemId: 'R1', percent: '100' }, 'percent as a string'],
    [planned, { type: 'REPORT_PROGRESS', itemId: '', percent: 10 }, 'empty item id'],
    [planned, { type: 'VERIFY_ITEM', itemId: 'R1', accepted: 'yes' }, 'accepted not boolean'],
    [planned, { type: 'VERIFY_ITEM', itemId: 'R1' }, 'missing accepted'],
    [planned, { type: 'CANCEL' }, 'missing reason'],
    [planned, { type: 'CANCEL', reason: 42 }, 'reason not a string'],
    [surprise, { type: 'DECIDE' }, 'missing decisionNo'],
    [surprise, { type: 'DECIDE', decisionNo: '1/QĐ', visitDate: '2020-13-01' }, 'bad visit date'],
    [surprise, { type: 'REJECT', reason: '' }, 'empty reason'],
    [plan, { type: 'APPROVE' }, 'missing decisionNo'],
    [plan, { type: 'RETURN' }, 'missing reason'],
    [plan, { type: 'REPORT', summary: '' }, 'empty summary'],
  ];

  it.each(rejected)('%#: rejects %j (%s)', (mod, payload) => {
    expect(accepts(mod, payload)).toBe(false);
  });

  const acceptedPayloads: [MachineModule<unknown, unknown>, Payload & { type: string }][] = [
    [planned, { type: 'REQUEST_SELF_REPORT', dueDate: '2020-02-29' }],
    [planned, { type: 'SUBMIT_SELF_REPORT', summary: 's', documents: [{ title: 'Phụ lục' }, { title: 'x', url: 'https://x.vn/a.pdf' }] }],
    [planned, { type: 'START_VISIT' }],
    [planned, { type: 'COMPLETE_VISIT' }],
    [planned, { type: 'ISSUE_CONCLUSION', summary: 's', remediation: [] }],
    [planned, { type: 'REPORT_PROGRESS', itemId: 'R1', percent: 0 }],
    [planned, { type: 'REPORT_PROGRESS', itemId: 'R1', percent: 100, note: 'Xong' }],
    [planned, { type: 'VERIFY_ITEM', itemId: 'R1', accepted: false }],
    [surprise, { type: 'DECIDE', decisionNo: '1/QĐ-UBND' }],
    [plan, { type: 'SUBMIT' }],
  ];

  it.each(acceptedPayloads)('%#: accepts %j', (mod, payload) => {
    expect(accepts(mod, payload)).toBe(true);
  });
});

describe('input schemas', () => {
  it('planned: planId, unitCode and an optional known time zone', () => {
    expect(planned.input.safeParse({ planId: 'p', unitCode: 'u' }).success).toBe(true);
    expect(planned.input.safeParse({ planId: 'p', unitCode: 'u', timeZone: 'Asia/Bangkok' }).success).toBe(true);
    expect(planned.input.safeParse({ planId: 'p', unitCode: 'u', timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(planned.input.safeParse({ planId: 'p' }).success).toBe(false);
    expect(planned.input.safeParse({ planId: ' ', unitCode: 'u' }).success).toBe(false);
  });

  it('surprise: non-empty, unique s1/s2 contents, announced flag and reason', () => {
    const good = { unitCode: 'u', contents: ['s1', 's2'], announced: false, reason: 'r' };
    expect(surprise.input.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, contents: [] },
      { ...good, contents: ['s1', 's1'] },
      { ...good, contents: ['a1'] },
      { ...good, announced: 'no' },
      { ...good, announced: undefined },
      { ...good, reason: '' },
    ]) {
      expect(surprise.input.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
