import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * A real webhook receiver on loopback: checks each delivery's signature,
 * answers 204, and keeps every delivery it got (so repeats can be counted).
 * `down()` closes it (the service then meets "connection refused"), `up()`
 * listens again on the same port.
 */
export async function webhookReceiver(secret: string) {
  const received: Delivery[] = [];
  const badSignatures: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-signature'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        badSignatures.push(String(req.headers['x-delivery-id']));
        res.writeHead(401).end();
        return;
      }
      received.push(JSON.parse(body.toString('utf8')) as Delivery);
      res.writeHead(204).end();
    });
  };
  let server = http.createServer(handler);
  const track = (s: http.Server) => s.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    badSignatures,
    isUp: () => listening,
    async down() {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async up() {
      if (listening) return;
      server = http.createServer(handler);
      track(server);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      listening = true;
    },
    /** Deliveries per delivery id, and the ids that came more than once. */
    counts() {
      const byId = new Map<string, number>();
      for (const d of received) byId.set(d.id, (byId.get(d.id) ?? 0) + 1);
      return { distinct: byId.size, repeated: [...byId].filter(([, n]) => n > 1).map(([id]) => id) };
    },
  };
}
