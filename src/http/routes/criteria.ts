import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { criteria, criterionGroups } from '../../../machines/criteria.js';
import { problemResponses } from '../schemas.js';

const inspectionKind = z.enum(['planned', 'surprise']);
const title = z.object({ vi: z.string(), en: z.string() });

export const criteriaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/criteria',
    {
      schema: {
        tags: ['criteria'],
        summary: 'The criteria catalog: sections II.1 (a1…i7, planned) and II.2 (s1, s2, surprise) of the plan',
        querystring: z.object({
          appliesTo: inspectionKind.optional().describe('Only the criteria of this kind of inspection.'),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                code: z.string(),
                group: z.string().describe('The group letter (a–i, skipping f; s for surprise inspections).'),
                title,
                appliesTo: z.array(inspectionKind),
              }),
            ),
            groups: z.record(z.string(), title).describe('Group letter → heading, as in section II of the plan.'),
          }),
          ...problemResponses([400]),
        },
      },
    },
    async (request) => {
      const { appliesTo } = request.query;
      const items = criteria
        .filter((c) => appliesTo === undefined || c.appliesTo.includes(appliesTo))
        .map((c) => ({ code: c.code, group: c.group, title: c.title, appliesTo: [...c.appliesTo] }));
      return { items, groups: criterionGroups };
    },
  );
};
