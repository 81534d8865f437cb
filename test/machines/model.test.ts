import { getShortestPaths, getStateNodes } from '@xstate/graph';
import { transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  SELF_REPORT_DUE_EVENT,
  inspectionPlan,
  plannedInspection,
  stateString,
  surpriseInspection,
} from '../../machines/index.js';
import type { MachineModule } from '../../machines/types.js';

/**
 * Model-based tests: @xstate/graph walks each machine with concrete payloads
 * and yields the shortest path to every distinct situation. Each path is then
 * replayed the way the engine runs it (JSON snapshot → resolveState → checkEvent
 * → can → transition → JSON) and must reach the same state and context.
 */

const AT = '2020-07-01T03:00:00.000Z';
const NOW = Date.parse(AT);
type Sample = { type: string; at?: string } & Record<string, unknown>;

const stamp = (events: Sample[]): Sample[] => events.map((e) => ({ ...e, at: AT }));

const visitSamples = [
  { type: 'SCHEDULE_VISIT', date: '2020-08-20', team: ['Trưởng đoàn', 'Thư ký'], sampledUnits: ['X-EAHLEO-1'] },
  { type: 'START_VISIT' },
  { type: 'COMPLETE_VISIT', minutes: 'Biên bản làm việc' },
];
const findingSample = (criterionCode: string) => ({
  type: 'RECORD_FINDING',
  criterionCode,
  kind: 'shortcoming',
  text: 'Hồ sơ trễ hạn chưa có văn bản xin lỗi',
  responsible: 'Bộ phận một cửa',
});
const remediationSamples = [
  { type: 'ISSUE_CONCLUSION', summary: 'Kết luận không có tồn tại', remediation: [] },
  {
    type: 'ISSUE_CONCLUSION',
    summary: 'Kết luận kiểm tra',
    remediation: [
      { action: 'Ban hành quy chế', dueDate: '2020-10-15', responsible: 'Văn phòng' },
      { action: 'Gửi thư xin lỗi', dueDate: '2020-10-31' },
    ],
  },
  { type: 'REPORT_PROGRESS', itemId: 'R1', percent: 50, note: 'Đang soạn' },
  { type: 'REPORT_PROGRESS', itemId: 'R1', percent: 100 },
  { type: 'REPORT_PROGRESS', itemId: 'R2', percent: 100 },
  { type: 'VERIFY_ITEM', itemId: 'R1', accepted: true },
  { type: 'VERIFY_ITEM', itemId: 'R1', accepted: false, note: 'Chưa đủ minh chứng' },
  { type: 'VERIFY_ITEM', itemId: 'R2', accepted: true },
  { type: 'VERIFY_ITEM', itemId: 'R2', accepted: false },
  { type: 'CANCEL', reason: 'Đơn vị sáp nhập' },
];

const plannedSamples = stamp([
  { type: 'REQUEST_SELF_REPORT', dueDate: '2020-07-15', outline: 'Đề cương báo cáo tự kiểm tra' },
  { type: 'EXTEND_DEADLINE', dueDate: '2020-07-31', reason: 'Lũ lụt' },
  // The timer the engine stores for `after: { selfReportDue }`, fired.
  { type: SELF_REPORT_DUE_EVENT },
  { type: 'SUBMIT_SELF_REPORT', summary: 'Báo cáo tự kiểm tra', documents: [{ title: 'Phụ lục', url: 'https://example.org/a.pdf' }] },
  { type: 'REQUEST_REVISION', reason: 'Thiếu minh chứng', dueDate: '2020-08-05' },
  ...visitSamples,
  findingSample('d2'),
  ...remediationSamples,
]);

const surpriseSamples = stamp([
  { type: 'DECIDE', decisionNo: '123/QĐ-UBND', visitDate: '2020-09-10' },
  { type: 'REJECT', reason: 'Không cần thiết' },
  ...visitSamples,
  findingSample('s2'),
  ...remediationSamples,
]);

