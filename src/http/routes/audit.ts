import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAdminActions, verifyAuditTrail } from '../../domain/admin-audit.js';
import { badRequest, notFound } from '../../problem.js';
import { problemResponses, uuid } from '../schemas.js';

const brokenAt = z
  .union([
    z.object({ instanceId: z.string(), seq: z.number().int(), reason: z.string() }),
    z.object({ chain: z.literal('admin'), seq: z.number().int(), reason: z.string() }),
  ])
  .describe('The first row changed, removed or out of order (in an instance’s chain, or in the administrative one); absent when ok.');

const adminEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.object({ id: z.string(), role: z.string() }),
  action: z.string().describe('token.created, token.revoked, token.rotated, unit.created, unit.changed, calendar.replaced, webhook.registered, webhook.deleted'),
  subject: z.string().describe('What was acted on: a token id, a unit code, a year, a webhook id.'),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
  prevHash: z.string(),
});

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Recompute the audit hash chains and report the first row that does not fit',
        querystring: z.object({
          inspectionId: uuid.optional().describe('One inspection (or plan); absent: every instance, then the administrative trail.'),
          scope: z
            .enum(['all', 'instances', 'admin'])
            .optional()
            .describe('Without inspectionId: `all` (default), only the instances’ chains, or only the administrative trail.'),
        }),
        response: {
          200: z.object({
            ok: z.boolean(),
            checked: z.number().int().describe('Rows whose hash was recomputed before the first break.'),
            brokenAt: brokenAt.optional(),
          }),
          ...problemResponses([400, 404]),
        },
      },
    },
    async (request) => {
      const { inspectionId, scope } = request.query;
      if (inspectionId !== undefined) {
        if (scope !== undefined && scope !== 'instances') {
          throw badRequest('inspectionId names one instance’s chain; it does not go with this scope.', [
            { path: 'querystring.scope', message: 'only `instances` (or nothing) goes with inspectionId' },
          ]);
        }
        const found = await app.deps.db.selectFrom('instances').select('id').where('id', '=', inspectionId).executeTakeFirst();
        if (!found) throw notFound(`No inspection or plan with id ${inspectionId}.`);
      }
      return verifyAuditTrail(app.deps.db, { instanceId: inspectionId, scope });
    },
  );

  app.get(
    '/audit/admin',
    {
      schema: {
        tags: ['audit'],
        summary: 'The administrative audit trail (tokens, units, calendar, webhooks), newest first',
        querystring: z.object({
          action: z.string().min(1).max(64).optional(),
          subject: z.string().min(1).max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z
            .string()
            .regex(/^[1-9]\d{0,8}$/, 'expected the nextCursor of the previous page')
            .optional()
            .describe('The `nextCursor` of the previous page.'),
        }),
        response: {
          200: z.object({ items: z.array(adminEntry), nextCursor: z.string().nullable() }),
          ...problemResponses([400]),
        },
      },
    },
    async (request) => {
      const { action, subject, limit, cursor } = request.query;
      const items = await listAdminActions(app.deps.db, {
        action,
        subject,
        before: cursor === undefined ? undefined : Number(cursor),
        limit: limit + 1,
      });
      const page = items.slice(0, limit);
      return { items: page, nextCursor: items.length > limit ? String(page.at(-1)!.seq) : null };
    },
  );
};
