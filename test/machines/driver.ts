import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { stateString } from '../../machines/index.js';
import type { MachineModule, PayloadIssue } from '../../machines/types.js';

/**
 * Applies events the way the engine does, with no database: the payload is
 * parsed by the module's schema, stamped with `at`, checked against the
 * context, the snapshot is resolved from its JSON form, `can()` decides, and
 * `transition()` computes the next snapshot, which is stored as JSON again.
 */

export type Payload = { type: string } & Record<string, unknown>;

/** An action `transition()` returned, as the engine reads it. */
export type ActionObject = { type: string; params?: unknown };

export type Outcome =
  | { status: 200; state: string; actions: ActionObject[] }
  | { status: 400; issues: PayloadIssue[] }
  | { status: 409; state: string };

export class Instance<TContext, TInput> {
  stored: unknown;

  constructor(
    readonly mod: MachineModule<TContext, TInput>,
    input: TInput,
    readonly createdAt = '2020-06-01T02:00:00.000Z',
  ) {
    const machine = mod.withClock(Date.parse(createdAt));
    const [snapshot] = initialTransition(machine, mod.input.parse(input));
    this.stored = persist(machine, snapshot);
  }

  snapshot(nowMs = Date.parse(this.createdAt)): AnyMachineSnapshot {
    return this.mod.withClock(nowMs).resolveState(this.stored as never);
  }

  get state(): string {
    return stateString(this.snapshot().value);
  }

  get context(): TContext {
    return this.snapshot().context as TContext;
  }

  /** A person's event: validated, stamped, checked, applied. */
  send(payload: Payload, at: string): Outcome {
    const schema = this.mod.events[payload.type];
    if (!schema) throw new Error(`${this.mod.name} has no event ${payload.type}`);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      return { status: 400, issues: parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })) };
    }
    return this.apply({ ...(parsed.data as Payload), at }, at);
  }

  /** Like `send`, but fails the test unless the event is accepted. */
  ok(payload: Payload, at: string): Extract<Outcome, { status: 200 }> {
    const outcome = this.send(payload, at);
    if (outcome.status !== 200) {
      throw new Error(`${payload.type} in ${this.state} gave ${JSON.stringify(outcome)}`);
    }
    return outcome;
  }

  /** A stored timer's event (no schema, no stamp), applied at `at`. */
  fire(type: string, at: string): Outcome {
    return this.apply({ type }, at);
  }

  can(payload: Payload, at = this.createdAt): boolean {
    return this.snapshot(Date.parse(at)).can({ ...payload, at });
  }

  issues(payload: Payload, at = this.createdAt): PayloadIssue[] {
    return this.mod.checkEvent(this.context, { ...payload, at });
  }

  deadlines(nowIso: string) {
    return this.mod.deadlines(this.state, this.context, Date.parse(nowIso));
  }

  private apply(event: Payload & { at?: string }, at: string): Outcome {
    const machine = this.mod.withClock(Date.parse(at));
    const snapshot = machine.resolveState(this.stored as never);
    const issues = this.mod.checkEvent(snapshot.context as TContext, event);
    if (issues.length > 0) return { status: 400, issues };
    if (!snapshot.can(event)) return { status: 409, state: stateString(snapshot.value) };
    const [next, actions] = transition(machine, snapshot, event);
    this.stored = persist(machine, next);
    return { status: 200, state: stateString(next.value), actions: actions as ActionObject[] };
  }
}

function persist(machine: { getPersistedSnapshot(s: AnyMachineSnapshot): unknown }, snapshot: AnyMachineSnapshot): unknown {
  return JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot)));
}

/** The delayed events among `actions`, as the engine would store them. */
export function raised(actions: readonly ActionObject[]) {
  return actions
    .filter((a) => a.type === 'xstate.raise')
    .map((a) => a.params as { id: string; delay?: number; event: { type: string } })
    .filter((p) => p.delay !== undefined);
}

/** The timers `actions` cancel, by send id. */
export function cancelled(actions: readonly ActionObject[]) {
  return actions.filter((a) => a.type === 'xstate.cancel').map((a) => (a.params as { sendId: string }).sendId);
}
