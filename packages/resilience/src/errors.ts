import { TaskCancelledError } from 'cockatiel';

/**
 * Thrown by {@link timeout} (and the pipeline's `timeout`/`attemptTimeout`) when a call did not
 * finish in time. It extends cockatiel's `TaskCancelledError`, so `instanceof TaskCancelledError`
 * and `isTaskCancelledError` keep working. `cause` is what the cancelled call threw, if anything.
 */
export class TimeoutError extends TaskCancelledError {
  override name = 'TimeoutError';
  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`operation timed out after ${timeoutMs} ms`);
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The reason a hedging policy aborts the attempts that lost the race. */
export class HedgeLostError extends Error {
  override name = 'HedgeLostError';
  constructor() {
    super('another hedged attempt finished first');
  }
}
