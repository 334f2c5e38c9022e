/**
 * One timeout and one circuit breaker around every store call, so a slow or dead Redis costs a
 * read at most `timeoutMs` before it falls through to the repository, and once the breaker opens,
 * nothing at all.
 *
 * The breaker is `@mystira/resilience`'s `circuitBreaker` (share one per store). The timeout
 * throws resilience's `TimeoutError` but is a race against one timer shared by the store's calls
 * (call-deadlines.ts) rather than its `timeout()` policy: ioredis commands cannot be cancelled, so
 * the policy's per-call AbortController buys nothing here, and on the hit path it cost more than
 * the Redis round trip itself (see bench/cache.bench.ts). The command that timed out finishes (or
 * fails) in the background.
 */
import { breakerState, type CircuitBreakerPolicy, circuitBreaker } from '@mystira/resilience';
import { CallDeadlines } from './call-deadlines.js';
import { CacheStoreError } from './errors.js';
import type { CacheStore } from './store.js';

export interface GuardOptions {
  timeoutMs: number;
  breaker: CircuitBreakerPolicy;
}

export class GuardedStore {
  readonly store: CacheStore;
  readonly breaker: CircuitBreakerPolicy;
  readonly #deadlines: CallDeadlines;

  constructor(store: CacheStore, options: GuardOptions) {
    this.store = store;
    this.breaker = options.breaker;
    this.#deadlines = new CallDeadlines(options.timeoutMs);
  }

  get breakerState(): string {
    return breakerState(this.breaker);
  }

  /** Runs one store call under the breaker and timeout; every failure becomes `CacheStoreError`. */
  call<R>(operation: string, fn: (store: CacheStore) => Promise<R>): Promise<R> {
    // Disconnected: fail at once rather than queue (and without charging the breaker, which is
    // for calls that were actually attempted).
    if (!this.store.isReady())
      return Promise.reject(new CacheStoreError(operation, 'cache store is not connected'));
    // A plain `then` rather than async/await: one promise hop less on every store call.
    return this.breaker
      .execute(() => this.#deadlines.race(fn(this.store)))
      .then(undefined, (err: unknown) => {
        throw new CacheStoreError(
          operation,
          `cache store ${operation} failed: ${(err as Error)?.message ?? err}`,
          { cause: err },
        );
      });
  }
}

export function defaultBreaker(
  options: { consecutiveFailures?: number; halfOpenAfterMs?: number } = {},
): CircuitBreakerPolicy {
  return circuitBreaker({
    breaker: { consecutive: options.consecutiveFailures ?? 5 },
    halfOpenAfterMs: options.halfOpenAfterMs ?? 1000,
    name: 'cache-store',
  });
}
