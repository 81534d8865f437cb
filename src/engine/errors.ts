/** Why the engine refused an event; the HTTP layer maps each code to one status. */
export type EngineErrorCode =
  | 'not_found'
  | 'invalid_event'
  | 'event_not_allowed'
  | 'version_mismatch'
  | 'idempotency_conflict';

export interface Issue {
  path: (string | number)[];
  message: string;
}

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const notFound = (id: string) => new EngineError('not_found', `No inspection or plan with id ${id}.`);

export const invalidEvent = (message: string, issues: Issue[]) =>
  new EngineError('invalid_event', message, { issues });

export const eventNotAllowed = (type: string, state: string, allowedEvents: string[]) =>
  new EngineError('event_not_allowed', `${type} is not allowed in state ${state}.`, { state, allowedEvents });

export const versionMismatch = (expected: number, version: number) =>
  new EngineError('version_mismatch', `Expected version ${expected}, but the current version is ${version}.`, {
    version,
  });

export const idempotencyConflict = (key: string) =>
  new EngineError(
    'idempotency_conflict',
    `Idempotency-Key ${key} was already used for a different request on this instance.`,
  );
