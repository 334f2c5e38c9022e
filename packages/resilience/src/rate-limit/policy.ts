/**
 * The limiter as a policy, like the package's others: `execute(fn)` runs `fn` when a token is
 * there and throws {@link RateLimitExceededError} when not. It implements cockatiel's `IPolicy`,
 * so it composes with `wrap()`.
 */
import type { Event, IDefaultPolicyContext, IFailureEvent, IPolicy } from 'cockatiel';
import { neverAborted } from '../abort.js';
import { RateLimitExceededError } from '../errors.js';
import { PolicyEvents } from '../policy-events.js';
import type { RateLimitDecision, RateLimiter } from './types.js';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** The bucket `execute` takes from. Default `default`. `executeFor` names its own. */
  key?: string;
  /** Tokens per call. Default 1. */
  cost?: number;
}

/** What a rate-limited function receives. */
export interface RateLimitContext extends IDefaultPolicyContext {
  /** The take that let this call through (`remaining` for a `RateLimit-Remaining` header ...). */
  decision: RateLimitDecision;
}

export class RateLimitPolicy extends PolicyEvents implements IPolicy<RateLimitContext> {
  /** Fires for refusals (`handled: true`) and for errors of `fn` (`handled: false`). */
  declare readonly onFailure: Event<IFailureEvent>;
  readonly #limiter: RateLimiter;
  readonly #key: string;
  readonly #cost: number;

  constructor(limiter: RateLimiter, options: RateLimitOptions = {}) {
    super();
    this.#limiter = limiter;
    this.#key = options.key ?? 'default';
    this.#cost = options.cost ?? 1;
  }

  /** Runs `fn` if the `key` option's bucket has a token; else throws {@link RateLimitExceededError}. */
  execute<T>(
    fn: (context: RateLimitContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.executeFor(this.#key, fn, signal);
  }

  /** {@link execute} for one call with its own bucket, e.g. the caller's id. */
  async executeFor<T>(
    key: string,
    fn: (context: RateLimitContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    const started = performance.now();
    const decision = await this.#limiter.take(key, this.#cost, signal);
    if (!decision.allowed) {
      const error = new RateLimitExceededError(key, decision.retryAfterMs, decision.limit);
      this.emitFailure(() => 0, error);
      throw error;
    }
    try {
      const value = await fn({ signal: signal ?? neverAborted, decision });
      this.emitSuccess(() => performance.now() - started);
      return value;
    } catch (error) {
      this.emitFailure(() => performance.now() - started, error, false);
      throw error;
    }
  }
}

/**
 * A rate-limiting policy over `limiter`: `rateLimit(limiter, { key: 'payments-api' })` throttles
 * calls to a dependency; `policy.executeFor(callerId, fn)` limits each caller.
 */
export function rateLimit(limiter: RateLimiter, options: RateLimitOptions = {}): RateLimitPolicy {
  return new RateLimitPolicy(limiter, options);
}
