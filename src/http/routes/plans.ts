import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createPlan, getPlan, listPlans, sendPlanEvent } from '../../domain/plans.js';
import { maySendEvent } from '../../domain/access.js';
import { eventHeaders, eventBody, eventResult, isoDate, uuidParam } from './common.js';

const period = z.object({ from: isoDate, to: isoDate });
const coverageRule = z.strictObject({
  kind: z.string().min(1).max(32),
  minRatio: z.number().min(0).max(1),
  maxRatio: z.number().min(0).max(1).optional(),
  of: z.string().min(1).max(32).optional(),
});
const coverageResult = z.object({
  kind: z.string(),
  of: z.string().optional(),
  inspected: z.number(),
  total: z.number(),
  ratio: z.number().nullable(),
  minRatio: z.number(),
  maxRatio: z.number().optional(),
  ok: z.boolean(),
  checkedAt: z.enum(['approval', 'visit']),
  pending: z.number().optional(),
  detail: z.string().optional(),
});
const planView = z.object({
  id: z.uuid(),
  year: z.number(),
  title: z.string(),
  decisionNo: z.string().nullable(),
  reviewPeriod: period,
  visitWindow: period,
  state: z.string(),
  version: z.number(),
  targets: z.array(z.string()),
  coverage: z.array(coverageResult),
  coverageRules: z.array(coverageRule),
  inspections: z.array(z.object({ id: z.uuid(), unitCode: z.string().nullable(), state: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const plansRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Create an inspection plan (draft)',
        body: z.strictObject({
          year: z.number().int().min(2000).max(2100),
          title: z.string().trim().min(1).max(500),
          decisionNo: z.string().trim().min(1).max(100).optional(),
          reviewPeriod: period,
          visitWindow: period,
          targets: z.array(z.string().min(1).max(64)).max(10_000),
          coverage: z.array(coverageRule).max(20).optional(),
        }),
        response: { 201: planView },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const plan = await createPlan(app.deps.db, request.body, { id: p.id, role: p.role }, app.deps.now());
      return reply.status(201).send(plan);
    },
  );

  app.get(
    '/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'List plans',
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }),
        response: {
          200: z.object({
            items: z.array(z.object({ id: z.uuid(), year: z.number(), title: z.string(), state: z.string(), targets: z.number() })),
          }),
        },
      },
    },
    async (request) => ({ items: await listPlans(app.deps.db, request.query) }),
  );

  app.get(
    '/plans/:id',
    { schema: { tags: ['plans'], summary: 'A plan with its coverage and inspections', params: uuidParam, response: { 200: planView } } },
    async (request) => {
      const p = request.principal;
      return getPlan(app.deps.db, request.params.id, p.role === 'unit' ? (p.unitCode ?? '') : null);
    },
  );

  app.post(
    '/plans/:id/events',
    {
      schema: {
        tags: ['plans'],
        summary: 'Send SUBMIT, APPROVE, RETURN or REPORT to a plan',
        params: uuidParam,
        headers: eventHeaders,
        body: eventBody,
        response: { 200: eventResult },
      },
    },
    async (request) => {
      const p = request.principal;
      const result = await sendPlanEvent(app.deps.db, request.params.id, request.body, { id: p.id, role: p.role }, {
        now: app.deps.now(),
        timeZone: app.deps.config.TZ_DEADLINES,
        idempotencyKey: request.headers['idempotency-key'],
        expectedVersion: request.headers['if-match'],
      });
      return { id: result.id, state: result.state, version: result.version, allowedEvents: result.allowedEvents.filter((t) => maySendEvent(p.role, t)) };
    },
  );
};
