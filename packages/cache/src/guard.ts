/**
 * One timeout and one circuit breaker around every store call (`@mystira/resilience`), so a slow
 * or dead Redis costs a read at most `timeoutMs` before it falls through to the repository, and
 * once the breaker opens, nothing at all. The timeout is aggressive: ioredis commands cannot be
 * cancelled, so the caller stops waiting and the command finishes (or fails) in the background.
 */
import {
  breakerState,
  type CircuitBreakerPolicy,
  circuitBreaker,
  type Pipeline,
  pipeline,
  timeout,
} from '@mystira/resilience';
import { CacheStoreError } from './errors.js';
import type { CacheStore } from './store.js';

export interface GuardOptions {
  timeoutMs: number;
  breaker: CircuitBreakerPolicy;
}

export class GuardedStore {
  readonly store: CacheStore;
  readonly breaker: CircuitBreakerPolicy;
  readonly #pipeline: Pipeline;

  constructor(store: CacheStore, options: GuardOptions) {
    this.store = store;
    this.breaker = options.breaker;
    this.#pipeline = pipeline({
      circuitBreaker: options.breaker,
      attemptTimeout: timeout({
        ms: options.timeoutMs,
        strategy: 'aggressive',
        name: 'cache-store',
      }),
    });
  }

  get breakerState(): string {
    return breakerState(this.breaker);
  }

  /** Runs one store call under the breaker and timeout; every failure becomes `CacheStoreError`. */
  async call<R>(operation: string, fn: (store: CacheStore) => Promise<R>): Promise<R> {
    // Disconnected: fail at once rather than queue (and without charging the breaker, which is
    // for calls that were actually attempted).
    if (!this.store.isReady()) throw new CacheStoreError(operation, 'cache store is not connected');
    try {
      return await this.#pipeline.execute(() => fn(this.store));
    } catch (err) {
      throw new CacheStoreError(
        operation,
        `cache store ${operation} failed: ${(err as Error)?.message ?? err}`,
        {
          cause: err,
        },
      );
    }
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
