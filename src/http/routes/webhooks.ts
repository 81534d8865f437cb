import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NOTIFICATION_TYPES } from '../../reminders/notifications.js';
import { createWebhook, deleteWebhook, listWebhooks } from '../../reminders/views.js';
import { problemResponses, uuid } from '../schemas.js';

const webhook = z.object({
  id: uuid,
  url: z.string(),
  events: z.array(z.string()).nullable().describe('The types delivered; null: all of them.'),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const webhooksRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Register a receiver of notifications (the secret is never shown again)',
        description:
          'Each delivery is `POST url` with JSON `{id, type, occurredAt, data}`, `X-Delivery-Id` (the same on every retry) and ' +
          '`X-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>`. Any 2xx answer is success; otherwise it is ' +
          'retried with exponential backoff and jitter up to WEBHOOK_MAX_ATTEMPTS.',
        body: z.strictObject({
          url: z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }).max(2000),
          secret: z.string().min(16, 'at least 16 characters').max(256),
          events: z.array(z.enum(NOTIFICATION_TYPES)).min(1).max(NOTIFICATION_TYPES.length).optional(),
        }),
        response: { 201: webhook, ...problemResponses([400]) },
      },
    },
    async (request, reply) => {
      const created = await createWebhook(app.deps.db, request.body, request.principal, app.deps.now());
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Registered webhooks (without their secrets)',
        response: { 200: z.object({ items: z.array(webhook) }), ...problemResponses([]) },
      },
    },
    async () => ({ items: await listWebhooks(app.deps.db) }),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Remove a webhook; its pending deliveries are dropped',
        params: z.object({ id: uuid }),
        response: { 204: z.null().describe('Removed'), ...problemResponses([400, 404]) },
      },
    },
    async (request, reply) => {
      await deleteWebhook(app.deps.db, request.params.id, request.principal, app.deps.now());
      return reply.status(204).send(null);
    },
  );
};
