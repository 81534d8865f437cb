import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { issueToken, revokeTokenBy, rotateToken } from '../../domain/tokens.js';
import { findUnit } from '../../domain/units.js';
import { ROLES } from '../../domain/access.js';
import { badRequest, notFound, type ProblemIssue } from '../../problem.js';
import { isoInstant, problemResponses, unitCode, uuid } from '../schemas.js';

const role = z.enum(ROLES).describe('`unit` tokens are scoped to one unit and need `unitCode`; other roles must not carry one.');

const tokenInfo = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.string(),
  unitCode: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable().describe('Updated at most once a minute.'),
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export const tokensRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token (the token is shown once; only its SHA-256 hash is stored)',
        body: z.object({
          role,
          name: z.string().trim().min(1).max(200).describe('Who or what holds the token.'),
          unitCode: unitCode.optional(),
          expiresAt: isoInstant.optional().describe('When the token stops working; absent: never.'),
        }),
        response: {
          201: z.object({
            id: z.uuid(),
            token: z.string().describe('The bearer token. It is not stored and cannot be shown again.'),
            role: z.string(),
            name: z.string(),
            unitCode: z.string().nullable(),
            expiresAt: z.string().nullable(),
          }),
          ...problemResponses([400]),
        },
      },
    },
    async (request, reply) => {
      const { role, name, unitCode, expiresAt } = request.body;
      const issues: ProblemIssue[] = [];
      if (role === 'unit') {
        if (unitCode === undefined) issues.push({ path: 'body.unitCode', message: 'a unit token needs the unit’s code' });
        else if (!(await findUnit(app.deps.db, unitCode))) issues.push({ path: 'body.unitCode', message: `no unit with code ${unitCode}` });
      } else if (unitCode !== undefined) {
        issues.push({ path: 'body.unitCode', message: `only unit tokens carry a unitCode, not ${role} tokens` });
      }
      const expires = expiresAt === undefined ? null : new Date(expiresAt);
      if (expires && expires <= app.deps.now()) issues.push({ path: 'body.expiresAt', message: 'must be in the future' });
      if (issues.length > 0) throw badRequest('The token request is invalid.', issues);

      const p = request.principal;
      const created = await issueToken(
        app.deps.db,
        { role, name, unitCode: unitCode ?? null, expiresAt: expires },
        { id: p.id, role: p.role },
        app.deps.now(),
      );
      return reply.status(201).send({ ...created, expiresAt: iso(created.expiresAt) });
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'List API tokens (never the tokens themselves), newest first',
        response: { 200: z.object({ items: z.array(tokenInfo) }), ...problemResponses([]) },
      },
    },
    async () => {
      const rows = await app.deps.db
        .selectFrom('tokens')
        .select(['id', 'name', 'role', 'unit_code', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return {
        items: rows.map((r) => ({
          id: r.id,
          name: r.name,
          role: r.role,
          unitCode: r.unit_code,
          createdAt: r.created_at.toISOString(),
          expiresAt: iso(r.expires_at),
          revokedAt: iso(r.revoked_at),
          lastUsedAt: iso(r.last_used_at),
        })),
      };
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token; it stops working with the next request',
        params: z.object({ id: uuid }),
        response: { 204: z.null().describe('Revoked.'), ...problemResponses([400, 404]) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (!(await revokeTokenBy(app.deps.db, request.params.id, { id: p.id, role: p.role }, app.deps.now()))) {
        throw notFound(`No live token with id ${request.params.id}.`);
      }
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tokens/:id/rotate',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Rotate a token: revoke it and issue a replacement with the same name, role, unit and expiry (shown once)',
        params: z.object({ id: uuid }),
        response: {
          201: z.object({
            id: z.uuid().describe('The replacement’s id.'),
            token: z.string().describe('The replacement bearer token. It is not stored and cannot be shown again.'),
            role: z.string(),
            name: z.string(),
            unitCode: z.string().nullable(),
            expiresAt: z.string().nullable(),
            replaces: z.uuid().describe('The rotated token’s id; it stopped working with this answer.'),
          }),
          ...problemResponses([400, 404]),
        },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const rotated = await rotateToken(app.deps.db, request.params.id, { id: p.id, role: p.role }, app.deps.now());
      if (!rotated) throw notFound(`No live token with id ${request.params.id}.`);
      return reply.status(201).send({ ...rotated, expiresAt: iso(rotated.expiresAt) });
    },
  );
};
