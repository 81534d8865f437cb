import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { validateYearCalendar, yearCalendarBodySchema } from '../../domain/calendar.js';
import { getYearCalendar, putYearCalendar } from '../../domain/calendar-store.js';
import { badRequest } from '../../problem.js';
import { problemResponses } from '../schemas.js';

const yearParams = z.object({ year: z.coerce.number().int().min(1900).max(2200).describe('1900–2200') });

const calendar = z.object({
  year: z.number().int(),
  daysOff: z.array(z.string()).describe('Days with no work (weekend days inside an announced break may be listed).'),
  workingWeekends: z.array(z.string()).describe('Saturdays and Sundays that are worked (make-up days).'),
  source: z.string().optional(),
  stored: z.boolean().describe('True when an admin stored this year; false for the computed default.'),
});

export const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/calendar/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: 'The working-day calendar of a year: the stored one, or the computed default',
        description: 'Working days are Monday–Friday plus workingWeekends, minus daysOff.',
        params: yearParams,
        response: { 200: calendar, ...problemResponses([400]) },
      },
    },
    async (request) => getYearCalendar(app.deps.db, request.params.year),
  );

  app.put(
    '/calendar/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Replace a year’s working-day calendar (deadline arithmetic uses it from now on)',
        params: yearParams,
        body: yearCalendarBodySchema,
        response: { 200: calendar, ...problemResponses([400]) },
      },
    },
    async (request) => {
      const { year } = request.params;
      if (request.body.year !== undefined && request.body.year !== year) {
        throw badRequest(`The body is for ${request.body.year}, the path for ${year}.`, [
          { path: 'body.year', message: `must be ${year} (the year in the path) or absent` },
        ]);
      }
      const checked = validateYearCalendar({ ...request.body, year });
      if (!checked.ok) {
        throw badRequest(`The calendar of ${year} is invalid.`, checked.issues.map((i) => ({ path: `body.${i.path}`, message: i.message })));
      }
      const { id, role } = request.principal;
      await putYearCalendar(app.deps.db, checked.value, { id, role }, app.deps.now());
      return getYearCalendar(app.deps.db, year);
    },
  );
};
