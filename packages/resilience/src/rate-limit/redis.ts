/**
 * Token buckets in Redis, shared by every instance of a service: one key per bucket, one atomic
 * Lua script per take (redis-script.ts). Works on a single node and on Redis Cluster.
 */
import { raceAbort, withDeadline } from '../../../../shared/waiting.js';
import type { CircuitBreakerPolicy } from '../breaker.js';
import { TimeoutError } from '../errors.js';
import type { ResilienceEvents } from '../events.js';
import { allowed, bucketOf, checkKey, costUs, refused, toUs } from './bucket.js';
import { takeScript, takeScriptSha } from './redis-script.js';
import type { RateLimitDecision, RateLimiter, TokenBucketOptions } from './types.js';

/**
 * The two commands the limiter sends, in ioredis's shape: an ioredis `Redis` or `Cluster` fits
 * as it is. Declared here so that this package's types do not import ioredis.
 */
export interface RateLimitRedis {
  /** Runs a script Redis has cached, by its SHA1 (fails with NOSCRIPT when it has not). */
  evalsha(sha1: string, numkeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  /** Runs a script by its source (and caches it for `evalsha`). */
  eval(script: string, numkeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

/** Options of {@link redisRateLimiter}. */
export interface RedisRateLimiterOptions extends TokenBucketOptions {
  /**
   * An ioredis `Redis` or `Cluster` (or anything with its `evalsha`/`eval`). Create it with
   * `enableOfflineQueue: false` so that takes fail at once, not after `timeoutMs`, while Redis is
   * unreachable.
   */
  redis: RateLimitRedis;
  /** Prepended to every key. Default `ratelimit:`. */
  prefix?: string;
  /**
   * What a take answers when Redis fails or is slower than `timeoutMs`: `allow` (default: as if
   * the bucket were full, so a limiter outage does not take the service down) or `deny` (as if it
   * were empty). Either way `events.onRateLimitStoreError` hears about it.
   */
  onStoreError?: 'allow' | 'deny';
  /** Longest wait for Redis per take, in ms. Default 100. */
  timeoutMs?: number;
  /**
   * A breaker around the Redis calls (e.g. `circuitBreaker({ breaker: { consecutive: 5 } })`): while
   * it is open, takes answer by `onStoreError` at once instead of waiting for a dead Redis.
   */
  circuitBreaker?: CircuitBreakerPolicy;
  /** Receives `onRateLimited` and `onRateLimitStoreError`. */
  events?: ResilienceEvents;
  /** Name used in events. Default `rate-limit`. */
  name?: string;
}

/**
 * Tests only: a clock (ms) the script uses instead of Redis TIME, so property tests can replay
 * any sequence of times. It is a registered symbol, not an option: production code has no way to
 * hand the script a local clock by accident.
 */
const testClock = Symbol.for('@mystira/resilience:rate-limit-test-clock');
// With a simulated clock, real time runs apart from the script's, and a key expiring by real time
// would refill a bucket the simulated clock says is not full yet; keep keys an hour longer.
const testKeySlackMs = 3_600_000;

const isNoScript = (error: unknown) =>
  error instanceof Error && error.message.startsWith('NOSCRIPT');

/**
 * Token buckets in Redis, shared by every instance of a service: one key per bucket and one atomic
 * Lua script per take, on a single node or on Redis Cluster. When Redis fails or is slow, a take
 * answers by `onStoreError` (default: allow).
 */
export function redisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const bucket = bucketOf(options, 'redisRateLimiter');
  const redis = options.redis;
  if (typeof redis?.evalsha !== 'function' || typeof redis.eval !== 'function') {
    throw new TypeError('redisRateLimiter: redis must be an ioredis Redis or Cluster client');
  }
  const timeoutMs = options.timeoutMs ?? 100;
  if (!(timeoutMs > 0)) throw new RangeError('redisRateLimiter: timeoutMs must be > 0');
  const prefix = options.prefix ?? 'ratelimit:';
  const failOpen = (options.onStoreError ?? 'allow') === 'allow';
  const { circuitBreaker: breaker, events } = options;
  const name = options.name ?? 'rate-limit';
  const clock = (options as unknown as Record<symbol, (() => number) | undefined>)[testClock];
  const burst = String(bucket.burstUs);
  const slack = clock ? String(testKeySlackMs) : '0';

  const run = async (key: string, cost: number): Promise<unknown> => {
    const args = [key, burst, cost, clock ? String(toUs(clock())) : '', slack];
    const sha = await takeScriptSha();
    try {
      return await redis.evalsha(sha, 1, ...args);
    } catch (error) {
      // Redis restarted, failed over, or this Cluster node never saw the script: EVAL loads it.
      if (isNoScript(error)) return redis.eval(takeScript, 1, ...args);
      throw error;
    }
  };
  const call = (key: string, cost: number) => {
    const attempt = () =>
      withDeadline(run(key, cost), timeoutMs, () => new TimeoutError(timeoutMs));
    return breaker ? breaker.execute(attempt) : attempt();
  };
  // Fail open "as if the bucket were full", fail closed "as if it were empty".
  const storeFailed = (key: string, cUs: number, error: unknown): RateLimitDecision => {
    events?.emitRateLimitStoreError({
      policy: name,
      key,
      error,
      outcome: failOpen ? 'allowed' : 'denied',
    });
    return failOpen ? allowed(bucket, cUs) : refused(bucket, cUs);
  };

  return {
    async take(key, cost = 1, signal) {
      signal?.throwIfAborted();
      checkKey(key);
      const c = costUs(bucket, cost);
      let reply: unknown;
      try {
        reply = await raceAbort(call(prefix + key, c), signal);
      } catch (error) {
        if (signal?.aborted && error === signal.reason) throw error;
        return storeFailed(key, c, error);
      }
      const [ok, us] = Array.isArray(reply) ? reply : [];
      if (typeof us !== 'number' || (ok !== 0 && ok !== 1)) {
        return storeFailed(key, c, new TypeError(`unexpected reply from Redis: ${String(reply)}`));
      }
      if (ok === 1) return allowed(bucket, us);
      const decision = refused(bucket, us);
      events?.emitRateLimited({ policy: name, key, cost, retryAfterMs: decision.retryAfterMs });
      return decision;
    },
  };
}
