import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  SELF_REPORT_DUE_EVENT,
  endOfDay,
  plannedInspection,
  stateString,
  type PlannedInspectionContext,
  type PlannedInspectionInput,
} from '../../machines/index.js';
import { plannedInspectionMachine } from '../../machines/plannedInspection.js';
import { Instance, cancelled, raised, type Payload } from './driver.js';

const input = { planId: 'plan-2020', unitCode: 'SO-XAY-DUNG' };
const REQUESTED_AT = '2020-07-01T03:00:00.000Z';

function created(extra: Partial<PlannedInspectionInput> = {}) {
  return new Instance(plannedInspection, { ...input, ...extra });
}

/** An instance driven to `findings` (self-report submitted, visit done). */
function atFindings() {
  const i = created();
  i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
  i.ok({ type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo' }, '2020-07-10T01:00:00.000Z');
  i.ok({ type: 'SCHEDULE_VISIT', date: '2020-08-20' }, '2020-07-20T01:00:00.000Z');
  i.ok({ type: 'START_VISIT' }, '2020-08-20T01:00:00.000Z');
  i.ok({ type: 'COMPLETE_VISIT', minutes: 'Biên bản' }, '2020-08-20T09:00:00.000Z');
  return i;
}

/** An instance in `remediation` with two items, R1 (for F1) and R2. */
function atRemediation() {
  const i = atFindings();
  i.ok({ type: 'RECORD_FINDING', criterionCode: 'd2', kind: 'shortcoming', text: 'Hồ sơ trễ hạn' }, '2020-08-21T01:00:00.000Z');
  i.ok(
    {
      type: 'ISSUE_CONCLUSION',
      summary: 'Kết luận',
      remediation: [
        { action: 'Xin lỗi bằng văn bản', dueDate: '2020-09-30', findingId: 'F1' },
        { action: 'Rà soát quy trình', dueDate: '2020-10-31', responsible: 'Văn phòng Sở' },
      ],
    },
    '2020-09-01T01:00:00.000Z',
  );
  return i;
}

const verify = (itemId: string, accepted = true): Payload => ({ type: 'VERIFY_ITEM', itemId, accepted });
const progress = (itemId: string, percent: number): Payload => ({ type: 'REPORT_PROGRESS', itemId, percent });

describe('plannedInspection: creation', () => {
  it('starts in planned with the input and the default time zone in context', () => {
    const i = created();
    expect(i.state).toBe('planned');
    expect(i.context).toMatchObject({
      planId: 'plan-2020',
      unitCode: 'SO-XAY-DUNG',
      timeZone: 'Asia/Ho_Chi_Minh',
      findings: [],
      remediation: [],
    });
    expect(plannedInspection.name).toBe('plannedInspection');
    expect(plannedInspection.version).toBe(1);
    expect(plannedInspectionMachine.id).toBe('plannedInspection');
  });

  it('computes deadlines in the instance time zone', () => {
    const i = created({ timeZone: 'Europe/Berlin' });
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    expect(i.context.selfReport?.dueAt).toBe('2020-07-15T22:00:00.000Z');
  });
});

describe('plannedInspection: self-report and its delayed deadline', () => {
  it('raises the overdue timer with delay = end of the due day − now', () => {
    const i = created();
    const { actions, state } = i.ok(
      { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15', outline: 'Đề cương' },
      REQUESTED_AT,
    );
    expect(state).toBe('selfReport.requested');
    const dueAt = endOfDay('2020-07-15', 'Asia/Ho_Chi_Minh');
    expect(dueAt).toBe('2020-07-15T17:00:00.000Z');
    expect(raised(actions)).toEqual([
      {
        id: SELF_REPORT_DUE_EVENT,
        event: { type: SELF_REPORT_DUE_EVENT },
        delay: Date.parse(dueAt) - Date.parse(REQUESTED_AT),
      },
    ]);
    expect(i.context.selfReport).toMatchObject({
      requestedAt: REQUESTED_AT,
      dueDate: '2020-07-15',
      dueAt,
      outline: 'Đề cương',
    });
  });

  it('computes the delay from the clock given to withClock', () => {
    const [planned] = initialTransition(plannedInspectionMachine, input);
    const stored = plannedInspectionMachine.getPersistedSnapshot(planned);
    const event = { type: 'REQUEST_SELF_REPORT' as const, dueDate: '2020-07-15', at: REQUESTED_AT };
    const delayAt = (nowIso: string) => {
      // The snapshot must be resolved by the clocked machine: transition() uses
      // the implementations of the machine the snapshot belongs to.
      const machine = plannedInspection.withClock(Date.parse(nowIso));
      const [, actions] = transition(machine, machine.resolveState(stored as never), event);
      return raised(actions)[0]?.delay;
    };
    expect(delayAt('2020-07-10T00:00:00.000Z')).toBe(
      Date.parse('2020-07-15T17:00:00.000Z') - Date.parse('2020-07-10T00:00:00.000Z'),
    );
    expect(delayAt('2020-08-01T00:00:00.000Z')).toBe(0);
  });

  it('without a clock, measures the delay from the event stamp', () => {
    const [planned] = initialTransition(plannedInspectionMachine, input);
    const [, actions] = transition(plannedInspectionMachine, planned, {
      type: 'REQUEST_SELF_REPORT',
      dueDate: '2020-07-15',
      at: REQUESTED_AT,
    });
    expect(raised(actions)[0]?.delay).toBe(Date.parse('2020-07-15T17:00:00.000Z') - Date.parse(REQUESTED_AT));
  });

  it('goes overdue when the stored timer fires, and accepts a late self-report', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    const fired = i.fire(SELF_REPORT_DUE_EVENT, '2020-07-15T17:00:00.000Z');
    expect(fired).toMatchObject({ status: 200, state: 'selfReport.overdue' });
    expect(i.can({ type: 'SUBMIT_SELF_REPORT', summary: 'x' })).toBe(true);
    const { state } = i.ok({ type: 'SUBMIT_SELF_REPORT', summary: 'Nộp muộn' }, '2020-07-17T02:00:00.000Z');
    expect(state).toBe('selfReport.submitted');
    expect(i.context.selfReport?.submittedAt).toBe('2020-07-17T02:00:00.000Z');
    expect(i.context.selfReport?.submissions).toEqual([
      { at: '2020-07-17T02:00:00.000Z', summary: 'Nộp muộn', documents: [] },
    ]);
  });

  it('EXTEND_DEADLINE re-enters requested: the old timer is cancelled and a new one raised', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    const at = '2020-07-14T03:00:00.000Z';
    const { state, actions } = i.ok({ type: 'EXTEND_DEADLINE', dueDate: '2020-07-31', reason: 'Bão lũ' }, at);
    expect(state).toBe('selfReport.requested');
    expect(cancelled(actions)).toEqual([SELF_REPORT_DUE_EVENT]);
    expect(raised(actions)).toEqual([
      {
        id: SELF_REPORT_DUE_EVENT,
        event: { type: SELF_REPORT_DUE_EVENT },
        delay: Date.parse('2020-07-31T17:00:00.000Z') - Date.parse(at),
      },
    ]);
    // The cancel comes first, so an engine applying actions in order keeps the new timer.
    expect(actions.map((a) => a.type)).toEqual(['xstate.cancel', 'xstate.raise']);
    expect(i.context.selfReport).toMatchObject({
      dueDate: '2020-07-31',
      extensions: [{ at, reason: 'Bão lũ', fromDueDate: '2020-07-15', dueDate: '2020-07-31' }],
    });
  });

  it('EXTEND_DEADLINE from overdue returns to requested with a new timer', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    i.fire(SELF_REPORT_DUE_EVENT, '2020-07-15T17:00:00.000Z');
    const at = '2020-07-16T03:00:00.000Z';
    const { state, actions } = i.ok({ type: 'EXTEND_DEADLINE', dueDate: '2020-07-20', reason: 'Gia hạn' }, at);
    expect(state).toBe('selfReport.requested');
    expect(cancelled(actions)).toEqual([]);
    expect(raised(actions)[0]?.delay).toBe(Date.parse('2020-07-20T17:00:00.000Z') - Date.parse(at));
  });

  it('an extension must move the deadline later', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    const outcome = i.send({ type: 'EXTEND_DEADLINE', dueDate: '2020-07-15', reason: 'x' }, REQUESTED_AT);
    expect(outcome.status).toBe(400);
    expect(outcome.status === 400 && outcome.issues[0]?.path).toEqual(['dueDate']);
  });

  it('submitting early cancels the timer', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    const { actions } = i.ok({ type: 'SUBMIT_SELF_REPORT', summary: 'Đúng hạn' }, '2020-07-10T00:00:00.000Z');
    expect(cancelled(actions)).toEqual([SELF_REPORT_DUE_EVENT]);
    expect(raised(actions)).toEqual([]);
  });

  it('REQUEST_REVISION reopens the self-report with a new deadline and timer', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    i.ok({ type: 'SUBMIT_SELF_REPORT', summary: 'Lần 1' }, '2020-07-10T00:00:00.000Z');
    const at = '2020-07-12T00:00:00.000Z';
    const { state, actions } = i.ok({ type: 'REQUEST_REVISION', reason: 'Thiếu minh chứng', dueDate: '2020-07-25' }, at);
    expect(state).toBe('selfReport.requested');
    expect(raised(actions)[0]?.delay).toBe(Date.parse('2020-07-25T17:00:00.000Z') - Date.parse(at));
    expect(i.context.selfReport?.submittedAt).toBeUndefined();
    expect(i.context.selfReport?.submissions).toHaveLength(1);
    expect(i.context.selfReport?.revisions).toEqual([{ at, reason: 'Thiếu minh chứng', dueDate: '2020-07-25' }]);
    expect(i.deadlines(at)).toEqual([
      {
        kind: 'selfReport',
        subject: 'selfReport',
        dueDate: '2020-07-25',
        dueAt: '2020-07-25T17:00:00.000Z',
        status: 'open',
      },
    ]);
  });

  it('cannot schedule the visit before the self-report is submitted', () => {
    const i = created();
    expect(i.can({ type: 'SCHEDULE_VISIT', date: '2020-08-20' })).toBe(false);
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    expect(i.can({ type: 'SCHEDULE_VISIT', date: '2020-08-20' })).toBe(false);
    expect(i.send({ type: 'SCHEDULE_VISIT', date: '2020-08-20' }, REQUESTED_AT).status).toBe(409);
  });
});

