import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { EngineError } from '../engine/index.js';
import { authPlugin } from './auth.js';
import { Problem, issuePath } from './problem.js';
import { routes } from './routes/index.js';

export interface AppDeps {
  db: Db;
  config: Config;
  /** The clock: injected so tests move time instead of waiting. */
  now: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof EngineError) {
    const issues = ((error.details.issues as { path: (string | number)[]; message: string }[] | undefined) ?? []).map(
      (i) => ({ path: issuePath(i.path), message: i.message }),
    );
    switch (error.code) {
      case 'not_found':
        return new Problem('not-found', error.message);
      case 'invalid_event':
        return new Problem('bad-request', error.message, { issues });
      case 'event_not_allowed':
        return new Problem('event-not-allowed', error.message, {
          state: error.details.state,
          allowedEvents: error.details.allowedEvents,
        });
      case 'version_mismatch':
        return new Problem('precondition-failed', error.message, { version: error.details.version });
      case 'idempotency_conflict':
        return new Problem('idempotency-key-reused', error.message);
    }
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const issues = error.validation.map((v) => {
      const path = [where, ...v.instancePath.split('/').filter(Boolean)];
      return { path: issuePath(path), message: v.message ?? 'invalid' };
    });
    return new Problem('bad-request', `The request ${where} is invalid.`, { issues });
  }
  const fe = error as FastifyError;
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const byStatus: Record<number, Problem['code']> = {
      400: 'bad-request',
      401: 'unauthorized',
      403: 'forbidden',
      404: 'not-found',
      413: 'payload-too-large',
      415: 'unsupported-media-type',
      429: 'too-many-requests',
    };
    const code = byStatus[fe.statusCode] ?? 'bad-request';
    return new Problem(code, fe.message, code === 'bad-request' ? { issues: [] } : {});
  }
  if ((error as { code?: string })?.code === 'ECONNREFUSED' || /terminat|Connection/i.test(String((error as Error)?.message))) {
    return new Problem('unavailable', 'The database is not reachable; try again shortly.');
  }
  return new Problem('internal', 'An unexpected error occurred; it has been logged.');
}

/** Shared infrastructure as a named plugin, so route plugins can declare they need it. */
const depsPlugin = fp(
  async (app, deps: AppDeps) => {
    app.decorate('deps', deps);
  },
  { name: 'deps' },
);

/** The Fastify application: a function of its dependencies, listening is server.ts's job. */
export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1_048_576,
    requestTimeout: 30_000,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : crypto.randomUUID();
    },
    ...options,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
    return reply.status(problem.status).type('application/problem+json').send(problem.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new Problem('not-found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(404).type('application/problem+json').send(problem.body());
  });

  await app.register(depsPlugin, deps);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Kiểm tra CCHC',
        description: 'Administrative-reform inspections as statecharts: plans, inspections, deadlines, audit.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin);
  await app.register(routes);
  return app;
}
