import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
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
import { isDatabaseUnavailable } from '../db/availability.js';
import { EngineError } from '../engine/index.js';
import { authPlugin } from './auth.js';
import { loggerOptions, type LogDestination } from './logging.js';
import { Problem, issuePath } from '../problem.js';
import { securityPlugin } from './security.js';
import { routes } from './routes/index.js';
import { webPlugin } from '../web/plugin.js';

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

/** Anything thrown, as the problem the API answers (also what the dashboard shows under a refused form). */
export function toProblem(error: unknown): Problem {
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
  if (isDatabaseUnavailable(error)) {
    return new Problem('unavailable', 'The database is not reachable; try again shortly.');
  }
  return new Problem('internal', 'An unexpected error occurred; it has been logged.');
}

/** Where the first string (value or key) holding U+0000 is, walking without recursion (bodies may nest deeply). */
function pathOfNul(value: unknown): (string | number)[] | undefined {
  interface Node {
    value: unknown;
    key?: string | number;
    parent?: Node;
  }
  const pathTo = (node: Node | undefined, last?: string): (string | number)[] => {
    const path: (string | number)[] = last === undefined ? [] : [last];
    for (let n = node; n?.key !== undefined; n = n.parent) path.unshift(n.key);
    return path;
  };
  const stack: Node[] = [{ value }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return pathTo(node);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, key: i, parent: node }));
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes('\u0000')) return pathTo(node, k);
        stack.push({ value: item, key: k, parent: node });
      }
    }
  }
  return undefined;
}

/** Shared infrastructure as a named plugin, so route plugins can declare they need it. */
const depsPlugin = fp(
  async (app, deps: AppDeps) => {
    app.decorate('deps', deps);
  },
  { name: 'deps' },
);

export interface BuildOptions extends FastifyServerOptions {
  /** Where log lines go (default stdout), secrets scrubbed; giving one turns logging on at LOG_LEVEL. */
  logStream?: LogDestination;
}

const problemJson = 'application/problem+json';

/** A request id from the client is kept when it is short and plain; otherwise one is made. */
function requestId(given: unknown): string {
  return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

/** TRUST_PROXY as Fastify takes it: a hop count becomes "trust the nearest n proxies". */
function trustProxy(setting: Config['TRUST_PROXY']): FastifyServerOptions['trustProxy'] {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/** The Fastify application: a function of its dependencies, listening is server.ts's job. */
export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { logStream, logger, ...rest } = options;
  const logOn = logStream !== undefined || (logger !== undefined && logger !== false);
  const level =
    typeof logger === 'object' && logger && 'level' in logger && typeof logger.level === 'string'
      ? logger.level
      : deps.config.LOG_LEVEL === 'silent'
        ? 'info'
        : deps.config.LOG_LEVEL;
  const app = Fastify({
    logger: logOn ? loggerOptions(deps.config, level, logStream) : false,
    bodyLimit: 1_048_576,
    requestTimeout: 30_000,
    trustProxy: trustProxy(deps.config.TRUST_PROXY),
    genReqId: (req) => requestId(req.headers['x-request-id']),
    // A URL the router cannot decode is a bad request like any other.
    frameworkErrors: (error, request, reply) => {
      const problem = new Problem('bad-request', 'The request URL is malformed.', { issues: [] });
      reply.header('x-request-id', request.id); // this reply skips the onSend hooks
      void (reply as FastifyReply).status(problem.status).type(problemJson).send(problem.body());
      request.log.info({ code: error.code }, 'malformed request');
    },
    // Requests too broken for the router (bad HTTP) still get problem+json and a request id.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return;
      const code = (error as { code?: string }).code;
      const [status, reason, detail] =
        code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'The request headers are too large.']
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'The request did not arrive in time.']
            : [400, 'Bad Request', 'The HTTP request could not be parsed.'];
      const body = JSON.stringify({ type: 'urn:kiemtra-cchc:problem:bad-request', title: 'The request is invalid', status, detail });
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\n` +
          `content-type: ${problemJson}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
          `x-request-id: ${crypto.randomUUID()}\r\nconnection: close\r\n\r\n${body}`,
      );
    },
    ...rest,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // PostgreSQL cannot store U+0000 in text or jsonb: refuse it at the door, wherever it hides.
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
      const path = pathOfNul(value);
      if (path) {
        throw new Problem('bad-request', 'The request contains a NUL character (U+0000).', {
          issues: [{ path: issuePath([where, ...path]), message: 'NUL characters are not accepted' }],
        });
      }
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
    if (typeof problem.extra.retryAfter === 'number') reply.header('retry-after', String(problem.extra.retryAfter));
    return reply.status(problem.status).type(problemJson).send(problem.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new Problem('not-found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(404).type(problemJson).send(problem.body());
  });

  await app.register(depsPlugin, deps);
  await app.register(securityPlugin);
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
  // Its own CSP with the hashes of Swagger UI's inline scripts (the global one allows none).
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(authPlugin);
  await app.register(routes);
  await app.register(webPlugin);
  return app;
}
