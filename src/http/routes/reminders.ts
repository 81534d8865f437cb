import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveReminderPolicy } from '../../reminders/policy.js';
import { listReminders, retryReminder } from '../../reminders/views.js';
import { nextCursor, pagination, problemResponses, unitCode, uuid } from '../schemas.js';

const reminder = z.object({
  id: uuid,
  deadlineId: uuid,
  inspectionId: uuid,
  unitCode: z.string().nullable(),
  offsetDays: z.number().int().describe('Negative: days before the due date; 0: on it; positive: working days overdue.'),
  audience: z.string().describe('unit | coordinator | chairman'),
  sendAt: z.string(),
  status: z.string().describe('pending | sent | failed | cancelled'),
  attempts: z.number().int(),
  channel: z.string().nullable().describe('Where it went, comma-separated: stream, webhook, email (set when first dispatched).'),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  sentAt: z.string().nullable(),
});

const rule = z.object({
  daysBefore: z.array(z.number().int()),
  onTheDay: z.boolean(),
  audience: z.string(),
  overdue: z
    .object({ firstAfterWorkingDays: z.number().int(), everyWorkingDays: z.number().int(), maxReminders: z.number().int() })
    .nullable(),
  escalateTo: z.object({ coordinator: z.number().int().optional(), chairman: z.number().int().optional() }),
});

export const remindersRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/reminders',
    {
      schema: {
        tags: ['reminders'],
        summary: 'Reminders by send time (a unit token sees those addressed to its own unit)',
        querystring: z.strictObject({
          inspectionId: uuid.optional(),
          deadlineId: uuid.optional(),
          unitCode: unitCode.optional(),
          status: z.enum(['pending', 'sent', 'failed', 'cancelled']).optional(),
          audience: z.enum(['unit', 'coordinator', 'chairman']).optional(),
          ...pagination({ defaultLimit: 200, maxLimit: 1000 }),
        }),
        response: { 200: z.object({ items: z.array(reminder), nextCursor }), ...problemResponses([400]) },
      },
    },
    async (request) => listReminders(app.deps.db, request.query, request.principal),
  );

  app.get(
    '/reminders/policy',
    {
      schema: {
        tags: ['reminders'],
        summary: 'The reminder policy in force, per deadline kind (defaults, changed by REMINDER_POLICY)',
        response: {
          200: z.object({
            sendTime: z.string().describe('Local time of day reminders go out (REMINDER_SEND_TIME).'),
            timeZone: z.string(),
            catchUpHours: z.number(),
            rules: z.record(z.string(), rule),
          }),
          ...problemResponses([]),
        },
      },
    },
    async () => {
      const policy = resolveReminderPolicy(app.deps.config.REMINDER_POLICY);
      return {
        sendTime: app.deps.config.REMINDER_SEND_TIME,
        timeZone: app.deps.config.TZ_DEADLINES,
        catchUpHours: policy.catchUpHours,
        rules: policy.rules,
      };
    },
  );

  app.post(
    '/reminders/:id/retry',
    {
      schema: {
        tags: ['reminders'],
        summary: 'Send a failed reminder again (fresh attempts, at the next dispatcher pass)',
        params: z.object({ id: uuid }),
        response: { 200: reminder, ...problemResponses([400, 404, 409]) },
      },
    },
    async (request) => retryReminder(app.deps.db, request.params.id, app.deps.now()),
  );
};
