/**
 * The token bucket's arithmetic, shared by the memory limiter and (mirrored in Lua) the Redis one
 * so that both decide alike. It is GCRA: a bucket is one number, the time at which it will be
 * full again (its "theoretical arrival time", TAT); the tokens it holds at `now` are
 * `capacity - (TAT - now) / interval`. One number per key is what makes a take O(1) and a Redis
 * bucket a single string key.
 *
 * Everything is whole microseconds, so every sum is an exact integer in a double (and in Redis's
 * Lua): `retryAfterMs` is exact (a take that long after succeeds, one ms earlier fails) and no
 * rounding lets more through than `capacity + refillPerSecond × elapsed`. The interval and costs
 * are rounded up to whole µs, so rounding can only make the bucket stricter.
 */
import type { RateLimitDecision, TokenBucketOptions } from './types.js';

export interface Bucket {
  readonly capacity: number;
  /** µs one token takes to come back. */
  readonly intervalUs: number;
  /** µs an empty bucket takes to fill: the most "debt" a bucket may carry. */
  readonly burstUs: number;
}

// A TAT is `now + backlog`; with now ≈ 1.8e15 µs (Redis TIME, Unix epoch) the sum must stay an
// exact integer (< 2^53 ≈ 9e15), so a full refill may take at most 1e15 µs (about 31 years).
const maxBurstUs = 1e15;

export function bucketOf(options: TokenBucketOptions, who: string): Bucket {
  const { capacity, refillPerSecond } = options;
  // Whole tokens: a burst of 2.5 would make "take the whole bucket" depend on rounding.
  if (!(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`${who}: capacity must be an integer >= 1`);
  }
  if (!(Number.isFinite(refillPerSecond) && refillPerSecond > 0)) {
    throw new RangeError(`${who}: refillPerSecond must be a finite number > 0`);
  }
  const intervalUs = Math.ceil(1e6 / refillPerSecond);
  const burstUs = capacity * intervalUs;
  if (burstUs > maxBurstUs) {
    throw new RangeError(`${who}: capacity / refillPerSecond is too large (over 31 years)`);
  }
  return { capacity, intervalUs, burstUs };
}

/**
 * A TypeError for a key that is not a string: `undefined` would otherwise become one bucket that
 * every caller without an id shares (or, stringified, the key "undefined").
 */
export function checkKey(key: unknown): void {
  if (typeof key !== 'string')
    throw new TypeError(`rate limiter: key must be a string, got ${typeof key}`);
}

/** The µs of refill `cost` tokens stand for; a RangeError for a take that can never succeed. */
export function costUs(bucket: Bucket, cost: number): number {
  if (!(Number.isFinite(cost) && cost >= 0)) {
    throw new RangeError(`rate limiter: cost must be a finite number >= 0, got ${cost}`);
  }
  const us = Math.ceil(cost * bucket.intervalUs);
  if (us > bucket.burstUs) {
    throw new RangeError(
      `rate limiter: cost ${cost} is more than the bucket's capacity (${bucket.capacity}), so it could never be taken`,
    );
  }
  return us;
}

/** Clock in ms (fractions allowed) to whole µs. */
export const toUs = (ms: number): number => Math.round(ms * 1000);

/** An allowed take that left the bucket `backlogUs` short of full. */
export function allowed(bucket: Bucket, backlogUs: number): RateLimitDecision {
  return {
    allowed: true,
    remaining: Math.floor((bucket.burstUs - backlogUs) / bucket.intervalUs),
    retryAfterMs: 0,
    limit: bucket.capacity,
  };
}

/** A refused take whose tokens come back in `waitUs`. */
export function refused(bucket: Bucket, waitUs: number): RateLimitDecision {
  return {
    allowed: false,
    remaining: 0,
    retryAfterMs: Math.ceil(waitUs / 1000),
    limit: bucket.capacity,
  };
}
