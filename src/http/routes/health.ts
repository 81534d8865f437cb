import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { migrationsApplied } from '../../db/migrate.js';
import { Problem } from '../../problem.js';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: { tags: ['operations'], summary: 'The process is up', security: [], response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable and every migration is applied',
        security: [],
        response: { 200: z.object({ status: z.literal('ready') }) },
      },
    },
    async () => {
      try {
        await sql`select 1`.execute(app.deps.db);
        if (!(await migrationsApplied(app.deps.db as never))) {
          throw new Problem('unavailable', 'Migrations are pending.');
        }
      } catch (err) {
        if (err instanceof Problem) throw err;
        throw new Problem('unavailable', 'The database is not reachable.');
      }
      return { status: 'ready' as const };
    },
  );
};
