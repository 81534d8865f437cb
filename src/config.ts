import { z } from 'zod';
import { reminderPolicyOverrideSchema } from './reminders/policy.js';

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const emailList = z
  .string()
  .transform((v) => v.split(',').map((e) => e.trim()).filter(Boolean))
  .pipe(z.array(z.email()));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  BOOTSTRAP_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SEED_DEMO: boolean.default(true),
  REMINDER_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  SMTP_URL: z.url().optional(),
  SMTP_FROM: z.string().min(3).default('Kiem tra CCHC <no-reply@kiemtra-cchc.local>'),
  /** Where coordinator-audience reminders (escalations) are e-mailed; comma-separated. Default: none. */
  COORDINATOR_EMAILS: emailList.default([]),
  /** Where chairman-audience reminders (escalations) are e-mailed; comma-separated. Default: none. */
  CHAIRMAN_EMAILS: emailList.default([]),
  /**
   * Changes to the default reminder policy (src/reminders/policy.ts, GET /reminders/policy), as JSON,
   * e.g. {"rules":{"selfReport":{"daysBefore":[5,2]}}}. Default: none.
   */
  REMINDER_POLICY: z
    .string()
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(reminderPolicyOverrideSchema)
    .optional(),
  /** Local time (TZ_DEADLINES) at which reminders go out on their day. Default 08:00. */
  REMINDER_SEND_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM')
    .default('08:00'),
  /** Attempts per reminder and per webhook delivery before it is marked failed. Default 8. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Timeout of one webhook POST. Default 10 s. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** First retry delay; doubles per attempt (with jitter) up to DELIVERY_BACKOFF_MAX_MS. Default 30 s, cap 6 h. */
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(1).default(30_000),
  DELIVERY_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(6 * 3_600_000),
  /** How often GET /stream polls the notifications table for other processes' rows. Default 1 s. */
  STREAM_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** Comment lines that keep idle GET /stream connections open through proxies. Default 15 s. */
  STREAM_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  TZ_DEADLINES: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'not a known IANA time zone')
    .default('Asia/Ho_Chi_Minh'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Requests per client address per RATE_LIMIT_WINDOW_MS over the whole API; 0 turns the limit off. Default 1000. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(0).default(1000),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Failed authentications per client address per RATE_LIMIT_WINDOW_MS before every attempt from it is refused (429). Default 20. */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  /** Browser origins allowed to call the API cross-origin, comma-separated; unset: none (CORS closed). */
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.url().regex(/^https?:\/\/[^/]+$/, 'expected scheme://host[:port] without a path')))
    .default([]),
  /**
   * Whether the client address is taken from X-Forwarded-For (the rate limits
   * key on it): `false` (default), `true` (trust every proxy), a hop count,
   * or comma-separated proxy addresses/CIDRs.
   */
  TRUST_PROXY: z
    .string()
    .transform((v): boolean | number | string[] =>
      v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(',').map((a) => a.trim()).filter(Boolean),
    )
    .default(false),
  XSTATE_INSPECT: boolean.default(false),
});

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {}

/** Parses the environment once; a bad value fails fast with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}
