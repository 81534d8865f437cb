import type { AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * A machine's structure as plain JSON (states and transitions), and a
 * Mermaid `stateDiagram-v2` drawn from it: what `GET /machines/:name` serves
 * and what the dashboard draws. Read from the machine itself, so the picture
 * cannot drift from what the engine runs.
 */

export type StateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface TransitionInfo {
  /** The event type; `after <delay>` for a delayed transition, `always` for an eventless one. */
  event: string;
  kind: 'event' | 'after' | 'always';
  /** The delay's name (or milliseconds) of an `after` transition. */
  delay?: string | number;
  /** The event XState raises when the delay has passed (what the audit log records). */
  delayedEvent?: string;
  /** State paths (`selfReport.requested`); empty when the transition stays in its state (no exit, no entry). */
  targets: string[];
  guard?: string;
  /** Exits and re-enters the target even when it is the source (restarts its timers). */
  reenter?: true;
  actions: string[];
}

export interface StateInfo {
  /** Dot-separated path from the root, the same string instances store as `state`. */
  path: string;
  key: string;
  /** Path of the enclosing state; null for top-level states. */
  parent: string | null;
  type: StateType;
  /** Path of the initial child (compound states). */
  initial?: string;
  /** Paths of the child states, in document order. */
  children: string[];
  transitions: TransitionInfo[];
  description?: string;
}

export interface MachineDefinition {
  id: string;
  /** Path of the initial top-level state. */
  initial: string | null;
  /** Transitions declared on the machine's root (they apply in every state). */
  transitions: TransitionInfo[];
  /** Every state by path, parents before children, in document order. */
  states: Record<string, StateInfo>;
  /** Every event type some transition names, in document order (delayed and eventless ones excluded). */
  events: string[];
}

type Transition = AnyStateNode['transitions'] extends Map<string, (infer T)[]> ? T : never;

const pathOf = (node: AnyStateNode): string => node.path.join('.');

function nameOf(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') {
    // xstate's not/and/or guard helpers keep the guards they combine.
    const inner = (value as { guards?: unknown[] }).guards;
    if (Array.isArray(inner)) return `${value.name}(${inner.map((g) => nameOf(g, fallback)).join(', ')})`;
    return value.name || fallback;
  }
  if (value && typeof value === 'object' && 'type' in value) return String((value as { type: unknown }).type);
  return fallback;
}

function describe(t: Transition, event: string, kind: TransitionInfo['kind']): TransitionInfo {
  const info: TransitionInfo = {
    event,
    kind,
    targets: (t.target ?? []).map(pathOf),
    actions: t.actions.map((a) => nameOf(a, 'inline')),
  };
  if (t.guard !== undefined) info.guard = nameOf(t.guard, 'inline');
  if (t.reenter) info.reenter = true;
  return info;
}

/** Event transitions as declared, then delayed ones, then eventless ones, as a reader expects them. */
function transitionsOf(node: AnyStateNode): TransitionInfo[] {
  const delayed = node.after.map((after) => {
    const delay = typeof after.delay === 'function' ? 'inline' : after.delay;
    const event = typeof delay === 'number' ? `after ${delay}ms` : `after ${delay}`;
    return { ...describe(after, event, 'after'), delay, delayedEvent: after.eventType };
  });
  // XState also lists delayed transitions under their raised event; they are shown once, as `after`.
  const delayedEvents = new Set(node.after.map((after) => after.eventType));
  const events = [...node.transitions]
    .filter(([event]) => !delayedEvents.has(event))
    .flatMap(([event, list]) => list.map((t) => describe(t, event, 'event')));
  const always = (node.always ?? []).map((t) => describe(t, 'always', 'always'));
  return [...events, ...delayed, ...always];
}

export function machineDefinition(machine: AnyStateMachine): MachineDefinition {
  const states: Record<string, StateInfo> = {};
  const visit = (node: AnyStateNode): void => {
    const children = Object.values(node.states) as AnyStateNode[];
    const info: StateInfo = {
      path: pathOf(node),
      key: node.key,
      parent: node.parent && node.parent !== machine.root ? pathOf(node.parent) : null,
      type: node.type,
      children: children.map(pathOf),
      transitions: transitionsOf(node),
    };
    const initial = node.type === 'compound' ? node.initial.target[0] : undefined;
    if (initial) info.initial = pathOf(initial);
    if (node.description) info.description = node.description;
    states[info.path] = info;
    children.forEach(visit);
  };
  const top = Object.values(machine.root.states) as AnyStateNode[];
  top.forEach(visit);
  const initial = machine.root.initial.target[0];
  const transitions = transitionsOf(machine.root);
  const events = [transitions, ...Object.values(states).map((s) => s.transitions)]
    .flat()
    .filter((tr) => tr.kind === 'event' && !tr.event.startsWith('xstate.'))
    .map((tr) => tr.event);
  return {
    id: machine.id,
    initial: initial ? pathOf(initial) : null,
    transitions,
    states,
    events: [...new Set(events)],
  };
}

const mermaidId = (path: string): string => path.replace(/[^A-Za-z0-9]/g, '_').replace(/^(?=\d)/, 's_') || 'root';

function label(t: TransitionInfo): string {
  const text = t.guard ? `${t.event} [${t.guard}]` : t.event;
  // Mermaid ends a label at a newline and treats `;` and `#` specially.
  return text.replace(/[;#\n]/g, ' ');
}

/**
 * A Mermaid `stateDiagram-v2` of the definition. Compound states are drawn
 * as composite states; every transition is written at the top level after
 * them, because Mermaid draws an edge between states of different composites
 * only when it is declared outside both. Transitions without a target are
 * drawn as self-loops; root transitions (e.g. CANCEL from anywhere) start at
 * the whole diagram's top-level states that do not already handle the event.
 */
export function mermaidDiagram(def: MachineDefinition): string {
  const lines = ['stateDiagram-v2'];
  const edges: string[] = [];
  const block = (paths: string[], indent: string, initial: string | null | undefined): void => {
    if (initial) lines.push(`${indent}[*] --> ${mermaidId(initial)}`);
    for (const path of paths) {
      const s = def.states[path];
      if (!s) continue;
      const id = mermaidId(path);
      if (s.children.length > 0) {
        lines.push(`${indent}state "${s.key}" as ${id} {`);
        block(s.children, `${indent}  `, s.initial);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${s.key}" as ${id}`);
      }
      if (s.type === 'final') lines.push(`${indent}${id} --> [*]`);
      for (const t of s.transitions) {
        for (const target of t.targets.length > 0 ? t.targets : [path]) {
          edges.push(`  ${id} --> ${mermaidId(target)} : ${label(t)}`);
        }
      }
    }
  };
  const top = Object.values(def.states).filter((s) => s.parent === null);
  block(
    top.map((s) => s.path),
    '  ',
    def.initial,
  );
  for (const t of def.transitions) {
    for (const s of top) {
      if (s.type === 'final' || s.transitions.some((own) => own.event === t.event)) continue;
      for (const target of t.targets.length > 0 ? t.targets : [s.path]) {
        edges.push(`  ${mermaidId(s.path)} --> ${mermaidId(target)} : ${label(t)}`);
      }
    }
  }
  return [...lines, ...edges].join('\n') + '\n';
}
