/**
 * Every error answer is application/problem+json (RFC 9457). One registry of
 * stable codes → status and title; the one error handler (app.ts) turns
 * anything thrown into one of these.
 */
export const PROBLEMS = {
  'bad-request': { status: 400, title: 'The request is invalid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'event-not-allowed': { status: 409, title: 'Event not allowed in the current state' },
  'precondition-failed': { status: 412, title: 'Version mismatch' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused with a different request' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export interface ProblemIssue {
  path: string;
  message: string;
}

export class Problem extends Error {
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = PROBLEMS[code].status;
    this.title = PROBLEMS[code].title;
  }

  body(instance?: string): Record<string, unknown> {
    return {
      type: `urn:kiemtra-cchc:problem:${this.code}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

export const badRequest = (detail: string, issues: ProblemIssue[] = []) => new Problem('bad-request', detail, { issues });
export const notFound = (detail: string) => new Problem('not-found', detail);
export const forbidden = (detail: string) => new Problem('forbidden', detail);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) => new Problem('conflict', detail, extra);

export function issuePath(path: readonly (string | number)[]): string {
  return path.map(String).join('.');
}
