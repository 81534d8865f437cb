import type { Config } from '../config.js';

/**
 * Logs must never carry a token or a secret: they are read by more people
 * than the database, kept longer, and shipped to other systems. Two layers:
 * pino's `redact` blanks the fields where secrets live when an object is
 * logged (headers, webhook secrets, connection URLs), and every finished line
 * is scrubbed once more for what can hide inside free text (an API token in an
 * error message, `?token=` in a logged URL, a password inside a URL, the
 * configured secrets themselves).
 */

export const REDACTED = '[REDACTED]';

/** Where secrets sit in logged objects (pino redact paths; `*` is one level). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'token',
  'secret',
  'password',
  'smtpUrl',
  'SMTP_URL',
  'DATABASE_URL',
  'BOOTSTRAP_ADMIN_TOKEN',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.smtpUrl',
  '*.SMTP_URL',
  '*.DATABASE_URL',
  '*.BOOTSTRAP_ADMIN_TOKEN',
  '*.*.token',
  '*.*.secret',
  '*.*.password',
];

const FREE_TEXT_SECRETS: readonly [RegExp, string][] = [
  // API tokens (src/domain/tokens.ts), wherever they appear.
  [/kt_[A-Za-z0-9_-]{16,}/g, `kt_${REDACTED}`],
  // An Authorization header value quoted in a message.
  [/(\b(?:Bearer|Basic)\s+)[^\s"',;]+/gi, `$1${REDACTED}`],
  // user:password@ in any URL (SMTP_URL, DATABASE_URL, a webhook URL).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"]*:)[^\s@"/]+@/gi, `$1${REDACTED}@`],
  // Secrets passed in a query string (the calendar feed accepts ?token=).
  [/([?&](?:token|access_token|secret|password|api_key|key|signature)=)[^&\s"#]+/gi, `$1${REDACTED}`],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Secret values from the configuration, as they would appear raw or JSON-escaped in a line. */
export function configuredSecrets(config: Config): string[] {
  const values: string[] = [];
  if (config.BOOTSTRAP_ADMIN_TOKEN) values.push(config.BOOTSTRAP_ADMIN_TOKEN);
  for (const url of [config.SMTP_URL, config.DATABASE_URL]) {
    if (!url) continue;
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password.length >= 4) values.push(password);
    } catch {
      // not a URL the config would have accepted
    }
  }
  return [...new Set(values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)]))].filter(Boolean);
}

/** Replaces every secret found in `text`. */
export function makeScrubber(literals: readonly string[]): (text: string) => string {
  const literal = literals.length > 0 ? new RegExp(literals.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    let out = literal ? text.replace(literal, REDACTED) : text;
    for (const [pattern, replacement] of FREE_TEXT_SECRETS) out = out.replace(pattern, replacement);
    return out;
  };
}

export interface LogDestination {
  write(line: string): unknown;
}

/**
 * Logger options for Fastify (pino): level, redaction, and a destination
 * that scrubs every line before it reaches `destination` (stdout by default).
 */
export function loggerOptions(config: Config, level: string, destination: LogDestination = process.stdout) {
  const scrub = makeScrubber(configuredSecrets(config));
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    stream: { write: (line: string) => destination.write(scrub(line)) },
  };
}
