import type { Kysely } from 'kysely';
import type { AnyStateMachine, AnyMachineSnapshot } from 'xstate';
import type { Database } from '../db/schema.js';
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

/**
 * Carries out what a pure transition asked for, inside the event's transaction:
 * a delayed raise becomes a timer row, a cancel removes it, and every other
 * named action becomes an outbox row for the notifiers.
 */
export async function persistActions(
  trx: Kysely<Database>,
  instanceId: string,
  actions: readonly ActionObject[],
  now: Date,
): Promise<void> {
  for (const action of actions) {
    if (action.type === 'xstate.raise') {
      const p = action.params as RaiseParams;
      if (p.delay === undefined) continue;
      const sendId = p.id ?? String(p.event.type);
      const fireAt = new Date(now.getTime() + p.delay);
      await trx
        .insertInto('timers')
        .values({
          instance_id: instanceId,
          send_id: sendId,
          fire_at: fireAt,
          event: JSON.stringify(p.event),
          created_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['instance_id', 'send_id']).doUpdateSet({
            fire_at: fireAt,
            event: JSON.stringify(p.event),
            attempts: 0,
            last_error: null,
            created_at: now,
          }),
        )
        .execute();
    } else if (action.type === 'xstate.cancel') {
      const { sendId } = action.params as { sendId: string };
      await trx.deleteFrom('timers').where('instance_id', '=', instanceId).where('send_id', '=', sendId).execute();
    } else if (!action.type.startsWith('xstate.')) {
      await trx
        .insertInto('outbox')
        .values({
          instance_id: instanceId,
          type: action.type,
          payload: JSON.stringify(action.params ?? {}),
          created_at: now,
        })
        .execute();
    }
  }
}

/** Writes the instance's deadlines when they differ from what the previous snapshot implied. */
export async function syncDeadlines(
  trx: Kysely<Database>,
  instanceId: string,
  unitCode: string | null,
  before: readonly DeadlineSpec[],
  after: readonly DeadlineSpec[],
  now: Date,
): Promise<void> {
  const key = (d: DeadlineSpec) => `${d.kind}\u0000${d.subject}`;
  const previous = new Map(before.map((d) => [key(d), d]));
  const changed = after.filter((d) => {
    const p = previous.get(key(d));
    return !p || p.dueAt !== d.dueAt || p.status !== d.status || p.dueDate !== d.dueDate;
  });
  if (changed.length > 0) {
    await trx
      .insertInto('deadlines')
      .values(
        changed.map((d) => ({
          instance_id: instanceId,
          unit_code: unitCode,
          kind: d.kind,
          subject: d.subject,
          due_date: d.dueDate,
          due_at: d.dueAt,
          status: d.status,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['instance_id', 'kind', 'subject']).doUpdateSet((eb) => ({
          due_date: eb.ref('excluded.due_date'),
          due_at: eb.ref('excluded.due_at'),
          status: eb.ref('excluded.status'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  const current = new Set(after.map(key));
  const gone = before.filter((d) => !current.has(key(d)));
  for (const d of gone) {
    await trx
      .updateTable('deadlines')
      .set({ status: 'cancelled', updated_at: now })
      .where('instance_id', '=', instanceId)
      .where('kind', '=', d.kind)
      .where('subject', '=', d.subject)
      .execute();
  }
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
