import { type Event, EventEmitter } from 'cockatiel';

/** Breaker states by name (cockatiel's `CircuitState` enum, spelled out for logs and metrics). */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** {@link ResilienceEvents.onAttempt}: a retry policy starts a try. */
export interface AttemptEvent {
  /** The policy's name (its `name` option), for telling several pipelines apart. */
  policy: string;
  /** 0 for the first try, 1 for the first retry, ... */
  attempt: number;
}

/** {@link ResilienceEvents.onRetryScheduled}: a retry policy will try again after a delay. */
export interface RetryScheduledEvent {
  /** The policy's name. */
  policy: string;
  /** The retry about to run (1 = first retry). */
  attempt: number;
  /** How long the policy waits before it. */
  delayMs: number;
  /** True when the delay came from a server hint (Retry-After, x-ms-retry-after-ms, pushback). */
  fromServerHint: boolean;
  /** The error of the try that failed. */
  error: unknown;
}

/** {@link ResilienceEvents.onGiveUp}: a retry policy stopped and the call fails. */
export interface GiveUpEvent {
  /** The policy's name. */
  policy: string;
  /** Tries made, the first included. */
  attempts: number;
  /** Why retrying stopped. */
  reason: 'not-transient' | 'max-attempts' | 'budget' | 'aborted';
  /** The error the call fails with. */
  error: unknown;
}

/** {@link ResilienceEvents.onBreakerStateChange}: a circuit breaker changed state. */
export interface BreakerStateEvent {
  /** The breaker's name. */
  policy: string;
  /** The state it is in now. */
  state: BreakerState;
}

/** {@link ResilienceEvents.onTimeout}: a timeout policy cancelled a call. */
export interface TimeoutEvent {
  /** The policy's name. */
  policy: string;
  /** The timeout that expired, in ms. */
  timeoutMs: number;
}

/** {@link ResilienceEvents.onHedgeFired}: a hedging policy started another attempt. */
export interface HedgeEvent {
  /** The policy's name. */
  policy: string;
  /** The hedged attempt started (1 = first hedge). */
  attempt: number;
  /** How long after the previous attempt it started. */
  delayMs: number;
}

/** {@link ResilienceEvents.onBulkheadRejected}: a bulkhead turned a call away. */
export interface BulkheadRejectedEvent {
  /** The bulkhead's name. */
  policy: string;
}

/** {@link ResilienceEvents.onRateLimited}: a rate limiter refused a take. */
export interface RateLimitedEvent {
  /** The limiter's name. */
  policy: string;
  /** The bucket's key (a caller id, an IP ...: keep it out of metric labels). */
  key: string;
  /** Tokens the take asked for. */
  cost: number;
  /** Ms until the bucket holds `cost` tokens again. */
  retryAfterMs: number;
}

/**
 * {@link ResilienceEvents.onRateLimitStoreError}: a rate limiter could not reach its store and
 * answered by its `onStoreError` option.
 */
export interface RateLimitStoreErrorEvent {
  /** The limiter's name. */
  policy: string;
  /** The bucket's key (keep it out of metric labels). */
  key: string;
  /** What the store threw: a Redis error, our `TimeoutError`, an open breaker ... */
  error: unknown;
  /** What the limiter answered instead, from its `onStoreError` option. */
  outcome: 'allowed' | 'denied';
}

/**
 * One place to hear what every policy does. Pass the same instance as the `events` option of
 * the policies (or of `pipeline()`), then subscribe: each `on*` returns an `IDisposable`.
 * Listeners run synchronously inside the policy, so keep them cheap.
 */
export class ResilienceEvents {
  readonly #attempt = new EventEmitter<AttemptEvent>();
  readonly #retry = new EventEmitter<RetryScheduledEvent>();
  readonly #giveUp = new EventEmitter<GiveUpEvent>();
  readonly #breaker = new EventEmitter<BreakerStateEvent>();
  readonly #timeout = new EventEmitter<TimeoutEvent>();
  readonly #hedge = new EventEmitter<HedgeEvent>();
  readonly #bulkhead = new EventEmitter<BulkheadRejectedEvent>();
  readonly #rateLimited = new EventEmitter<RateLimitedEvent>();
  readonly #rateLimitStore = new EventEmitter<RateLimitStoreErrorEvent>();

  /** Every try of a retried call, the first one included. */
  readonly onAttempt: Event<AttemptEvent> = this.#attempt.addListener;
  /** A retry was scheduled (before its delay). */
  readonly onRetryScheduled: Event<RetryScheduledEvent> = this.#retry.addListener;
  /** A retry policy stopped retrying and the error goes to the caller. */
  readonly onGiveUp: Event<GiveUpEvent> = this.#giveUp.addListener;
  /** A circuit breaker changed state. */
  readonly onBreakerStateChange: Event<BreakerStateEvent> = this.#breaker.addListener;
  /** A timeout policy cancelled a call. */
  readonly onTimeout: Event<TimeoutEvent> = this.#timeout.addListener;
  /** A hedging policy started another attempt. */
  readonly onHedgeFired: Event<HedgeEvent> = this.#hedge.addListener;
  /** A bulkhead turned a call away. */
  readonly onBulkheadRejected: Event<BulkheadRejectedEvent> = this.#bulkhead.addListener;
  /** A rate limiter refused a take (its bucket had too few tokens). */
  readonly onRateLimited: Event<RateLimitedEvent> = this.#rateLimited.addListener;
  /** A rate limiter could not reach its store (or it was too slow) and answered by `onStoreError`. */
  readonly onRateLimitStoreError: Event<RateLimitStoreErrorEvent> =
    this.#rateLimitStore.addListener;

  /** @internal Used by the policies. */
  emitAttempt(e: AttemptEvent): void {
    if (this.#attempt.size) this.#attempt.emit(e);
  }
  /** @internal */
  emitRetryScheduled(e: RetryScheduledEvent): void {
    if (this.#retry.size) this.#retry.emit(e);
  }
  /** @internal */
  emitGiveUp(e: GiveUpEvent): void {
    if (this.#giveUp.size) this.#giveUp.emit(e);
  }
  /** @internal */
  emitBreakerState(e: BreakerStateEvent): void {
    if (this.#breaker.size) this.#breaker.emit(e);
  }
  /** @internal */
  emitTimeout(e: TimeoutEvent): void {
    if (this.#timeout.size) this.#timeout.emit(e);
  }
  /** @internal */
  emitHedgeFired(e: HedgeEvent): void {
    if (this.#hedge.size) this.#hedge.emit(e);
  }
  /** @internal */
  emitBulkheadRejected(e: BulkheadRejectedEvent): void {
    if (this.#bulkhead.size) this.#bulkhead.emit(e);
  }
  /** @internal */
  emitRateLimited(e: RateLimitedEvent): void {
    if (this.#rateLimited.size) this.#rateLimited.emit(e);
  }
  /** @internal */
  emitRateLimitStoreError(e: RateLimitStoreErrorEvent): void {
    if (this.#rateLimitStore.size) this.#rateLimitStore.emit(e);
  }
}
