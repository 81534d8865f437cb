import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createLatePlannedInspection,
  createSurpriseInspection,
  getInspection,
  inspectionHistory,
  listInspections,
  sendInspectionEvent,
} from '../../domain/inspections.js';
import { eventBody, eventHeaders, eventResult, uuidParam } from './common.js';

const summary = z.object({
  id: z.uuid(),
  kind: z.string(),
  planId: z.uuid().nullable(),
  unitCode: z.string().nullable(),
  state: z.string(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const view = summary.extend({
  machine: z.object({ name: z.string(), version: z.number() }),
  allowedEvents: z.array(z.string()),
  context: z.unknown(),
  deadlines: z.array(
    z.object({ id: z.uuid(), kind: z.string(), subject: z.string(), dueDate: z.string(), dueAt: z.string(), status: z.string() }),
  ),
});

const createBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('surprise'),
    unitCode: z.string().min(1).max(64),
    contents: z.array(z.enum(['s1', 's2'])).min(1).max(2),
    announced: z.boolean(),
    reason: z.string().trim().min(1).max(2000),
  }),
  z.strictObject({
    kind: z.literal('planned'),
    planId: z.uuid(),
    unitCode: z.string().min(1).max(64),
  }),
]);

const booleanString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const inspectionsRoutes: FastifyPluginAsyncZod = async (app) => {

  app.post(
    '/inspections',
    {
      schema: {
        tags: ['inspections'],
        summary: 'Propose a surprise inspection, or add a unit to an approved plan',
        body: createBody,
        response: { 201: view },
      },
    },
    async (request, reply) => {
      const { db, now, config } = app.deps;
      const body = request.body;
      const created =
        body.kind === 'surprise'
          ? await createSurpriseInspection(db, body, request.principal, now(), config.TZ_DEADLINES)
          : await createLatePlannedInspection(db, body, request.principal, now(), config.TZ_DEADLINES);
      return reply.status(201).send(await getInspection(db, created.id, request.principal, now()));
    },
  );

  app.get(
    '/inspections',
    {
      schema: {
        tags: ['inspections'],
        summary: 'List inspections, newest first',
        querystring: z.strictObject({
          kind: z.enum(['planned', 'surprise']).optional(),
          state: z.string().min(1).max(64).optional(),
          unitCode: z.string().min(1).max(64).optional(),
          planId: z.uuid().optional(),
          overdue: booleanString.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: z.object({ items: z.array(summary), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => listInspections(app.deps.db, request.query, request.principal, app.deps.now()),
  );

  app.get(
    '/inspections/:id',
    { schema: { tags: ['inspections'], summary: 'One inspection', params: uuidParam, response: { 200: view } } },
    async (request) => getInspection(app.deps.db, request.params.id, request.principal, app.deps.now()),
  );

  app.post(
    '/inspections/:id/events',
    {
      schema: {
        tags: ['inspections'],
        summary: 'Send an event to an inspection',
        params: uuidParam,
        headers: eventHeaders,
        body: eventBody,
        response: { 200: eventResult },
      },
    },
    async (request) => {
      const result = await sendInspectionEvent(app.deps.db, request.params.id, request.body, request.principal, {
        now: app.deps.now(),
        timeZone: app.deps.config.TZ_DEADLINES,
        idempotencyKey: request.headers['idempotency-key'],
        expectedVersion: request.headers['if-match'],
      });
      return { id: result.id, state: result.state, version: result.version, allowedEvents: result.allowedEvents };
    },
  );

  app.get(
    '/inspections/:id/history',
    {
      schema: {
        tags: ['inspections'],
        summary: 'The audit trail of one inspection, oldest first',
        params: uuidParam,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                seq: z.number(),
                at: z.string(),
                actor: z.object({ id: z.string(), role: z.string() }),
                event: z.record(z.string(), z.unknown()),
                from: z.string().nullable(),
                to: z.string(),
                hash: z.string(),
                prevHash: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await inspectionHistory(app.deps.db, request.params.id, request.principal) }),
  );
};
