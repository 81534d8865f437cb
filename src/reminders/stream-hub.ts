import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Principal } from '../domain/tokens.js';
import { notificationsCommitted } from './notifications.js';

/**
 * Fans the notifications table out to the open `GET /stream` connections of
 * one process. The table is the source of truth: every process polls it and
 * streams what it reads, so a notification written by any process reaches
 * every stream. Rows are read in (transaction id, id) order and only from
 * transactions older than every transaction still running, so a row that
 * commits after a later-numbered one is never skipped. The event `id:` is
 * the notification id; a reconnecting client's Last-Event-ID resumes after it.
 */

export interface StreamClient {
  principal: Principal;
  /** Writes raw text/event-stream bytes. */
  write(chunk: string): void;
  /** Ends the response (the service is closing). */
  end(): void;
}

interface Cursor {
  xid: bigint;
  id: number;
}

interface Subscriber {
  client: StreamClient;
  cursor: Cursor;
}

interface NotificationRow {
  id: number;
  xid: string;
  type: string;
  unit_code: string | null;
  audience: string | null;
  occurred_at: Date;
  data: Record<string, unknown>;
}

const READ_LIMIT = 500;

function after(a: Cursor, b: Cursor): boolean {
  return a.xid > b.xid || (a.xid === b.xid && a.id > b.id);
}

/** A unit token sees its own unit's transitions and the reminders addressed to the unit; other roles see all. */
export function visibleTo(principal: Principal, row: { unit_code: string | null; audience: string | null }): boolean {
  if (principal.role !== 'unit') return true;
  return row.unit_code !== null && row.unit_code === principal.unitCode && (row.audience === null || row.audience === 'unit');
}

export function formatEvent(row: Pick<NotificationRow, 'id' | 'type' | 'occurred_at' | 'data'>): string {
  const payload = { id: String(row.id), type: row.type, occurredAt: row.occurred_at.toISOString(), data: row.data };
  return `id: ${row.id}\nevent: ${row.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export class NotificationHub {
  private readonly subscribers = new Set<Subscriber>();
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly onCommitted = () => this.kick();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { pollMs: number; heartbeatMs: number; log?: (msg: string, err?: unknown) => void },
  ) {
    notificationsCommitted.on('committed', this.onCommitted);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Registers a client from `lastEventId` (exclusive) or from now; returns the unsubscribe function. */
  async subscribe(client: StreamClient, lastEventId?: number): Promise<() => void> {
    const cursor = (lastEventId !== undefined ? await this.cursorOf(lastEventId) : undefined) ?? (await this.currentEnd());
    const subscriber: Subscriber = { client, cursor };
    if (this.closed) {
      client.end();
      return () => undefined;
    }
    this.subscribers.add(subscriber);
    this.startTimers();
    if (lastEventId !== undefined) this.kick();
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stopTimers();
    };
  }

  /** Reads now (coalesced with a read in progress). */
  kick(): void {
    if (this.closed || this.subscribers.size === 0) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = this.poll()
      .catch((err) => this.options.log?.('event stream read failed', err))
      .finally(() => {
        this.polling = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Ends every stream and stops reading; waits for a read in progress. */
  async close(): Promise<void> {
    this.closed = true;
    notificationsCommitted.off('committed', this.onCommitted);
    this.stopTimers();
    for (const s of this.subscribers) s.client.end();
    this.subscribers.clear();
    await this.polling;
  }

  private startTimers(): void {
    if (!this.pollTimer) {
      this.pollTimer = setInterval(() => this.kick(), this.options.pollMs);
      this.pollTimer.unref();
    }
    if (!this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => {
        for (const s of this.subscribers) s.client.write(': heartbeat\n\n');
      }, this.options.heartbeatMs);
      this.heartbeatTimer.unref();
    }
  }

  private stopTimers(): void {
    clearInterval(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    this.pollTimer = undefined;
    this.heartbeatTimer = undefined;
  }

  private async cursorOf(id: number): Promise<Cursor | undefined> {
    const row = await sql<{ xid: string; id: number }>`select xid::text as xid, id from notifications where id = ${id}`.execute(this.db);
    const r = row.rows[0];
    return r ? { xid: BigInt(r.xid), id: r.id } : undefined;
  }

  private async currentEnd(): Promise<Cursor> {
    const row = await sql<{ xid: string; id: number }>`
      select xid::text as xid, id from notifications
      where xid < pg_snapshot_xmin(pg_current_snapshot())
      order by xid desc, id desc limit 1`.execute(this.db);
    const r = row.rows[0];
    return r ? { xid: BigInt(r.xid), id: r.id } : { xid: 0n, id: 0 };
  }

  private async poll(): Promise<void> {
    for (;;) {
      if (this.subscribers.size === 0) return;
      let from: Cursor | undefined;
      for (const s of this.subscribers) if (!from || after(from, s.cursor)) from = s.cursor;
      const rows = await sql<NotificationRow>`
        select id, xid::text as xid, type, unit_code, audience, occurred_at, data from notifications
        where (xid, id) > (${from!.xid.toString()}::xid8, ${from!.id}::bigint)
          and xid < pg_snapshot_xmin(pg_current_snapshot())
        order by xid, id
        limit ${READ_LIMIT}`.execute(this.db);
      for (const row of rows.rows) {
        const at: Cursor = { xid: BigInt(row.xid), id: row.id };
        for (const s of this.subscribers) {
          if (!after(at, s.cursor)) continue;
          s.cursor = at;
          if (visibleTo(s.client.principal, row)) s.client.write(formatEvent(row));
        }
      }
      if (rows.rows.length < READ_LIMIT) return;
    }
  }
}
