import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotificationHub } from '../../reminders/stream-hub.js';
import { problemResponses } from '../schemas.js';

export const streamRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config, db } = app.deps;
  const hub = new NotificationHub(db, {
    pollMs: config.STREAM_POLL_MS,
    heartbeatMs: config.STREAM_HEARTBEAT_MS,
    log: (msg, err) => app.log.warn({ err }, msg),
  });
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    await hub.close();
  });

  app.get(
    '/stream',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Server-Sent Events: reminder.due, reminder.overdue, inspection.transitioned',
        description:
          'Each event has `id:` (the notification id), `event:` (its type) and `data:` (JSON `{id, type, occurredAt, data}`). ' +
          'Reconnect with `Last-Event-ID` to resume after the last event received. A unit token sees its own unit’s ' +
          'transitions and the reminders addressed to the unit. Comment lines keep idle connections open.',
        headers: z.object({ 'last-event-id': z.string().regex(/^\d{1,15}$/, 'expected an event id this stream sent').optional() }),
        response: { 200: z.string().describe('text/event-stream'), ...problemResponses([400]) },
      },
    },
    async (request, reply) => {
      const lastEventId = request.headers['last-event-id'];
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
            principal: request.principal,
            write: (chunk) => {
              if (!res.writableEnded) res.write(chunk);
            },
            end: () => res.end(),
          },
          lastEventId === undefined ? undefined : Number(lastEventId),
        );
      } catch (err) {
        request.log.error({ err }, 'event stream could not start');
        res.end();
        return;
      }
      if (gone) unsubscribe();
      // From here on every notification committed reaches this client.
      else res.write(': subscribed\n\n');
    },
  );
};
