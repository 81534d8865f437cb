import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notificationHub, serveEventStream } from '../event-stream.js';
import { problemResponses } from '../schemas.js';

export const streamRoutes: FastifyPluginAsyncZod = async (app) => {
  notificationHub(app);

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
      await serveEventStream(app, request, reply, request.principal, lastEventId === undefined ? undefined : Number(lastEventId));
    },
  );
};
