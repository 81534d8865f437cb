import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { defaultCalendarLookup } from '../../src/domain/calendar.js';
import { DEFAULT_REMINDER_POLICY, localTimeOn, planReminders, resolveReminderPolicy } from '../../src/reminders/policy.js';
import { backoffMs } from '../../src/reminders/webhook-client.js';

const ctx = (now: string) => ({ now: new Date(now), calendar: defaultCalendarLookup, timeZone: 'Asia/Ho_Chi_Minh', sendTime: '08:00' });

describe('the reminder policy', () => {
  it('sends at 08:00 local time', () => {
    expect(localTimeOn('2020-07-15', '08:00', 'Asia/Ho_Chi_Minh').toISOString()).toBe('2020-07-15T01:00:00.000Z');
    expect(localTimeOn('2020-07-15', '08:30', 'Europe/Paris').toISOString()).toBe('2020-07-15T06:30:00.000Z');
  });

  it('counts overdue reminders in working days on the calendar (Tết 2020 is skipped)', () => {
    // Due Wednesday 22/1/2020; 23–29/1 is Tết: the first overdue working day is Thursday 30/1.
    const plan = planReminders(
      { kind: 'selfReport', dueDate: '2020-01-22', dueAt: new Date('2020-01-22T17:00:00Z') },
      DEFAULT_REMINDER_POLICY,
      ctx('2020-01-23T03:00:00Z'),
    );
    expect(plan.reminders.map((r) => [r.offsetDays, r.audience, r.sendAt.toISOString()])).toEqual([
      [1, 'unit', '2020-01-30T01:00:00.000Z'],
      [1, 'coordinator', '2020-01-30T01:00:00.000Z'],
    ]);
    expect(plan.nextCheckAt?.toISOString()).toBe('2020-01-30T01:00:00.000Z');
  });

  it('reminds the coordinator, not the unit, of a conclusion due; nothing overdue for a visit', () => {
    const conclusion = planReminders(
      { kind: 'conclusion', dueDate: '2020-09-10', dueAt: new Date('2020-09-10T17:00:00Z') },
      DEFAULT_REMINDER_POLICY,
      ctx('2020-08-20T03:00:00Z'),
    );
    expect(conclusion.reminders.map((r) => [r.offsetDays, r.audience])).toEqual([
      [-5, 'coordinator'],
      [-1, 'coordinator'],
      [0, 'coordinator'],
    ]);
    const visit = planReminders({ kind: 'visit', dueDate: '2020-08-20', dueAt: new Date('2020-08-20T17:00:00Z') }, DEFAULT_REMINDER_POLICY, ctx('2020-09-01T03:00:00Z'));
    expect(visit).toEqual({ reminders: [], nextCheckAt: null });
  });

  it('stops after the last overdue reminder of the series', () => {
    const plan = planReminders(
      { kind: 'conclusion', dueDate: '2020-09-10', dueAt: new Date('2020-09-10T17:00:00Z') },
      DEFAULT_REMINDER_POLICY,
      ctx('2021-01-01T03:00:00Z'),
    );
    expect(plan.reminders.map((r) => `${r.offsetDays}:${r.audience}`)).toEqual(['16:coordinator', '16:chairman']);
    expect(plan.nextCheckAt).toBeNull();
  });

  it('takes changes from REMINDER_POLICY, and a bad one stops the start with the variable named', () => {
    const config = loadConfig({ REMINDER_POLICY: '{"rules":{"selfReport":{"daysBefore":[5,2],"onTheDay":false}},"catchUpHours":6}' });
    const policy = resolveReminderPolicy(config.REMINDER_POLICY);
    expect(policy.catchUpHours).toBe(6);
    expect(policy.rules.selfReport).toMatchObject({ daysBefore: [5, 2], onTheDay: false, escalateTo: { coordinator: 1, chairman: 10 } });
    expect(policy.rules.remediation).toEqual(DEFAULT_REMINDER_POLICY.rules.remediation);
    for (const bad of ['{', '{"rules":{"audit":{}}}', '{"rules":{"visit":{"daysBefore":[0]}}}', '{"catchUp":1}']) {
      expect(() => loadConfig({ REMINDER_POLICY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ REMINDER_POLICY: bad }), bad).toThrow(/REMINDER_POLICY/);
    }
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 30_000, 3_600_000, () => 0)).toBe(15_000);
    expect(backoffMs(1, 30_000, 3_600_000, () => 1)).toBe(30_000);
    expect(backoffMs(3, 30_000, 3_600_000, () => 1)).toBe(120_000);
    expect(backoffMs(20, 30_000, 3_600_000, () => 1)).toBe(3_600_000);
    expect(backoffMs(20, 30_000, 3_600_000, () => 0)).toBe(1_800_000);
  });
});
