import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/tokens.js';
import { NotificationHub } from '../reminders/stream-hub.js';

/**
 * The dashboard's event stream: the same notifications as `GET /stream`, with
 * the same per-role filter (a unit sees its own unit's), authenticated by the
 * session cookie because EventSource cannot send an Authorization header.
 */
const hubs = new WeakMap<FastifyInstance, NotificationHub>();

function hubFor(app: FastifyInstance): NotificationHub {
  let hub = hubs.get(app);
  if (!hub) {
    const { db, config } = app.deps;
    hub = new NotificationHub(db, {
      pollMs: config.STREAM_POLL_MS,
      heartbeatMs: config.STREAM_HEARTBEAT_MS,
      log: (msg, err) => app.log.warn({ err }, msg),
    });
    hubs.set(app, hub);
    const created = hub;
    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', async () => {
      await created.close();
    });
  }
  return hub;
}

export function registerStreamHub(app: FastifyInstance): void {
  hubFor(app);
}

export async function streamToBrowser(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, principal: Principal): Promise<void> {
  const hub = hubFor(app);
  const given = request.headers['last-event-id'];
  const lastEventId = typeof given === 'string' && /^\d{1,15}$/.test(given) ? Number(given) : undefined;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.write('retry: 3000\n\n');
  let unsubscribe: (() => void) | undefined;
  let gone = false;
  res.on('close', () => {
    gone = true;
    unsubscribe?.();
  });
  try {
    unsubscribe = await hub.subscribe(
      {
        principal,
        write: (chunk) => {
          if (!res.writableEnded) res.write(chunk);
        },
        end: () => res.end(),
      },
      lastEventId,
    );
  } catch (err) {
    request.log.error({ err }, 'dashboard event stream could not start');
    res.end();
    return;
  }
  if (gone) unsubscribe();
}
