import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { Problem } from '../problem.js';

/**
 * HTTP hardening in one place: security headers (helmet), CORS (closed unless
 * CORS_ORIGINS lists origins), the API-wide rate limit and the limit on
 * failed authentications, both per client address.
 */

/**
 * The Content-Security-Policy of every response: scripts, styles, fonts and
 * images come from this server only (no CDN, no inline script), nothing may
 * frame the pages. The dashboard lives with this; a page that needs more
 * changes it here, for everyone to see. (`/docs` sets its own policy, with the
 * hashes of Swagger UI's inline scripts.)
 */
export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

/** Request headers a browser on an allowed origin may send cross-origin. */
const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'idempotency-key', 'x-request-id'];
const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

export interface AuthFailureLimiter {
  /** Seconds until the address may try again when it has used up its failures; undefined otherwise. Counts nothing. */
  blockedFor(request: FastifyRequest): Promise<number | undefined>;
  /** Counts one failed authentication of the request's address. */
  record(request: FastifyRequest): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Failed authentications per client address (also for the dashboard's sign-in). */
    authFailures: AuthFailureLimiter;
  }
}

const tooMany = (retryAfter: number) =>
  new Problem('too-many-requests', `Too many requests from this address; retry in ${retryAfter} s.`, { retryAfter });

export const securityPlugin = fp(
  async (app) => {
    const { config } = app.deps;
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      // API responses and pages alike: no MIME sniffing, no referrer to other sites, no framing.
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginResourcePolicy: { policy: config.CORS_ORIGINS.length > 0 ? 'cross-origin' : 'same-origin' },
    });
    if (config.CORS_ORIGINS.length > 0) {
      await app.register(cors, {
        origin: [...config.CORS_ORIGINS],
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: CORS_ALLOWED_HEADERS,
        exposedHeaders: CORS_EXPOSED_HEADERS,
        maxAge: 600,
      });
    }

    await app.register(rateLimit, {
      global: false,
      timeWindow: config.RATE_LIMIT_WINDOW_MS,
      errorResponseBuilder: (_request, context) => tooMany(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
    if (config.RATE_LIMIT_MAX > 0) {
      // An instance hook, so it runs before authentication: an address over the limit costs no database work.
      app.addHook('onRequest', app.rateLimit({ max: config.RATE_LIMIT_MAX, timeWindow: config.RATE_LIMIT_WINDOW_MS }));
    }

    const failures = app.createRateLimit({ max: config.AUTH_FAILURE_LIMIT, timeWindow: config.RATE_LIMIT_WINDOW_MS });
    app.decorate('authFailures', {
      async blockedFor(request) {
        const state = await failures(request, { increment: false });
        if (state.isAllowed) return undefined;
        return state.remaining <= 0 ? Math.max(1, state.ttlInSeconds) : undefined;
      },
      async record(request) {
        await failures(request);
      },
    } satisfies AuthFailureLimiter);
  },
  { name: 'security', dependencies: ['deps'] },
);

/** The 429 answered to an address that has used up its failed authentications. */
export function authFailuresExceeded(retryAfter: number): Problem {
  return tooMany(retryAfter);
}
