import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/tokens.js';
import { notificationHub, serveEventStream } from '../http/event-stream.js';

/**
 * The dashboard's event stream: the same notifications as `GET /stream`, with
 * the same per-role filter (a unit sees its own unit's), authenticated by the
 * session cookie because EventSource cannot send an Authorization header.
 */
export function registerStreamHub(app: FastifyInstance): void {
  notificationHub(app);
}

export async function streamToBrowser(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, principal: Principal): Promise<void> {
  const given = request.headers['last-event-id'];
  const lastEventId = typeof given === 'string' && /^\d{1,15}$/.test(given) ? Number(given) : undefined;
  await serveEventStream(app, request, reply, principal, lastEventId);
}
