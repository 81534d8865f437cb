import { describe, expect, it } from 'vitest';
import { surpriseInspection, type SurpriseInspectionInput } from '../../machines/index.js';
import { surpriseInspectionMachine } from '../../machines/surpriseInspection.js';
import { Instance, type Payload } from './driver.js';

const base = { unitCode: 'SO-Y-TE', reason: 'Phản ánh về thái độ phục vụ' };
const T0 = '2020-09-01T02:00:00.000Z';

function proposed(extra: Partial<SurpriseInspectionInput> = {}) {
  return new Instance(surpriseInspection, { ...base, contents: ['s1', 's2'], announced: true, ...extra });
}

function decided(announced: boolean, extra: Partial<SurpriseInspectionInput> = {}) {
  const i = proposed({ announced, ...extra });
  i.ok({ type: 'DECIDE', decisionNo: '456/QĐ-UBND', visitDate: '2020-09-15' }, T0);
  return i;
}

const schedule: Payload = { type: 'SCHEDULE_VISIT', date: '2020-09-15', team: ['Trưởng đoàn'] };
const start: Payload = { type: 'START_VISIT' };

describe('surpriseInspection: proposal and decision', () => {
  it('starts proposed with the input in context', () => {
    const i = proposed();
    expect(i.state).toBe('proposed');
    expect(i.context).toMatchObject({
      unitCode: 'SO-Y-TE',
      contents: ['s1', 's2'],
      announced: true,
      reason: 'Phản ánh về thái độ phục vụ',
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    expect(surpriseInspectionMachine.id).toBe('surpriseInspection');
    expect(surpriseInspection.version).toBe(1);
  });

  it('DECIDE records the chairman decision', () => {
    const i = decided(true);
    expect(i.state).toBe('decided');
    expect(i.context.decision).toEqual({ decisionNo: '456/QĐ-UBND', visitDate: '2020-09-15', decidedAt: T0 });
  });

  it('REJECT cancels a proposal, and only a proposal', () => {
    const i = proposed();
    const outcome = i.ok({ type: 'REJECT', reason: 'Không đủ căn cứ' }, T0);
    expect(outcome.state).toBe('cancelled');
    expect(i.context.cancellation).toEqual({ reason: 'Không đủ căn cứ', at: T0, by: 'REJECT' });
    expect(decided(true).can({ type: 'REJECT', reason: 'x' })).toBe(false);
  });
});

describe('surpriseInspection: announced or not', () => {
  it('announced: decided → visit.scheduled → visit.inProgress; cannot start straight from decided', () => {
    const i = decided(true);
    expect(i.can(start)).toBe(false);
    expect(i.send(start, T0)).toEqual({ status: 409, state: 'decided' });
    expect(i.ok(schedule, T0).state).toBe('visit.scheduled');
    expect(i.ok({ type: 'SCHEDULE_VISIT', date: '2020-09-18' }, T0).state).toBe('visit.scheduled');
    expect(i.ok(start, '2020-09-18T01:00:00.000Z').state).toBe('visit.inProgress');
    expect(i.context.visit).toMatchObject({ date: '2020-09-18', team: ['Trưởng đoàn'], startedAt: '2020-09-18T01:00:00.000Z' });
  });

  it('unannounced: cannot schedule; START_VISIT goes straight to visit.inProgress', () => {
    const i = decided(false);
    expect(i.can(schedule)).toBe(false);
    expect(i.send(schedule, T0)).toEqual({ status: 409, state: 'decided' });
    const outcome = i.ok(start, '2020-09-15T01:00:00.000Z');
    expect(outcome.state).toBe('visit.inProgress');
    expect(i.context.visit?.startedAt).toBe('2020-09-15T01:00:00.000Z');
    expect(i.context.visit?.date).toBeUndefined();
  });

  it('runs findings, conclusion and remediation like a planned inspection', () => {
    const i = decided(false, { contents: ['s2'] });
    i.ok(start, '2020-09-15T01:00:00.000Z');
    expect(i.ok({ type: 'COMPLETE_VISIT' }, '2020-09-15T09:00:00.000Z').state).toBe('findings');
    i.ok({ type: 'RECORD_FINDING', criterionCode: 's2', kind: 'shortcoming', text: 'Không xin lỗi' }, '2020-09-16T00:00:00.000Z');
    expect(i.context.findings[0]).toMatchObject({ id: 'F1', criterionCode: 's2', group: 's' });
    i.ok(
      {
        type: 'ISSUE_CONCLUSION',
        summary: 'Kết luận',
        remediation: [
          { action: 'Xin lỗi', dueDate: '2020-10-01', findingId: 'F1' },
          { action: 'Tập huấn', dueDate: '2020-10-15' },
        ],
      },
      '2020-09-20T00:00:00.000Z',
    );
    expect(i.state).toBe('remediation');
    for (const itemId of ['R2', 'R1']) {
      expect(i.can({ type: 'VERIFY_ITEM', itemId, accepted: true })).toBe(false);
      i.ok({ type: 'REPORT_PROGRESS', itemId, percent: 100 }, '2020-09-25T00:00:00.000Z');
      i.ok({ type: 'VERIFY_ITEM', itemId, accepted: true }, '2020-09-26T00:00:00.000Z');
    }
    expect(i.state).toBe('closed');
    expect(i.context.closedAt).toBe('2020-09-26T00:00:00.000Z');
  });

  it('ISSUE_CONCLUSION with no remediation closes it', () => {
    const i = decided(false);
    i.ok(start, T0);
    i.ok({ type: 'COMPLETE_VISIT' }, T0);
    expect(i.ok({ type: 'ISSUE_CONCLUSION', summary: 'Tốt', remediation: [] }, T0).state).toBe('closed');
  });
});

describe('surpriseInspection: checkEvent', () => {
  it('a finding must name a criterion among the inspection contents', () => {
    const i = decided(false, { contents: ['s2'] });
    const finding = (criterionCode: string): Payload => ({ type: 'RECORD_FINDING', criterionCode, kind: 'strength', text: 't' });
    expect(i.issues(finding('s2'))).toEqual([]);
    for (const code of ['s1', 'a1', 'x']) {
      expect(i.issues(finding(code))).toEqual([{ path: ['criterionCode'], message: expect.stringContaining('s2') }]);
    }
  });

  it('item ids must exist', () => {
    const i = decided(false);
    expect(i.issues({ type: 'VERIFY_ITEM', itemId: 'R1', accepted: true })).toEqual([
      { path: ['itemId'], message: expect.any(String) },
    ]);
  });
});

describe('surpriseInspection: CANCEL', () => {
  const cancel: Payload = { type: 'CANCEL', reason: 'Đơn vị đã khắc phục' };

  it('is allowed before the end and not after', () => {
    expect(proposed().can(cancel)).toBe(true);
    expect(decided(true).can(cancel)).toBe(true);
    const i = decided(false);
    i.ok(start, T0);
    expect(i.can(cancel)).toBe(true);
    i.ok(cancel, T0);
    expect(i.state).toBe('cancelled');
    expect(i.context.cancellation?.by).toBe('CANCEL');
    expect(i.can(cancel)).toBe(false);
    const rejected = proposed();
    rejected.ok({ type: 'REJECT', reason: 'x' }, T0);
    expect(rejected.can(cancel)).toBe(false);
  });
});

describe('surpriseInspection: deadlines()', () => {
  it('publishes the visit date of an announced inspection only', () => {
    const announced = decided(true);
    expect(announced.deadlines(T0)).toEqual([
      { kind: 'visit', subject: 'visit', dueDate: '2020-09-15', dueAt: '2020-09-15T17:00:00.000Z', status: 'open' },
    ]);
    announced.ok({ type: 'SCHEDULE_VISIT', date: '2020-09-18' }, T0);
    expect(announced.deadlines(T0).map((d) => d.dueDate)).toEqual(['2020-09-18']);
    announced.ok(start, '2020-09-18T01:00:00.000Z');
    expect(announced.deadlines(T0).map((d) => d.status)).toEqual(['met']);

    const unannounced = decided(false);
    expect(unannounced.context.decision?.visitDate).toBe('2020-09-15');
    expect(unannounced.deadlines(T0)).toEqual([]);
  });

  it('has none before the decision', () => {
    expect(proposed().deadlines(T0)).toEqual([]);
  });

  it('cancels the open visit deadline on CANCEL', () => {
    const i = decided(true);
    i.ok({ type: 'CANCEL', reason: 'x' }, T0);
    expect(i.deadlines(T0).map((d) => d.status)).toEqual(['cancelled']);
  });
});
