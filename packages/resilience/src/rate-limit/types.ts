/** What one {@link RateLimiter.take} decided. */
export interface RateLimitDecision {
  /** Whether the bucket had `cost` tokens and they were taken. */
  allowed: boolean;
  /** Whole tokens left after this take, rounded down (0 when refused). */
  remaining: number;
  /** When refused: ms until `cost` tokens are available again (rounded up); 0 when allowed. */
  retryAfterMs: number;
  /** The bucket's capacity. */
  limit: number;
}

/** A token bucket per key (per caller, per tenant, per route ...). */
export interface RateLimiter {
  /**
   * Takes `cost` (default 1) tokens from `key`'s bucket, if it has them. Never throws for a
   * refusal: it resolves with `allowed: false`. Rejects with a `RangeError` when `cost` is
   * negative, not finite or more than a full bucket holds (such a take could never succeed),
   * with a `TypeError` when `key` is not a string, and with the signal's reason when `signal`
   * aborts.
   */
  take(key: string, cost?: number, signal?: AbortSignal): Promise<RateLimitDecision>;
}

/** The size and refill rate of every bucket of a limiter. */
export interface TokenBucketOptions {
  /** Burst size: tokens a full bucket holds (an integer >= 1). A new key starts full. */
  capacity: number;
  /** Tokens added per second (> 0; refill resolution is 1 µs per token). */
  refillPerSecond: number;
}