describe('plannedInspection: visit', () => {
  it('schedules, reschedules (re-entering), starts and completes the visit', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    i.ok({ type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo' }, '2020-07-10T01:00:00.000Z');
    i.ok(
      { type: 'SCHEDULE_VISIT', date: '2020-08-20', team: ['Trưởng đoàn'], sampledUnits: ['XA-1', 'XA-2'] },
      '2020-07-20T01:00:00.000Z',
    );
    const again = i.ok({ type: 'SCHEDULE_VISIT', date: '2020-08-27' }, '2020-08-01T01:00:00.000Z');
    expect(again.state).toBe('visit.scheduled');
    expect(i.context.visit).toMatchObject({
      date: '2020-08-27',
      dueAt: '2020-08-27T17:00:00.000Z',
      team: ['Trưởng đoàn'],
      sampledUnits: ['XA-1', 'XA-2'],
      schedule: [
        { date: '2020-08-20', at: '2020-07-20T01:00:00.000Z' },
        { date: '2020-08-27', at: '2020-08-01T01:00:00.000Z' },
      ],
    });
    expect(i.ok({ type: 'START_VISIT' }, '2020-08-27T01:00:00.000Z').state).toBe('visit.inProgress');
    expect(i.can({ type: 'SCHEDULE_VISIT', date: '2020-09-01' })).toBe(false);
    const done = i.ok({ type: 'COMPLETE_VISIT', minutes: 'Biên bản', conclusionDueDate: '2020-09-17' }, '2020-08-27T09:00:00.000Z');
    expect(done.state).toBe('findings');
    expect(i.context.visit).toMatchObject({
      startedAt: '2020-08-27T01:00:00.000Z',
      completedAt: '2020-08-27T09:00:00.000Z',
      minutes: 'Biên bản',
    });
    expect(i.context.conclusionDueDate).toBe('2020-09-17');
  });
});

describe('plannedInspection: findings and conclusion', () => {
  it('numbers findings F1, F2 and records who, what, when', () => {
    const i = atFindings();
    i.ok({ type: 'RECORD_FINDING', criterionCode: 'a1', kind: 'strength', text: 'Tốt' }, '2020-08-21T01:00:00.000Z');
    i.ok(
      { type: 'RECORD_FINDING', criterionCode: 'i3', kind: 'goodPractice', text: 'Nhân rộng', responsible: 'Giám đốc' },
      '2020-08-21T02:00:00.000Z',
    );
    expect(i.state).toBe('findings');
    expect(i.context.findings).toEqual([
      { id: 'F1', criterionCode: 'a1', group: 'a', kind: 'strength', text: 'Tốt', recordedAt: '2020-08-21T01:00:00.000Z' },
      {
        id: 'F2',
        criterionCode: 'i3',
        group: 'i',
        kind: 'goodPractice',
        text: 'Nhân rộng',
        responsible: 'Giám đốc',
        recordedAt: '2020-08-21T02:00:00.000Z',
      },
    ]);
    expect(i.context.findingSeq).toBe(2);
  });

  it('rejects a finding on a criterion outside the planned catalog', () => {
    const i = atFindings();
    for (const criterionCode of ['s1', 'f1', 'zz']) {
      const outcome = i.send({ type: 'RECORD_FINDING', criterionCode, kind: 'shortcoming', text: 'x' }, REQUESTED_AT);
      expect(outcome.status).toBe(400);
      expect(outcome.status === 400 && outcome.issues.map((issue) => issue.path)).toEqual([['criterionCode']]);
    }
    expect(i.context.findings).toEqual([]);
  });

  it('ISSUE_CONCLUSION with an empty remediation list closes the inspection', () => {
    const i = atFindings();
    const at = '2020-09-01T01:00:00.000Z';
    const outcome = i.ok({ type: 'ISSUE_CONCLUSION', summary: 'Không có tồn tại', remediation: [] }, at);
    expect(outcome.state).toBe('closed');
    expect(i.snapshot().status).toBe('done');
    expect(i.context.conclusion).toEqual({ summary: 'Không có tồn tại', issuedAt: at });
    expect(i.context.closedAt).toBe(at);
  });

  it('ISSUE_CONCLUSION creates remediation items R1, R2 with their deadlines', () => {
    const i = atRemediation();
    expect(i.state).toBe('remediation');
    expect(i.context.remediation).toEqual([
      {
        id: 'R1',
        action: 'Xin lỗi bằng văn bản',
        dueDate: '2020-09-30',
        dueAt: '2020-09-30T17:00:00.000Z',
        findingId: 'F1',
        status: 'open',
        percent: 0,
        progress: [],
        verifications: [],
      },
      {
        id: 'R2',
        action: 'Rà soát quy trình',
        dueDate: '2020-10-31',
        dueAt: '2020-10-31T17:00:00.000Z',
        responsible: 'Văn phòng Sở',
        status: 'open',
        percent: 0,
        progress: [],
        verifications: [],
      },
    ]);
  });

  it('rejects remediation that refers to an unknown finding', () => {
    const i = atFindings();
    const outcome = i.send(
      {
        type: 'ISSUE_CONCLUSION',
        summary: 'Kết luận',
        remediation: [
          { action: 'a', dueDate: '2020-09-30' },
          { action: 'b', dueDate: '2020-09-30', findingId: 'F9' },
        ],
      },
      REQUESTED_AT,
    );
    expect(outcome).toEqual({
      status: 400,
      issues: [{ path: ['remediation', 1, 'findingId'], message: expect.stringContaining('F9') }],
    });
    expect(i.state).toBe('findings');
  });
});

describe('plannedInspection: remediation', () => {
  it('VERIFY_ITEM on an open item is not allowed', () => {
    const i = atRemediation();
    expect(i.can(verify('R1'))).toBe(false);
    expect(i.send(verify('R1'), '2020-09-02T00:00:00.000Z')).toEqual({ status: 409, state: 'remediation' });
    i.ok(progress('R1', 60), '2020-09-10T00:00:00.000Z');
    expect(i.can(verify('R1'))).toBe(false);
  });

  it('an unknown item id is a payload issue, not a state conflict', () => {
    const i = atRemediation();
    for (const payload of [progress('R7', 10), verify('R7')]) {
      expect(i.send(payload, '2020-09-02T00:00:00.000Z')).toEqual({
        status: 400,
        issues: [{ path: ['itemId'], message: expect.stringContaining('R7') }],
      });
    }
  });

  it('REPORT_PROGRESS 100 marks the item reported and keeps the history', () => {
    const i = atRemediation();
    i.ok({ ...progress('R1', 40), note: 'Đã soạn dự thảo' }, '2020-09-05T00:00:00.000Z');
    expect(i.context.remediation[0]).toMatchObject({ status: 'open', percent: 40 });
    i.ok(progress('R1', 100), '2020-09-20T00:00:00.000Z');
    expect(i.context.remediation[0]).toMatchObject({
      status: 'reported',
      percent: 100,
      progress: [
        { at: '2020-09-05T00:00:00.000Z', percent: 40, note: 'Đã soạn dự thảo' },
        { at: '2020-09-20T00:00:00.000Z', percent: 100 },
      ],
    });
  });

  it('a rejected verification sends the item back to open, keeping its percent', () => {
    const i = atRemediation();
    i.ok(progress('R1', 100), '2020-09-20T00:00:00.000Z');
    i.ok({ ...verify('R1', false), note: 'Chưa có văn bản' }, '2020-09-21T00:00:00.000Z');
    expect(i.state).toBe('remediation');
    expect(i.context.remediation[0]).toMatchObject({
      status: 'open',
      percent: 100,
      verifications: [{ at: '2020-09-21T00:00:00.000Z', accepted: false, note: 'Chưa có văn bản' }],
    });
    expect(i.can(verify('R1'))).toBe(false);
    i.ok(progress('R1', 100), '2020-09-25T00:00:00.000Z');
    expect(i.can(verify('R1'))).toBe(true);
  });

  it('closes only once every item is verified, whatever the order', () => {
    const i = atRemediation();
    i.ok(progress('R1', 100), '2020-09-20T00:00:00.000Z');
    i.ok(progress('R2', 100), '2020-09-21T00:00:00.000Z');
    expect(i.ok(verify('R2'), '2020-09-22T00:00:00.000Z').state).toBe('remediation');
    expect(i.context.closedAt).toBeUndefined();
    const last = i.ok(verify('R1'), '2020-09-23T00:00:00.000Z');
    expect(last.state).toBe('closed');
    expect(i.context.closedAt).toBe('2020-09-23T00:00:00.000Z');
    expect(i.context.remediation.map((item) => [item.status, item.verifiedAt])).toEqual([
      ['verified', '2020-09-23T00:00:00.000Z'],
      ['verified', '2020-09-22T00:00:00.000Z'],
    ]);
  });

  it('asked without a payload, can() tells whether some item could take the event', () => {
    // The engine lists allowed events with `can({ type })`.
    const i = atRemediation();
    const bare = (type: string) => i.snapshot().can({ type, at: REQUESTED_AT });
    expect(bare('REPORT_PROGRESS')).toBe(true);
    expect(bare('VERIFY_ITEM')).toBe(false);
    i.ok(progress('R1', 100), '2020-09-20T00:00:00.000Z');
    expect(bare('VERIFY_ITEM')).toBe(true);
  });

  it('no more progress on a verified item', () => {
    const i = atRemediation();
    i.ok(progress('R1', 100), '2020-09-20T00:00:00.000Z');
    i.ok(verify('R1'), '2020-09-22T00:00:00.000Z');
    expect(i.can(progress('R1', 100))).toBe(false);
    expect(i.can(progress('R2', 10))).toBe(true);
    expect(i.can(verify('R1'))).toBe(false);
  });
});

describe('plannedInspection: CANCEL', () => {
  const cancel: Payload = { type: 'CANCEL', reason: 'Đơn vị giải thể' };

  it('is allowed from every non-final state and records why', () => {
    const reached: Record<string, () => Instance<PlannedInspectionContext, PlannedInspectionInput>> = {
      planned: () => created(),
      'selfReport.requested': () => {
        const i = created();
        i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
        return i;
      },
      'selfReport.overdue': () => {
        const i = reached['selfReport.requested']!();
        i.fire(SELF_REPORT_DUE_EVENT, '2020-07-15T17:00:00.000Z');
        return i;
      },
      'visit.inProgress': () => {
        const i = atFindings();
        return i;
      },
      findings: atFindings,
      remediation: atRemediation,
    };
    for (const [name, make] of Object.entries(reached)) {
      const i = make();
      const at = '2020-09-15T00:00:00.000Z';
      const outcome = i.ok(cancel, at);
      expect(outcome.state, name).toBe('cancelled');
      expect(i.context.cancellation).toEqual({ reason: 'Đơn vị giải thể', at, by: 'CANCEL' });
    }
  });

  it('leaving requested by CANCEL cancels the overdue timer', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    expect(cancelled(i.ok(cancel, '2020-07-02T00:00:00.000Z').actions)).toEqual([SELF_REPORT_DUE_EVENT]);
  });

  it('is not allowed from closed or cancelled', () => {
    const closed = atFindings();
    closed.ok({ type: 'ISSUE_CONCLUSION', summary: 'Tốt', remediation: [] }, '2020-09-01T00:00:00.000Z');
    const gone = created();
    gone.ok(cancel, REQUESTED_AT);
    for (const i of [closed, gone]) {
      expect(i.can(cancel)).toBe(false);
      expect(i.send(cancel, '2020-10-01T00:00:00.000Z').status).toBe(409);
    }
  });
});