const planSamples = stamp([
  { type: 'SUBMIT' },
  { type: 'APPROVE', decisionNo: '1234/QĐ-UBND' },
  { type: 'RETURN', reason: 'Bổ sung đơn vị' },
  { type: 'REPORT', summary: 'Báo cáo kết quả kiểm tra' },
]);

const cap = (n: number | undefined, max = 1) => Math.min(n ?? 0, max);

/**
 * What distinguishes two situations for the walk: the state, and only the
 * context that matters there (bounded, so loops such as EXTEND_DEADLINE end).
 */
function serializeInspection(snapshot: AnyMachineSnapshot): string {
  const state = stateString(snapshot.value);
  const c = snapshot.context;
  const top = state.split('.')[0];
  const detail =
    top === 'selfReport'
      ? { ext: cap(c.selfReport?.extensions.length), rev: cap(c.selfReport?.revisions.length) }
      : top === 'visit'
        ? { sched: cap(c.visit?.schedule.length, 2) }
        : top === 'findings'
          ? { findings: cap(c.findings.length) }
          : { items: c.remediation.map((i: { status: string; percent: number }) => `${i.status}:${i.percent}`) };
  return JSON.stringify({ state, ...detail });
}

function serializePlan(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context;
  return JSON.stringify({ state: stateString(snapshot.value), returns: cap(c.returns.length), subs: cap(c.submissions.length, 2) });
}

/** Leaf states as the API names them (`selfReport.requested`). */
function leafStates(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root)
    .filter((node) => Object.keys(node.states).length === 0)
    .map((node) => node.path.join('.'));
}

function walk(mod: MachineModule<unknown, unknown>, input: unknown, events: Sample[], serializeState: (s: AnyMachineSnapshot) => string) {
  return getShortestPaths(mod.machine, {
    input: mod.input.parse(input),
    events: events as never,
    serializeState: serializeState as never,
  });
}

/**
 * Replays one path the engine's way and compares each step with the model, as
 * the walk sees it (state plus the bounded context digest: the walk keeps one
 * representative snapshot per digest, so full contexts may differ).
 */
function replay(
  mod: MachineModule<unknown, unknown>,
  path: ReturnType<typeof walk>[number],
  serialize: (s: AnyMachineSnapshot) => string,
) {
  const [first, ...rest] = path.steps;
  let stored: unknown = JSON.parse(JSON.stringify(mod.machine.getPersistedSnapshot(first!.state)));
  for (const step of rest) {
    const machine = mod.withClock(NOW);
    const snapshot = machine.resolveState(stored as never);
    const event = step.event as Sample;
    if (!event.type.startsWith('xstate.')) {
      const { at: _at, ...payload } = event;
      expect(mod.events[event.type]!.parse(payload)).toEqual(payload);
      expect(mod.checkEvent(snapshot.context, event as never)).toEqual([]);
    }
    expect(snapshot.can(event)).toBe(true);
    const [next] = transition(machine, snapshot, event);
    expect(serialize(next)).toBe(serialize(step.state));
    const state = stateString(next.value);
    for (const deadline of mod.deadlines(state, next.context, NOW)) {
      expect(['open', 'met', 'missed', 'cancelled']).toContain(deadline.status);
      expect(Date.parse(deadline.dueAt)).not.toBeNaN();
      if (state === 'closed') expect(deadline.status).toBe('met');
    }
    stored = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(next)));
  }
}

