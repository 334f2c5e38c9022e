/**
 * Token buckets in this process's memory: for one instance, for tests, or as a first line in
 * front of the Redis limiter. A bucket is one Map entry (its TAT, see bucket.ts), refilled lazily
 * when taken from (no timers), so a take is O(1).
 */
import type { ResilienceEvents } from '../events.js';
import { allowed, bucketOf, checkKey, costUs, refused, toUs } from './bucket.js';
import type { RateLimiter, TokenBucketOptions } from './types.js';

/** Options of {@link memoryRateLimiter}. */
export interface MemoryRateLimiterOptions extends TokenBucketOptions {
  /**
   * Most buckets kept (default 100 000). Full buckets are dropped first (a full bucket is what
   * an unknown key gets anyway); past the bound the least recently used bucket is dropped even
   * if it is not full, which hands its key a full bucket.
   */
  maxKeys?: number;
  /** Clock in ms. Default `performance.now` (monotonic: a wall-clock step cannot refill buckets). */
  now?: () => number;
  /** Receives `onRateLimited` for every refusal. */
  events?: ResilienceEvents;
  /** Name used in events. Default `rate-limit`. */
  name?: string;
}

export interface MemoryRateLimiter extends RateLimiter {
  /** Buckets held now (full ones are forgotten as they are met). */
  readonly size: number;
}

// Full buckets at the old end of the map dropped per take: enough to keep pace with new keys
// (one per take at most), bounded so a take stays O(1).
const sweepPerTake = 2;

/**
 * Token buckets in this process's memory: for one instance, for tests, or as a first line in front
 * of {@link redisRateLimiter}. A take is O(1) and uses no timers (buckets refill lazily).
 */
export function memoryRateLimiter(options: MemoryRateLimiterOptions): MemoryRateLimiter {
  const bucket = bucketOf(options, 'memoryRateLimiter');
  const maxKeys = options.maxKeys ?? 100_000;
  if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) {
    throw new RangeError('memoryRateLimiter: maxKeys must be an integer >= 1');
  }
  const now = options.now ?? (() => performance.now());
  const events = options.events;
  const name = options.name ?? 'rate-limit';
  // key → TAT in µs. A Map iterates in insertion order; every take re-inserts its key, so the
  // first entries are the least recently used ones, and those are the ones most likely full: an
  // entry untouched for a full refill period is full.
  const buckets = new Map<string, number>();

  const takeNow = (key: string, cost: number) => {
    checkKey(key);
    const c = costUs(bucket, cost);
    const t = toUs(now());
    const tat = buckets.get(key);
    // max(): a clock that steps back can only leave the bucket as it was, never refill it.
    const after = (tat !== undefined && tat > t ? tat - t : 0) + c;
    if (tat !== undefined) buckets.delete(key);
    let decision: ReturnType<typeof allowed>;
    if (after <= bucket.burstUs) {
      if (after > 0) buckets.set(key, t + after); // after === 0: still full, nothing to keep
      decision = allowed(bucket, after);
    } else {
      if (tat !== undefined) buckets.set(key, tat); // refusals touch (keep recent) but do not take
      decision = refused(bucket, after - bucket.burstUs);
      events?.emitRateLimited({ policy: name, key, cost, retryAfterMs: decision.retryAfterMs });
    }
    let swept = 0;
    for (const [oldKey, oldTat] of buckets) {
      if (swept === sweepPerTake || oldTat > t) break;
      buckets.delete(oldKey);
      swept++;
    }
    if (buckets.size > maxKeys) {
      // Every bucket was touched within one refill period: drop the least recently used anyway.
      const oldest = buckets.keys().next();
      if (!oldest.done) buckets.delete(oldest.value);
    }
    return decision;
  };

  return {
    get size() {
      return buckets.size;
    },
    async take(key, cost = 1, signal) {
      signal?.throwIfAborted();
      return takeNow(key, cost);
    },
  };
}
