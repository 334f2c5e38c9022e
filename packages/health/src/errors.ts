import { brandErrors } from '../../../shared/error-brand.js';

/**
 * Every error @mystira/health creates. They all extend {@link HealthError}, so a caller can tell
 * "the health machinery said no" apart from an error thrown by the dependency itself.
 */
export class HealthError extends Error {
  /** The class name (each subclass sets its own), so logs and `err.name` show which error it is. */
  override name = 'HealthError';
}

/** `register()` was called with a name that is already registered: names key the report. */
export class DuplicateCheckError extends HealthError {
  override name = 'DuplicateCheckError';
  constructor(
    /** The name that was already taken. */
    readonly checkName: string,
  ) {
    super(`a health check named "${checkName}" is already registered`);
  }
}

/**
 * A check did not settle within its timeout. It is recorded in the check's report entry (the
 * check's own promise is abandoned and its `signal` aborted with this error), never thrown by
 * `run()`, so one stalled dependency cannot hang the whole report.
 */
export class CheckTimeoutError extends HealthError {
  override name = 'CheckTimeoutError';
  constructor(
    /** The check that timed out. */
    readonly checkName: string,
    /** Its timeout, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`health check "${checkName}" did not finish within ${timeoutMs} ms`);
  }
}

/**
 * A ready-made check reached its dependency but the answer was wrong, e.g. Redis answered PING
 * with something other than PONG, or a remote gRPC health service said NOT_SERVING.
 */
export class CheckFailedError extends HealthError {
  override name = 'CheckFailedError';
}

brandErrors('@mystira/health', {
  HealthError,
  DuplicateCheckError,
  CheckTimeoutError,
  CheckFailedError,
});
