import { TaskCancelledError } from 'cockatiel';
import { brandErrors } from '../../../shared/error-brand.js';

/**
 * Thrown by {@link timeout} (and the pipeline's `timeout`/`attemptTimeout`) when a call did not
 * finish in time. It extends cockatiel's `TaskCancelledError`, so `instanceof TaskCancelledError`
 * and `isTaskCancelledError` keep working. `cause` is what the cancelled call threw, if anything.
 */
export class TimeoutError extends TaskCancelledError {
  /** The class name, so logs and `err.name` show which error it is. */
  override name = 'TimeoutError';
  constructor(
    /** The timeout that expired, in ms. */
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`operation timed out after ${timeoutMs} ms`);
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The reason a hedging policy aborts the attempts that lost the race. */
export class HedgeLostError extends Error {
  /** The class name, so logs and `err.name` show which error it is. */
  override name = 'HedgeLostError';
  constructor() {
    super('another hedged attempt finished first');
  }
}

/**
 * Thrown by {@link rateLimit} when the caller's bucket has too few tokens. `retryAfterMs` is when
 * the call would be allowed (what to send as `Retry-After` or gRPC `RetryInfo`); `retryAfterMs()`
 * from the classifiers reads it too. It is never transient and never counts against a breaker:
 * a refusal says nothing about a dependency. The key stays out of the message, which may be shown
 * to the caller.
 */
export class RateLimitExceededError extends Error {
  /** The class name, so logs and `err.name` show which error it is. */
  override name = 'RateLimitExceededError';
  /** A flag the classifiers test without `instanceof` (it survives a second copy of the package). */
  readonly isRateLimitExceededError = true;
  constructor(
    /** The bucket that refused (a caller id, an IP ...: keep it out of what callers see). */
    readonly key: string,
    /** Ms until the call would be allowed. */
    readonly retryAfterMs: number,
    /** The bucket's capacity. */
    readonly limit: number,
  ) {
    super(`rate limit exceeded; retry after ${retryAfterMs} ms`);
  }
}

brandErrors('@mystira/resilience', {
  TimeoutError,
  HedgeLostError,
  RateLimitExceededError,
});
