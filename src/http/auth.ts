import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { authenticate, type Principal } from '../domain/tokens.js';
import { mayCallRoute, ROUTE_ROLES } from '../domain/access.js';
import { Problem } from '../problem.js';
import { authFailuresExceeded } from './security.js';

/** Longer than any token this service issues (or a sane bootstrap token): refused without a lookup. */
const MAX_TOKEN_LENGTH = 512;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** No token needed (health, readiness, docs). */
    public?: boolean;
    /** Also accept the token as `?token=` (calendar subscriptions cannot send headers). */
    tokenInQuery?: boolean;
  }
}

/** The caller; routes behind auth can rely on it. */
export function principalOf(request: FastifyRequest): Principal {
  return request.principal;
}

/**
 * Bearer-token authentication and route-level authorization from ROUTE_ROLES.
 * Every non-public route must be in the table: a route added without an
 * entry fails at start-up rather than being open by accident.
 */
export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRoute', (route) => {
      if (route.config?.public || route.url.startsWith('/docs')) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        const key = `${method} ${route.url}`;
        if (!ROUTE_ROLES[key]) throw new Error(`route ${key} has no entry in ROUTE_ROLES`);
      }
    });
    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      if (config?.public || request.routeOptions.url?.startsWith('/docs')) return;
      // An address that used up its failed attempts is refused before its token is even looked at,
      // so guessing gains nothing: a right guess is refused like a wrong one.
      const blockedFor = await app.authFailures.blockedFor(request);
      if (blockedFor !== undefined) throw authFailuresExceeded(blockedFor);
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      const queryToken = config?.tokenInQuery ? (request.query as { token?: unknown } | undefined)?.token : undefined;
      const token = match?.[1] ?? (typeof queryToken === 'string' && queryToken !== '' ? queryToken : undefined);
      if (!token) {
        await app.authFailures.record(request);
        throw new Problem('unauthorized', 'Send Authorization: Bearer <token>.');
      }
      const principal =
        token.length <= MAX_TOKEN_LENGTH
          ? await authenticate(app.deps.db, token, app.deps.now(), app.deps.config.BOOTSTRAP_ADMIN_TOKEN)
          : undefined;
      if (!principal) {
        await app.authFailures.record(request);
        throw new Problem('unauthorized', 'The token is unknown, revoked or expired.');
      }
      request.principal = principal;
      const url = request.routeOptions.url;
      if (url === undefined) return; // no such route: the 404 handler answers
      if (!mayCallRoute(principal.role, `${request.method === 'HEAD' ? 'GET' : request.method} ${url}`)) {
        throw new Problem('forbidden', `The ${principal.role} role may not call ${request.method} ${url}.`);
      }
    });
  },
  { name: 'auth', dependencies: ['deps', 'security'] },
);
