import type { AnyStateMachine, AnyMachineSnapshot } from 'xstate';
import type { DeadlineSpec } from '../../machines/types.js';

export interface ActionObject {
  type: string;
  params?: unknown;
}

interface RaiseParams {
  event: Record<string, unknown>;
  id?: string;
  delay?: number;
}

export interface TimerSet {
  sendId: string;
  fireAt: Date;
  event: Record<string, unknown>;
}

/** What a pure transition asked for, reduced to the rows to write. */
export interface ActionEffects {
  /** Timers to create or move (a delayed raise), the last word per send id. */
  timersSet: TimerSet[];
  /** Send ids whose timer is cancelled (the last word was a cancel). */
  timersCancelled: string[];
  /** Named actions, in order: outbox rows for the notifiers. */
  outbox: { type: string; payload: unknown }[];
}

/**
 * Turns the actions of a transition into the rows to write: a delayed raise
 * becomes a timer (fire_at = now + delay), a cancel removes it, and every other
 * named action becomes an outbox row. A cancel followed by a raise of the same
 * id (re-entering a state) leaves one timer at the new time.
 */
export function actionEffects(actions: readonly ActionObject[], now: Date): ActionEffects {
  const timers = new Map<string, TimerSet | null>();
  const outbox: ActionEffects['outbox'] = [];
  for (const action of actions) {
    if (action.type === 'xstate.raise') {
      const p = action.params as RaiseParams;
      if (p.delay === undefined) continue;
      const sendId = p.id ?? String(p.event.type);
      timers.delete(sendId);
      timers.set(sendId, { sendId, fireAt: new Date(now.getTime() + p.delay), event: p.event });
    } else if (action.type === 'xstate.cancel') {
      const { sendId } = action.params as { sendId: string };
      timers.delete(sendId);
      timers.set(sendId, null);
    } else if (!action.type.startsWith('xstate.')) {
      outbox.push({ type: action.type, payload: action.params ?? {} });
    }
  }
  const timersSet: TimerSet[] = [];
  const timersCancelled: string[] = [];
  for (const [sendId, set] of timers) {
    if (set) timersSet.push(set);
    else timersCancelled.push(sendId);
  }
  return { timersSet, timersCancelled, outbox };
}

export interface DeadlineChanges {
  /** Deadlines that are new or differ from what the previous snapshot implied. */
  upserts: DeadlineSpec[];
  /** Deadlines the new snapshot no longer implies: marked cancelled. */
  cancelled: DeadlineSpec[];
}

export function deadlineChanges(before: readonly DeadlineSpec[], after: readonly DeadlineSpec[]): DeadlineChanges {
  const key = (d: DeadlineSpec) => `${d.kind}\u0000${d.subject}`;
  const previous = new Map(before.map((d) => [key(d), d]));
  const upserts = after.filter((d) => {
    const p = previous.get(key(d));
    return !p || p.dueAt !== d.dueAt || p.status !== d.status || p.dueDate !== d.dueDate;
  });
  const current = new Set(after.map(key));
  const cancelled = before.filter((d) => !current.has(key(d)));
  return { upserts, cancelled };
}

/** Event types that could be accepted now (guards that need a payload answer for "some payload"). */
export function allowedEventTypes(snapshot: AnyMachineSnapshot, types: readonly string[]): string[] {
  if (snapshot.status !== 'active') return [];
  return types.filter((type) => {
    try {
      return snapshot.can({ type });
    } catch {
      // A guard that needs the payload to decide: some payload may pass.
      return true;
    }
  });
}

export type { AnyStateMachine };
