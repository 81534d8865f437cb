import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAdminAction } from '../../domain/admin-audit.js';
import { createUnit, findUnit, listUnits, lockRegistry, unitDetail, updateUnit, UnitError, type Unit } from '../../domain/units.js';
import { inTransaction } from '../../engine/index.js';
import { badRequest, conflict, issuePath, notFound, type Problem } from '../../problem.js';
import { isoDate, nextCursor, pagination, problemResponses, unitCode } from '../schemas.js';

const KIND_PATTERN = /^[a-z][a-zA-Z0-9_-]{0,31}$/;

const kind = z
  .string()
  .regex(KIND_PATTERN, 'must start with a lower-case letter and have at most 32 letters, digits, "-" or "_"')
  .describe(
    'What level the unit is: province, department, district or commune usually; other kinds are data ' +
      '(a plan’s coverage rules refer to kinds). Pattern ^[a-z][a-zA-Z0-9_-]{0,31}$.',
  );

const name = z.string().trim().min(1).max(500);

const contact = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().max(320),
});

const contacts = z.array(contact).max(50).describe('Who receives reminders for the unit.');

const successorCodes = z
  .array(unitCode)
  .max(200)
  .describe('Units that took over from this one (e.g. the communes a 2025 reform merged it into).');

const validFrom = isoDate.describe('First day the unit exists (inclusive); absent: since always.');
const validTo = isoDate.describe('Last day the unit exists (inclusive), e.g. 2025-06-30 for an abolished district; absent: still exists.');

const unitSchema = z.object({
  code: unitCode,
  name: z.string(),
  kind: z.string(),
  parentCode: z.string().nullable(),
  contacts: z.array(z.object({ name: z.string().optional(), email: z.string() })),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  successorCodes: z.array(z.string()),
});

const unitSummary = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
});

const unitDetailSchema = unitSchema.extend({
  children: z.array(unitSummary).describe('Direct children, by code.'),
  successors: z.array(z.string()).describe('Every unit reached by following successor links, nearest first.'),
  predecessors: z.array(z.string()).describe('Every unit whose successor links lead here, nearest first.'),
});

const codeParams = z.object({ code: unitCode });

function unitProblem(err: unknown): unknown {
  if (!(err instanceof UnitError)) return err;
  const problems: Record<UnitError['code'], () => Problem> = {
    invalid: () => badRequest(err.message, err.issues.map((i) => ({ path: issuePath(['body', ...i.path]), message: i.message }))),
    duplicate: () => conflict(err.message),
    not_found: () => notFound(err.message),
  };
  return problems[err.code]();
}

/** Field by field, what an edit changed: `{ name: { from, to } }`. */
function unitChanges(before: Unit, after: Unit): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after) as (keyof Unit)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key], to: after[key] };
  }
  return changes;
}

export const unitsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/units',
    {
      schema: {
        tags: ['units'],
        summary: 'Add a unit to the registry',
        body: z.object({
          code: unitCode,
          name,
          kind,
          parentCode: unitCode.optional().describe('The unit above this one (a district’s province, a commune’s district).'),
          contacts: contacts.optional(),
          validFrom: validFrom.optional(),
          validTo: validTo.optional(),
          successorCodes: successorCodes.optional(),
        }),
        response: { 201: unitSchema, ...problemResponses([400, 409]) },
      },
    },
    async (request, reply) => {
      const { principal: p } = request;
      try {
        const unit = await inTransaction(app.deps.db, async (trx) => {
          const created = await createUnit(trx, request.body);
          const { code, ...fields } = created;
          await recordAdminAction(trx, { actor: { id: p.id, role: p.role }, action: 'unit.created', subject: code, details: fields, at: app.deps.now() });
          return created;
        });
        return reply.status(201).send(unit);
      } catch (err) {
        throw unitProblem(err);
      }
    },
  );

  app.patch(
    '/units/:code',
    {
      schema: {
        tags: ['units'],
        summary: 'Change a unit (fields not sent stay as they are; null clears an optional one)',
        params: codeParams,
        body: z.object({
          name: name.optional(),
          kind: kind.optional(),
          parentCode: unitCode.nullable().optional().describe('New parent; not the unit itself nor one of its descendants.'),
          contacts: contacts.optional(),
          validFrom: validFrom.nullable().optional(),
          validTo: validTo.nullable().optional(),
          successorCodes: successorCodes.optional(),
        }),
        response: { 200: unitSchema, ...problemResponses([400, 404]) },
      },
    },
    async (request) => {
      const { principal: p } = request;
      const { code } = request.params;
      try {
        return await inTransaction(app.deps.db, async (trx) => {
          await lockRegistry(trx); // so `before` is the row the update changes
          const before = await findUnit(trx, code);
          const after = await updateUnit(trx, code, request.body, app.deps.now());
          const changes = unitChanges(before!, after);
          if (Object.keys(changes).length > 0) {
            await recordAdminAction(trx, { actor: { id: p.id, role: p.role }, action: 'unit.changed', subject: code, details: { changes }, at: app.deps.now() });
          }
          return after;
        });
      } catch (err) {
        throw unitProblem(err);
      }
    },
  );

  app.get(
    '/units',
    {
      schema: {
        tags: ['units'],
        summary: 'List units, ordered by code',
        querystring: z.object({
          kind: kind.optional(),
          parentCode: unitCode.optional().describe('Only the direct children of this unit.'),
          validOn: isoDate.optional().describe('Only units that existed on this date.'),
          ...pagination({ defaultLimit: 500, maxLimit: 1000 }),
        }),
        response: { 200: z.object({ items: z.array(unitSchema), nextCursor }), ...problemResponses([400]) },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const rows = await listUnits(app.deps.db, { ...filter, after: cursor, limit: limit + 1 });
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.code ?? null) : null };
    },
  );

  app.get(
    '/units/:code',
    {
      schema: {
        tags: ['units'],
        summary: 'A unit with its children, successors and predecessors',
        params: codeParams,
        response: { 200: unitDetailSchema, ...problemResponses([400, 404]) },
      },
    },
    async (request) => {
      const unit = await unitDetail(app.deps.db, request.params.code);
      if (!unit) throw notFound(`No unit with code ${request.params.code}.`);
      return unit;
    },
  );
};
