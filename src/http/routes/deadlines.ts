import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listDeadlines } from '../../reminders/views.js';
import { isoDate, isoInstant, nextCursor, pagination, problemResponses, unitCode, uuid } from '../schemas.js';

const deadline = z.object({
  id: uuid,
  inspectionId: uuid,
  unitCode: z.string().nullable(),
  kind: z.string().describe('selfReport | visit | conclusion | remediation'),
  subject: z.string().describe('`selfReport`, `visit`, `conclusion`, or the remediation item id.'),
  dueDate: z.string().describe('The date as given, YYYY-MM-DD.'),
  dueAt: z.string().describe('When the deadline has passed: the end of dueDate in the deadline time zone.'),
  status: z.string().describe('open | met | missed | cancelled'),
});

export const deadlinesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/deadlines',
    {
      schema: {
        tags: ['deadlines'],
        summary: 'Deadlines of inspections, soonest first (a unit token sees its own unit’s only)',
        querystring: z.strictObject({
          unitCode: unitCode.optional(),
          status: z.enum(['open', 'met', 'missed', 'cancelled']).optional(),
          kind: z.enum(['selfReport', 'visit', 'conclusion', 'remediation']).optional(),
          inspectionId: uuid.optional(),
          dueBefore: z
            .union([isoDate, isoInstant])
            .optional()
            .describe('A date: due on an earlier day. An instant: due earlier than it.'),
          ...pagination({ defaultLimit: 200, maxLimit: 1000 }),
        }),
        response: { 200: z.object({ items: z.array(deadline), nextCursor }), ...problemResponses([400]) },
      },
    },
    async (request) => listDeadlines(app.deps.db, request.query, request.principal),
  );
};
