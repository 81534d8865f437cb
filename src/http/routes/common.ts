import { z } from 'zod';

export { isoDate } from '../schemas.js';
export const uuidParam = z.object({ id: z.uuid() });

/** `If-Match: <version>` (quotes and a weak prefix tolerated) and `Idempotency-Key`. */
export const eventHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^(W\/)?"?\d{1,9}"?$/, 'expected a version number')
    .transform((v) => Number(v.replace(/\D/g, '')))
    .optional(),
  'idempotency-key': z.string().min(1).max(200).optional(),
});

/** The event payload is validated by the instance's machine; here only its shape. */
export const eventBody = z.looseObject({ type: z.string().min(1).max(64) });

export const eventResult = z.object({
  id: z.uuid(),
  state: z.string(),
  version: z.number(),
  allowedEvents: z.array(z.string()),
});
