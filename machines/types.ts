import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';

/**
 * What the engine needs from every machine module. A machine module is pure:
 * it never reads the clock, the database or the environment. Time reaches it
 * only through `at` on events (stamped by the engine) and through `withClock`,
 * which binds the named delays to the engine's clock for one call.
 */
export interface MachineModule<TContext = unknown, TInput = unknown> {
  /** Stable machine name, stored with every instance (`plannedInspection`, ...). */
  readonly name: string;
  /** Bumped whenever states or the context shape change. */
  readonly version: number;
  /** The machine as built by `setup(...).createMachine(...)`, delays declared by name. */
  readonly machine: AnyStateMachine;
  /** Input accepted when an instance is created (validated before `createInstance`). */
  readonly input: z.ZodType<TInput>;
  /**
   * Payload schema of every event a person may send, keyed by event type. Each
   * schema is a `z.object` whose `type` is `z.literal(<key>)`; fields the engine
   * stamps (`at`) are not part of it.
   */
  readonly events: Readonly<Record<string, z.ZodObject>>;
  /** The machine with its delays computed against `nowMs` (the engine's clock). */
  withClock(nowMs: number): AnyStateMachine;
  /**
   * Checks of a payload against the current context that a schema cannot make
   * (an unknown remediation item id, a criterion outside the inspection's
   * contents). Empty when the payload is acceptable.
   */
  checkEvent(context: TContext, event: MachineEvent): PayloadIssue[];
  /** Deadlines implied by the current state and context. */
  deadlines(state: string, context: TContext, nowMs: number): DeadlineSpec[];
}

/** An event as the machine receives it: the validated payload plus the engine's stamp. */
export interface MachineEvent {
  type: string;
  /** ISO-8601 instant at which the engine applied the event. */
  at?: string;
  [key: string]: unknown;
}

export interface PayloadIssue {
  path: (string | number)[];
  message: string;
}

export type DeadlineKind = 'selfReport' | 'visit' | 'conclusion' | 'remediation';
export type DeadlineStatus = 'open' | 'met' | 'missed' | 'cancelled';

export interface DeadlineSpec {
  kind: DeadlineKind;
  /** Stable within an instance: `selfReport`, `visit`, `conclusion`, or a remediation item id. */
  subject: string;
  /** The date as given (`YYYY-MM-DD`). */
  dueDate: string;
  /** The instant the date-only deadline ends (end of that day in the deadline time zone). */
  dueAt: string;
  status: DeadlineStatus;
}
