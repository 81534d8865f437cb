import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unitCalendarIcs } from '../../reminders/ics.js';
import { notFound } from '../../problem.js';
import { problemResponses, unitCode } from '../schemas.js';

export const icsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/units/:code/calendar.ics',
    {
      config: { tokenInQuery: true },
      schema: {
        tags: ['deadlines'],
        summary: 'iCalendar feed of the unit’s open and missed deadlines, for calendar subscriptions',
        description:
          'Calendar clients cannot send an Authorization header, so this route (and only this one) also accepts ' +
          '`?token=<api token>`; the token’s role and unit are checked as usual (a unit token reads its own unit only). ' +
          'Prefer a dedicated `unit` or `observer` token for a subscription URL: it ends up in the client’s settings.',
        params: z.object({ code: unitCode }),
        querystring: z.strictObject({ token: z.string().min(1).max(200).optional() }),
        response: { 200: z.string().describe('text/calendar'), ...problemResponses([400, 404]) },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      const principal = request.principal;
      const unit = await app.deps.db.selectFrom('units').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
      if (!unit || (principal.role === 'unit' && principal.unitCode !== code)) throw notFound(`No unit with code ${code}.`);
      const body = await unitCalendarIcs(app.deps.db, unit, { now: app.deps.now(), timeZone: app.deps.config.TZ_DEADLINES });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `inline; filename="${code}.ics"`)
        .header('cache-control', 'private, max-age=300')
        .send(body);
    },
  );
};