describe('plannedInspection: deadlines()', () => {
  it('has none before the self-report is requested', () => {
    expect(created().deadlines(REQUESTED_AT)).toEqual([]);
  });

  it('follows the self-report from open to missed to met', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    const status = (now: string) => i.deadlines(now).map((d) => d.status);
    expect(status('2020-07-15T16:59:59.999Z')).toEqual(['open']);
    // Past the deadline but before the timer was applied: already missed.
    expect(status('2020-07-15T17:00:00.000Z')).toEqual(['missed']);
    i.fire(SELF_REPORT_DUE_EVENT, '2020-07-15T17:00:00.000Z');
    expect(i.state).toBe('selfReport.overdue');
    expect(status('2020-07-15T17:00:00.000Z')).toEqual(['missed']);
    i.ok({ type: 'SUBMIT_SELF_REPORT', summary: 'Muộn' }, '2020-07-16T00:00:00.000Z');
    expect(status('2020-07-16T00:00:00.000Z')).toEqual(['met']);
  });

  it('marks open deadlines cancelled when the inspection is cancelled', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    i.ok({ type: 'CANCEL', reason: 'x' }, '2020-07-02T00:00:00.000Z');
    expect(i.deadlines('2020-07-02T00:00:00.000Z')).toEqual([
      { kind: 'selfReport', subject: 'selfReport', dueDate: '2020-07-15', dueAt: '2020-07-15T17:00:00.000Z', status: 'cancelled' },
    ]);
  });

  it('tracks the visit, the conclusion and each remediation item', () => {
    const i = created();
    i.ok({ type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' }, REQUESTED_AT);
    i.ok({ type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo' }, '2020-07-10T01:00:00.000Z');
    i.ok({ type: 'SCHEDULE_VISIT', date: '2020-08-20' }, '2020-07-20T01:00:00.000Z');
    const visit = (now: string) => i.deadlines(now).find((d) => d.kind === 'visit');
    expect(visit('2020-08-20T00:00:00.000Z')).toEqual({
      kind: 'visit',
      subject: 'visit',
      dueDate: '2020-08-20',
      dueAt: '2020-08-20T17:00:00.000Z',
      status: 'open',
    });
    expect(visit('2020-08-21T00:00:00.000Z')?.status).toBe('missed');
    i.ok({ type: 'START_VISIT' }, '2020-08-20T01:00:00.000Z');
    expect(visit('2020-08-21T00:00:00.000Z')?.status).toBe('met');
    i.ok({ type: 'COMPLETE_VISIT', conclusionDueDate: '2020-09-10' }, '2020-08-20T09:00:00.000Z');
    const conclusion = (now: string) => i.deadlines(now).find((d) => d.kind === 'conclusion');
    expect(conclusion('2020-09-01T00:00:00.000Z')).toEqual({
      kind: 'conclusion',
      subject: 'conclusion',
      dueDate: '2020-09-10',
      dueAt: '2020-09-10T17:00:00.000Z',
      status: 'open',
    });
    expect(conclusion('2020-09-11T00:00:00.000Z')?.status).toBe('missed');
    i.ok(
      {
        type: 'ISSUE_CONCLUSION',
        summary: 'Kết luận',
        remediation: [
          { action: 'a', dueDate: '2020-09-30' },
          { action: 'b', dueDate: '2020-10-31' },
        ],
      },
      '2020-09-05T00:00:00.000Z',
    );
    expect(conclusion('2020-09-11T00:00:00.000Z')?.status).toBe('met');
    const items = (now: string) =>
      i.deadlines(now).filter((d) => d.kind === 'remediation').map((d) => [d.subject, d.dueAt, d.status]);
    expect(items('2020-09-15T00:00:00.000Z')).toEqual([
      ['R1', '2020-09-30T17:00:00.000Z', 'open'],
      ['R2', '2020-10-31T17:00:00.000Z', 'open'],
    ]);
    i.ok(progress('R2', 100), '2020-09-20T00:00:00.000Z');
    i.ok(verify('R2'), '2020-09-21T00:00:00.000Z');
    expect(items('2020-10-05T00:00:00.000Z')).toEqual([
      ['R1', '2020-09-30T17:00:00.000Z', 'missed'],
      ['R2', '2020-10-31T17:00:00.000Z', 'met'],
    ]);
    i.ok({ type: 'CANCEL', reason: 'x' }, '2020-10-06T00:00:00.000Z');
    expect(items('2020-10-06T00:00:00.000Z')).toEqual([
      ['R1', '2020-09-30T17:00:00.000Z', 'cancelled'],
      ['R2', '2020-10-31T17:00:00.000Z', 'met'],
    ]);
  });
});

describe('plannedInspection: persisted snapshots', () => {
  const probes: Payload[] = [
    { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15' },
    { type: 'SUBMIT_SELF_REPORT', summary: 's' },
    { type: 'SCHEDULE_VISIT', date: '2020-08-01' },
    { type: 'START_VISIT' },
    { type: 'COMPLETE_VISIT' },
    { type: 'RECORD_FINDING', criterionCode: 'a1', kind: 'strength', text: 't' },
    { type: 'ISSUE_CONCLUSION', summary: 's', remediation: [] },
    progress('R1', 100),
    progress('R2', 50),
    verify('R1'),
    verify('R2'),
    { type: 'CANCEL', reason: 'r' },
  ];

  it('round-trips through JSON with the same value, context and allowed events', () => {
    const i = atRemediation();
    i.ok(progress('R1', 100), '2020-09-20T00:00:00.000Z');
    const machine = plannedInspection.withClock(Date.parse('2020-09-20T00:00:00.000Z'));
    const live = machine.resolveState(i.stored as never);
    const json = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(live)));
    const restored = machine.resolveState(json);
    expect(stateString(restored.value)).toBe('remediation');
    expect(restored.value).toEqual(live.value);
    expect(restored.context).toEqual(live.context);
    for (const probe of probes) {
      const event = { ...probe, at: '2020-09-21T00:00:00.000Z' };
      expect(restored.can(event), probe.type).toBe(live.can(event));
    }
    expect(probes.filter((p) => restored.can({ ...p, at: REQUESTED_AT })).map((p) => p.type)).toEqual([
      'REPORT_PROGRESS',
      'REPORT_PROGRESS',
      'VERIFY_ITEM',
      'CANCEL',
    ]);
  });
});
