import { createHmac } from 'node:crypto';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the X-Signature header of every delivery. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export interface PostResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/**
 * One delivery attempt: `POST url` with the stored body, its signature and
 * its stable delivery id. Any 2xx is success; redirects are not followed (a
 * receiver that moved must be registered again).
 */
export async function postWebhook(
  target: { url: string; secret: string },
  delivery: { id: string; type: string; body: string },
  timeoutMs: number,
): Promise<PostResult> {
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'kiemtra-cchc-webhooks/1',
        'x-delivery-id': delivery.id,
        'x-event-type': delivery.type,
        'x-signature': signBody(target.secret, delivery.body),
      },
      body: delivery.body,
    });
    // Read the answer to the end so the connection goes back to the pool.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, error: null };
    return { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, statusCode: null, error: String(reason).slice(0, 500) };
  }
}

/**
 * Exponential backoff with "equal jitter": attempt n waits between half and
 * all of min(max, base·2^(n−1)), so retries of many deliveries that failed
 * together spread out instead of hitting the receiver at once.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
