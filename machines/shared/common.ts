import { assign, type EventObject } from 'xstate';
import { z } from 'zod';

/**
 * Pieces every machine uses: payload field schemas, the engine's `at` stamp,
 * narrowing of events inside shared actions, and cancellation.
 */

/** A trimmed, non-empty string of at most `max` characters. */
export function text(max: number) {
  return z.string().trim().min(1).max(max);
}

/** Unit codes come from the unit registry; the machines only need them well-formed. */
export const unitCode = text(64);
/** Short free-text reasons (why a deadline moved, why an inspection stopped). */
export const reason = text(2000);
/** Long free text (summaries, minutes, findings). */
export const longText = text(20_000);
/** An item id within one instance (`F1`, `R2`). */
export const localId = text(16);

/** What the engine adds to every event it applies: the instant, ISO-8601. */
export interface Stamp {
  at: string;
}

/** The event a machine receives for a payload schema: the parsed payload plus the stamp. */
export type EventOf<S extends z.ZodType> = z.output<S> & Stamp;

/**
 * Narrows an event inside an action or guard shared between machines. The
 * payload shape is trusted: the engine validated it against the same zod
 * schema before the machine sees it.
 */
export function isEvent<T extends EventObject>(event: EventObject, type: T['type']): event is T {
  return event.type === type;
}

/** The engine's stamp on an event of any type, if it has one. */
export function stampOf(event: EventObject): string | undefined {
  return 'at' in event && typeof event.at === 'string' ? event.at : undefined;
}

export const cancelEvent = z.object({ type: z.literal('CANCEL'), reason });
export type CancelEvent = EventOf<typeof cancelEvent>;

export interface Cancellation {
  reason: string;
  at: string;
  /** `REJECT` when a proposed surprise inspection was turned down by the chairman. */
  by: 'CANCEL' | 'REJECT';
}

export interface CancellableContext {
  cancellation?: Cancellation;
}

type RejectLike = { type: 'REJECT'; reason: string } & Stamp;

export function cancellationActions<TContext extends CancellableContext, TEvent extends EventObject>() {
  return {
    recordCancellation: assign<TContext, TEvent, undefined, TEvent, never>(({ context, event }) => {
      if (isEvent<CancelEvent>(event, 'CANCEL') || isEvent<RejectLike>(event, 'REJECT')) {
        return { ...context, cancellation: { reason: event.reason, at: event.at, by: event.type } };
      }
      return {};
    }),
  };
}

/** CANCEL from any non-final state; each non-final top-level state spreads this into `on`. */
export const cancelTransition = {
  CANCEL: { target: 'cancelled', actions: 'recordCancellation' },
} as const;
