import { describe, expect, it } from 'vitest';
import { inspectionPlan } from '../../machines/index.js';
import { inspectionPlanMachine } from '../../machines/inspectionPlan.js';
import { Instance } from './driver.js';

const input = { planId: 'plan-2020', year: 2020 };

describe('inspectionPlan', () => {
  it('goes draft → awaitingApproval → draft (returned) → awaitingApproval → approved → reported', () => {
    const i = new Instance(inspectionPlan, input);
    expect(inspectionPlanMachine.id).toBe('inspectionPlan');
    expect(i.state).toBe('draft');
    expect(i.context).toEqual({ planId: 'plan-2020', year: 2020, submissions: [], returns: [] });
    expect(i.ok({ type: 'SUBMIT' }, '2020-05-01T00:00:00.000Z').state).toBe('awaitingApproval');
    expect(i.ok({ type: 'RETURN', reason: 'Bổ sung Sở Y tế' }, '2020-05-02T00:00:00.000Z').state).toBe('draft');
    expect(i.ok({ type: 'SUBMIT' }, '2020-05-03T00:00:00.000Z').state).toBe('awaitingApproval');
    expect(i.ok({ type: 'APPROVE', decisionNo: '1234/QĐ-UBND' }, '2020-05-04T00:00:00.000Z').state).toBe('approved');
    expect(i.context).toMatchObject({
      decisionNo: '1234/QĐ-UBND',
      approvedAt: '2020-05-04T00:00:00.000Z',
      submissions: [{ at: '2020-05-01T00:00:00.000Z' }, { at: '2020-05-03T00:00:00.000Z' }],
      returns: [{ reason: 'Bổ sung Sở Y tế', at: '2020-05-02T00:00:00.000Z' }],
    });
    expect(i.ok({ type: 'REPORT', summary: 'Báo cáo kết quả' }, '2020-12-20T00:00:00.000Z').state).toBe('reported');
    expect(i.snapshot().status).toBe('done');
    expect(i.context).toMatchObject({ summary: 'Báo cáo kết quả', reportedAt: '2020-12-20T00:00:00.000Z' });
  });

  it('refuses events out of order', () => {
    const i = new Instance(inspectionPlan, input);
    expect(i.can({ type: 'APPROVE', decisionNo: 'x' })).toBe(false);
    expect(i.can({ type: 'REPORT', summary: 'x' })).toBe(false);
    expect(i.can({ type: 'RETURN', reason: 'x' })).toBe(false);
    i.ok({ type: 'SUBMIT' }, '2020-05-01T00:00:00.000Z');
    expect(i.can({ type: 'SUBMIT' })).toBe(false);
    expect(i.can({ type: 'REPORT', summary: 'x' })).toBe(false);
    i.ok({ type: 'APPROVE', decisionNo: 'x' }, '2020-05-01T00:00:00.000Z');
    expect(i.can({ type: 'RETURN', reason: 'x' })).toBe(false);
    i.ok({ type: 'REPORT', summary: 'x' }, '2020-05-01T00:00:00.000Z');
    for (const type of ['SUBMIT', 'APPROVE', 'RETURN', 'REPORT']) expect(i.can({ type, reason: 'x', summary: 'x', decisionNo: 'x' })).toBe(false);
  });

  it('has no payload checks and no deadlines of its own', () => {
    const i = new Instance(inspectionPlan, input);
    expect(i.issues({ type: 'SUBMIT' })).toEqual([]);
    expect(i.deadlines('2020-05-01T00:00:00.000Z')).toEqual([]);
  });

  it('validates its input', () => {
    expect(inspectionPlan.input.safeParse(input).success).toBe(true);
    for (const bad of [{ planId: '', year: 2020 }, { planId: 'p', year: 2020.5 }, { planId: 'p', year: '2020' }, { planId: 'p' }]) {
      expect(inspectionPlan.input.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
