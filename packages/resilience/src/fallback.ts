import { fallback as cockatielFallback, type FallbackPolicy, handleWhen } from 'cockatiel';

/** Options of {@link fallback}. */
export interface FallbackOptions {
  /** Which errors fall back. Default: every error except an abort by the caller. */
  shouldHandle?: (error: unknown) => boolean;
}

const notAnAbort = (error: unknown) =>
  !(
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );

/**
 * Returns a fallback value (or the result of a factory, e.g. a stale cache read) when the call
 * fails (cockatiel's `FallbackPolicy`). Put it outermost so it also covers open breakers, full
 * bulkheads and timeouts.
 */
export function fallback<R>(
  valueOrFactory: R | (() => R | Promise<R>),
  options: FallbackOptions = {},
): FallbackPolicy<R> {
  return cockatielFallback(handleWhen(options.shouldHandle ?? notAnAbort), valueOrFactory);
}

export type { FallbackPolicy } from 'cockatiel';
