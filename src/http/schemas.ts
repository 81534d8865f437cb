import { z } from 'zod';
import { isoDate as calendarDate, MAX_DATE, MIN_DATE } from '../../machines/index.js';
import { PROBLEMS } from '../problem.js';

/**
 * Zod pieces shared by the route plugins: the formats API.md fixes (dates,
 * instants, unit codes), pagination, and the problem+json answer as the
 * OpenAPI document shows it.
 */

/** A calendar date, `YYYY-MM-DD`, 1900–2199 (a date-only deadline ends at 23:59:59 in the deadline time zone). */
export const isoDate = calendarDate.describe('A calendar date, YYYY-MM-DD (1900–2199).');

/** An instant, ISO-8601 with an offset (`2020-07-01T10:00:00+07:00` or `…Z`), within the years dates may have. */
export const isoInstant = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    // zod runs this after a failed format check too; the format issue is reported already.
    const ms = Date.parse(v);
    return Number.isNaN(ms) || (ms >= Date.parse(MIN_DATE) && ms < Date.parse(MAX_DATE) + 86_400_000);
  }, `must be between ${MIN_DATE} and ${MAX_DATE}`)
  .describe('An instant, ISO-8601 with an offset.');

export const UNIT_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;

/**
 * Unit codes: upper-case ASCII letters, digits, `-` and `_`, starting with a
 * letter or digit, at most 64 characters (`SNV`, `H-KRONGPAC`,
 * `X-KRONGPAC-EAKNUEC`). Codes appear in URLs and calendar file names, so no
 * spaces, dots or slashes.
 */
export const unitCode = z
  .string()
  .regex(UNIT_CODE_PATTERN, 'must be 1–64 upper-case letters, digits, "-" or "_", starting with a letter or digit')
  .describe('Unit code: 1–64 of A–Z, 0–9, "-", "_"; starts with a letter or digit (e.g. H-KRONGPAC).');

export const uuid = z.uuid().describe('A UUID.');

/** Keyset pagination: `limit` items after the opaque `cursor` of the previous page. */
export function pagination(options: { defaultLimit?: number; maxLimit?: number } = {}) {
  const max = options.maxLimit ?? 200;
  return {
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(max)
      .default(options.defaultLimit ?? 50)
      .describe(`Items per page (1–${max}).`),
    cursor: z.string().min(1).max(500).optional().describe('The `nextCursor` of the previous page.'),
  };
}

/** `nextCursor` of a page: null on the last page. */
export const nextCursor = z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.');

export const problemIssue = z.object({
  path: z.string().describe('Where the problem is, e.g. `body.code` or `querystring.validOn`.'),
  message: z.string(),
});

/** RFC 9457 problem details; extra members depend on the problem (`issues`, `state`, `allowedEvents`, `version`). */
export const problem = z
  .looseObject({
    type: z.string().describe('urn:kiemtra-cchc:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    issues: z.array(problemIssue).optional().describe('400 only: what is wrong, and where.'),
  })
  .describe('application/problem+json');

const PROBLEM_TITLES = new Map<number, string>(Object.values(PROBLEMS).map((p) => [p.status, p.title]));

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (`issues` says where)',
  401: 'No token, or an unknown, revoked or expired one',
  403: 'The role may not do this',
  404: 'Not found',
  409: 'Conflict with what is stored',
  412: 'Version mismatch',
  503: 'Service unavailable',
};

/**
 * Response schemas for the error statuses a route can answer, documented as
 * application/problem+json. 401 and 403 are added for every route behind
 * authentication.
 */
export function problemResponses(statuses: readonly number[], options: { public?: boolean } = {}) {
  const all = new Set(options.public ? statuses : [...statuses, 401, 403]);
  const out: Record<number, { description: string; content: { 'application/problem+json': { schema: typeof problem } } }> = {};
  for (const status of [...all].sort((a, b) => a - b)) {
    out[status] = {
      description: DESCRIPTIONS[status] ?? PROBLEM_TITLES.get(status) ?? 'Problem',
      content: { 'application/problem+json': { schema: problem } },
    };
  }
  return out;
}

