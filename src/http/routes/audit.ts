import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyAudit } from '../../engine/index.js';
import { notFound } from '../problem.js';
import { problemResponses, uuid } from '../schemas.js';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Recompute the audit log’s hash chains and report the first row that does not fit',
        querystring: z.object({
          inspectionId: uuid.optional().describe('One inspection (or plan); absent: every instance.'),
        }),
        response: {
          200: z.object({
            ok: z.boolean(),
            checked: z.number().int().describe('Rows whose hash was recomputed before the first break.'),
            brokenAt: z
              .object({ instanceId: z.string(), seq: z.number().int(), reason: z.string() })
              .optional()
              .describe('The first row changed, removed or out of order; absent when ok.'),
          }),
          ...problemResponses([400, 404]),
        },
      },
    },
    async (request) => {
      const { inspectionId } = request.query;
      if (inspectionId !== undefined) {
        const found = await app.deps.db.selectFrom('instances').select('id').where('id', '=', inspectionId).executeTakeFirst();
        if (!found) throw notFound(`No inspection or plan with id ${inspectionId}.`);
      }
      return verifyAudit(app.deps.db, inspectionId);
    },
  );
};
