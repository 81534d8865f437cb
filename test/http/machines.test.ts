import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine, not } from 'xstate';
import { machineModules } from '../../machines/index.js';
import { machineDefinition, mermaidDiagram, type MachineDefinition, type TransitionInfo } from '../../src/domain/machine-definition.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await t.t.db.insertInto('units').values({ code: 'SXD', name: 'Sở Xây dựng', kind: 'department', contacts: '[]' }).execute();
});

afterAll(async () => {
  await t?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.json();
}

// The state names of API.md ("State names"), the contract.
const PLANNED_STATES = [
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
];
const SURPRISE_STATES = ['proposed', 'decided', 'visit.scheduled', 'visit.inProgress', 'findings', 'remediation', 'closed', 'cancelled'];

async function getMachine(name: string) {
  const res = await t.app.inject({ method: 'GET', url: `/machines/${name}`, headers: await t.auth('observer') });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { name: string; version: number; definition: MachineDefinition; diagram: string };
}

const leaves = (def: MachineDefinition) =>
  Object.values(def.states)
    .filter((s) => s.children.length === 0)
    .map((s) => s.path);

const transitionsFrom = (def: MachineDefinition, path: string): TransitionInfo[] => def.states[path]?.transitions ?? [];

describe('GET /machines', () => {
  it('lists every registered machine with its version, to every role', async () => {
    for (const headers of [t.admin, await t.auth('unit', 'SXD'), await t.auth('inspector')]) {
      const res = await t.app.inject({ method: 'GET', url: '/machines', headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        items: Object.values(machineModules).map((m) => ({ name: m.name, version: m.version })),
      });
    }
    const names = (await t.app.inject({ method: 'GET', url: '/machines', headers: t.admin })).json().items.map((i: { name: string }) => i.name);
    expect(names).toEqual(expect.arrayContaining(['plannedInspection', 'surpriseInspection', 'inspectionPlan']));
  });

  it('answers 401 without a valid token', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/machines' }), 401);
    expectProblem(await t.app.inject({ method: 'GET', url: '/machines', headers: { authorization: 'Bearer kt_nope' } }), 401);
  });
});

