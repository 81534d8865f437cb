import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/tokens.js';
import { NotificationHub } from '../reminders/stream-hub.js';
import type { AppDeps } from './app.js';

/** One notification hub per application (keyed by its dependencies, shared by every plugin context). */
const hubs = new WeakMap<AppDeps, NotificationHub>();

/** The application's hub; the first call (at plugin registration) also arranges for it to close first. */
export function notificationHub(app: FastifyInstance): NotificationHub {
  let hub = hubs.get(app.deps);
  if (!hub) {
    const { db, config } = app.deps;
    hub = new NotificationHub(db, {
      pollMs: config.STREAM_POLL_MS,
      heartbeatMs: config.STREAM_HEARTBEAT_MS,
      log: (msg, err) => app.log.warn({ err }, msg),
    });
    hubs.set(app.deps, hub);
    const created = hub;
    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', async () => {
      await created.close();
    });
  }
  return hub;
}

/**
 * Answers with a Server-Sent Events stream of the notifications `principal`
 * may see, from `lastEventId` on. Used by `GET /stream` (bearer token) and by
 * the dashboard (session cookie, since EventSource cannot send headers).
 */
export async function serveEventStream(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
  lastEventId: number | undefined,
): Promise<void> {
  const hub = notificationHub(app);
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
    request.log.error({ err }, 'event stream could not start');
    res.end();
    return;
  }
  if (gone) unsubscribe();
  // From here on every notification committed reaches this client.
  else res.write(': subscribed\n\n');
}