const cases = [
  {
    mod: plannedInspection as MachineModule<unknown, unknown>,
    inputs: [{ planId: 'plan-2020', unitCode: 'SO-TU-PHAP' }],
    samples: plannedSamples,
    serialize: serializeInspection,
    states: [
      'planned',
      'selfReport.requested',
      'selfReport.overdue',
      'selfReport.submitted',
      'visit.scheduled',
      'visit.inProgress',
      'findings',
      'remediation',
      'closed',
      'cancelled',
    ],
    events: [
      'REQUEST_SELF_REPORT',
      'EXTEND_DEADLINE',
      'SUBMIT_SELF_REPORT',
      'REQUEST_REVISION',
      'SCHEDULE_VISIT',
      'START_VISIT',
      'COMPLETE_VISIT',
      'RECORD_FINDING',
      'ISSUE_CONCLUSION',
      'REPORT_PROGRESS',
      'VERIFY_ITEM',
      'CANCEL',
    ],
  },
  {
    mod: surpriseInspection as MachineModule<unknown, unknown>,
    inputs: [
      { unitCode: 'SO-Y-TE', contents: ['s1', 's2'], announced: true, reason: 'Phản ánh của người dân' },
      { unitCode: 'SO-Y-TE', contents: ['s2'], announced: false, reason: 'Phản ánh của người dân' },
    ],
    samples: surpriseSamples,
    serialize: serializeInspection,
    states: ['proposed', 'decided', 'visit.scheduled', 'visit.inProgress', 'findings', 'remediation', 'closed', 'cancelled'],
    events: [
      'DECIDE',
      'REJECT',
      'SCHEDULE_VISIT',
      'START_VISIT',
      'COMPLETE_VISIT',
      'RECORD_FINDING',
      'ISSUE_CONCLUSION',
      'REPORT_PROGRESS',
      'VERIFY_ITEM',
      'CANCEL',
    ],
  },
  {
    mod: inspectionPlan as MachineModule<unknown, unknown>,
    inputs: [{ planId: 'plan-2020', year: 2020 }],
    samples: planSamples,
    serialize: serializePlan,
    states: ['draft', 'awaitingApproval', 'approved', 'reported'],
    events: ['SUBMIT', 'APPROVE', 'RETURN', 'REPORT'],
  },
];

describe.each(cases)('$mod.name model', ({ mod, inputs, samples, serialize, states, events }) => {
  const paths = inputs.flatMap((input) => walk(mod, input, samples, serialize).map((path) => ({ input, path })));

  it('has exactly the states of the API contract', () => {
    expect(leafStates(mod.machine).sort()).toEqual([...states].sort());
  });

  it('accepts exactly the event types of the API contract', () => {
    expect(Object.keys(mod.events).sort()).toEqual([...events].sort());
  });

  it('reaches every state, including nested and final ones', () => {
    const reached = new Set(paths.map(({ path }) => stateString(path.state.value)));
    expect([...reached].sort()).toEqual([...states].sort());
  });

  it('exercises every event type along the shortest paths', () => {
    const used = new Set(paths.flatMap(({ path }) => path.steps.map((step) => (step.event as Sample).type)));
    for (const type of events) expect(used, type).toContain(type);
  });

  it('replays every shortest path through JSON snapshots, as the engine does', () => {
    expect(paths.length).toBeGreaterThan(states.length);
    for (const { path } of paths) replay(mod, path, serialize);
  });
});

describe('surprise inspection model', () => {
  it('never schedules an unannounced visit', () => {
    const input = { unitCode: 'SO-Y-TE', contents: ['s1'], announced: false, reason: 'Phản ánh' };
    const reached = walk(surpriseInspection as MachineModule<unknown, unknown>, input, surpriseSamples, serializeInspection).map(
      (path) => stateString(path.state.value),
    );
    expect(reached).toContain('visit.inProgress');
    expect(reached).not.toContain('visit.scheduled');
  });
});

describe('planned inspection model', () => {
  it('closes only with every remediation item verified', () => {
    const paths = walk(plannedInspection as MachineModule<unknown, unknown>, { planId: 'p', unitCode: 'u' }, plannedSamples, serializeInspection);
    const closedWithItems = paths.filter(
      (p) => stateString(p.state.value) === 'closed' && (p.state.context.remediation as unknown[]).length > 0,
    );
    expect(closedWithItems.length).toBeGreaterThan(0);
    for (const path of closedWithItems) {
      const statuses = (path.state.context.remediation as { status: string }[]).map((i) => i.status);
      expect(statuses).toEqual(['verified', 'verified']);
    }
  });
});