describe('GET /machines/:name', () => {
  it('plannedInspection: every state name of the contract, as paths with types', async () => {
    const body = await getMachine('plannedInspection');
    expect(body).toMatchObject({ name: 'plannedInspection', version: machineModules.plannedInspection.version });
    const def = body.definition;
    expect(def.id).toBe('plannedInspection');
    expect(def.initial).toBe('planned');
    expect(leaves(def).sort()).toEqual([...PLANNED_STATES].sort());
    expect(def.states.selfReport).toMatchObject({
      type: 'compound',
      parent: null,
      initial: 'selfReport.requested',
      children: ['selfReport.requested', 'selfReport.overdue', 'selfReport.submitted'],
    });
    expect(def.states['selfReport.requested']).toMatchObject({ key: 'requested', parent: 'selfReport', type: 'atomic' });
    expect(def.states.closed?.type).toBe('final');
    expect(def.states.cancelled?.type).toBe('final');
  });

  it('plannedInspection: transitions with targets, guards, re-entry, delays and eventless ones', async () => {
    const def = (await getMachine('plannedInspection')).definition;
    expect(transitionsFrom(def, 'planned')).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: 'REQUEST_SELF_REPORT', kind: 'event', targets: ['selfReport.requested'] })]),
    );
    const requested = transitionsFrom(def, 'selfReport.requested');
    expect(requested).toContainEqual(
      expect.objectContaining({ event: 'EXTEND_DEADLINE', targets: ['selfReport.requested'], reenter: true }),
    );
    expect(requested).toContainEqual({
      event: 'after selfReportDue',
      kind: 'after',
      delay: 'selfReportDue',
      delayedEvent: 'xstate.after.selfReportDue.plannedInspection.selfReport.requested',
      targets: ['selfReport.overdue'],
      actions: [],
    });
    // The delayed transition appears once, by its delay's name, not under XState's internal event.
    expect(requested.filter((tr) => tr.event.startsWith('xstate.'))).toEqual([]);
    const overdue = transitionsFrom(def, 'selfReport.overdue').find((tr) => tr.event === 'EXTEND_DEADLINE');
    expect(overdue?.reenter).toBeUndefined();
    expect(transitionsFrom(def, 'selfReport')).toContainEqual(expect.objectContaining({ event: 'CANCEL', targets: ['cancelled'] }));
    expect(transitionsFrom(def, 'findings')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'RECORD_FINDING', targets: [] }),
        expect.objectContaining({ event: 'ISSUE_CONCLUSION', targets: ['closed'], guard: 'conclusionWithoutRemediation' }),
        expect.objectContaining({ event: 'ISSUE_CONCLUSION', targets: ['remediation'] }),
      ]),
    );
    expect(transitionsFrom(def, 'remediation')).toContainEqual(
      expect.objectContaining({ event: 'always', kind: 'always', targets: ['closed'], guard: 'allItemsVerified' }),
    );
    expect(transitionsFrom(def, 'closed')).toEqual([]);
    expect(def.events).toEqual(expect.arrayContaining(Object.keys(machineModules.plannedInspection.events)));
    expect(def.events.some((e) => e.startsWith('xstate.'))).toBe(false);
  });

  it('surpriseInspection: every state name of the contract, announced and unannounced paths', async () => {
    const def = (await getMachine('surpriseInspection')).definition;
    expect(def.initial).toBe('proposed');
    expect(leaves(def).sort()).toEqual([...SURPRISE_STATES].sort());
    expect(transitionsFrom(def, 'decided')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'SCHEDULE_VISIT', targets: ['visit.scheduled'], guard: 'isAnnounced' }),
        expect.objectContaining({ event: 'START_VISIT', targets: ['visit.inProgress'], guard: 'isUnannounced' }),
      ]),
    );
    expect(transitionsFrom(def, 'proposed')).toContainEqual(expect.objectContaining({ event: 'REJECT', targets: ['cancelled'] }));
  });

  it('inspectionPlan: the plan’s states', async () => {
    const def = (await getMachine('inspectionPlan')).definition;
    expect(Object.keys(def.states)).toEqual(expect.arrayContaining(['draft', 'awaitingApproval', 'approved', 'reported']));
  });

  it('includes a Mermaid stateDiagram-v2 drawn from the same definition', async () => {
    const { diagram, definition } = await getMachine('plannedInspection');
    const lines = diagram.split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> planned');
    expect(diagram).toMatch(/state "selfReport" as selfReport \{\n {4}\[\*\] --> selfReport_requested\n/);
    expect(lines).toContain('  selfReport_requested --> selfReport_overdue : after selfReportDue');
    expect(lines).toContain('  findings --> closed : ISSUE_CONCLUSION [conclusionWithoutRemediation]');
    expect(lines).toContain('  findings --> findings : RECORD_FINDING');
    expect(lines).toContain('  remediation --> closed : always [allItemsVerified]');
    expect(lines).toContain('  closed --> [*]');
    // One edge per transition target (a targetless one loops on its state), nothing more.
    const count = Object.values(definition.states)
      .flatMap((s) => s.transitions)
      .reduce((n, tr) => n + Math.max(1, tr.targets.length), 0);
    expect(lines.filter((l) => / --> (?!\[\*\])\S+ : /.test(l))).toHaveLength(count);
    expect(diagram).toBe(mermaidDiagram(definition));
  });

  it('answers 404 for an unknown machine and 401 without a token', async () => {
    expect(expectProblem(await t.app.inject({ method: 'GET', url: '/machines/nope', headers: t.admin }), 404).detail).toMatch(/nope/);
    expectProblem(await t.app.inject({ method: 'GET', url: '/machines/toString', headers: t.admin }), 404);
    expectProblem(await t.app.inject({ method: 'GET', url: '/machines/plannedInspection' }), 401);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/machines'].get.tags).toEqual(['machines']);
    const op = doc.paths['/machines/{name}'].get;
    expect(op.responses['200'].content['application/json'].schema.properties.diagram).toBeDefined();
    expect(op.responses['404'].content['application/problem+json']).toBeDefined();
  });
});

describe('machineDefinition', () => {
  const machine = createMachine({
    id: 'demo',
    initial: 'a',
    on: { RESET: '.a' },
    states: {
      a: {
        after: { 1000: 'b' },
        on: { GO: { target: 'b', guard: not('blocked') } },
      },
      b: { on: { STAY: {} }, always: { target: 'c', guard: { type: 'ready', params: { n: 1 } } } },
      c: { type: 'final' },
    },
  });

  it('names numeric delays, composed and parameterised guards, and root transitions', () => {
    const def = machineDefinition(machine);
    expect(def.transitions).toEqual([{ event: 'RESET', kind: 'event', targets: ['a'], actions: [] }]);
    expect(def.states.a?.transitions).toEqual([
      { event: 'GO', kind: 'event', targets: ['b'], guard: 'not(blocked)', actions: [] },
      expect.objectContaining({ event: 'after 1000ms', kind: 'after', delay: 1000, targets: ['b'] }),
    ]);
    expect(def.states.b?.transitions).toEqual([
      { event: 'STAY', kind: 'event', targets: [], actions: [] },
      { event: 'always', kind: 'always', targets: ['c'], guard: 'ready', actions: [] },
    ]);
    expect(def.events.sort()).toEqual(['GO', 'RESET', 'STAY']);
  });

  it('draws root transitions from every non-final top-level state', () => {
    const lines = mermaidDiagram(machineDefinition(machine)).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['  a --> a : RESET', '  b --> a : RESET', '  a --> b : after 1000ms', '  a --> b : GO [not(blocked)]']),
    );
    expect(lines).not.toContain('  c --> a : RESET');
  });
});
