/**
 * The token-bucket limiters: one conformance suite (rate-limit-conformance.ts) run against the
 * memory limiter and the Redis one on the shared Redis, a property that both decide alike step
 * by step, then what only one of them does (bounded memory; Redis TIME, key expiry).
 */
import {
  memoryRateLimiter,
  type RateLimitedEvent,
  type RateLimiter,
  type RateLimitRedis,
  ResilienceEvents,
  redisRateLimiter,
  type TokenBucketOptions,
} from '@mystira/resilience';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  bucketOptions,
  type Clock,
  epoch,
  rateLimiterConformance,
  replay,
  steps,
} from './rate-limit-conformance.js';

const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
let run = 0;
const runId = `${process.pid}-${Date.now()}`;
afterAll(async () => {
  // The simulated-clock buckets live an hour (see src); drop this run's keys now.
  for await (const keys of redis.scanStream({ match: `test:rl:${runId}:*`, count: 1000 }))
    if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
  redis.disconnect();
});

// Compile-time: ioredis clients fit the structural `redis` option as they are.
export const fits: RateLimitRedis[] = [redis, new Cluster([], { lazyConnect: true })];

/** The hook the Redis limiter reads a simulated clock from (tests only; see src). */
const testClock = Symbol.for('@mystira/resilience:rate-limit-test-clock');

/** A Redis limiter with fresh keys whose script reads `clock` instead of Redis TIME. */
function simulatedRedisLimiter(options: TokenBucketOptions, clock: Clock): RateLimiter {
  return redisRateLimiter({
    ...options,
    redis,
    prefix: `test:rl:${runId}:${run++}:`,
    timeoutMs: 5_000, // a slow CI machine must not turn into store errors here
    onStoreError: 'deny',
    [testClock]: () => clock.now,
  } as Parameters<typeof redisRateLimiter>[0]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('memory limiter: conformance', () => {
  rateLimiterConformance(
    (options, clock) => memoryRateLimiter({ ...options, now: () => clock.now }),
    300,
  );
});

describe('Redis limiter: conformance (shared Redis, simulated clock)', () => {
  rateLimiterConformance(simulatedRedisLimiter, 100);
});

describe('memory and Redis agree', () => {
  it('decide every step of any sequence alike', async () => {
    await fc.assert(
      fc.asyncProperty(bucketOptions, steps, async (options, seq) => {
        const memoryClock = { now: epoch };
        const redisClock = { now: epoch };
        const memory = memoryRateLimiter({ ...options, now: () => memoryClock.now });
        const shared = simulatedRedisLimiter(options, redisClock);
        const a = await replay(memory, memoryClock, options.capacity, seq);
        const b = await replay(shared, redisClock, options.capacity, seq);
        expect(b).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });
});

describe('memory limiter', () => {
  it('holds at most maxKeys buckets, dropping full ones first', async () => {
    const clock = { now: 0 };
    const limiter = memoryRateLimiter({
      capacity: 2,
      refillPerSecond: 1,
      maxKeys: 100,
      now: () => clock.now,
    });
    // A key flood: 10 000 distinct keys, one take each, 1 ms apart. Each bucket is full again
    // 1 s after its take, so about 1 000 are not full at any time: more than maxKeys.
    for (let i = 0; i < 10_000; i++) {
      clock.now += 1;
      await limiter.take(`flood-${i}`);
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
    // Slower than the refill: buckets fill up before the next key comes and are swept.
    for (let i = 0; i < 1_000; i++) {
      clock.now += 20;
      await limiter.take(`slow-${i}`);
    }
    expect(limiter.size).toBeLessThanOrEqual(52);
    // Later on, nothing is kept for keys that are all full again.
    clock.now += 10_000;
    await limiter.take('last', 0);
    await limiter.take('last', 0);
    expect(limiter.size).toBeLessThanOrEqual(50);
  });

  it('keeps the bucket of a key that is being refused while others come and go', async () => {
    const clock = { now: 0 };
    const limiter = memoryRateLimiter({
      capacity: 1,
      refillPerSecond: 0.001,
      maxKeys: 10,
      now: () => clock.now,
    });
    await limiter.take('abuser');
    for (let i = 0; i < 1_000; i++) {
      clock.now += 1;
      await limiter.take(`other-${i}`);
      // The abuser keeps trying: every refusal marks its bucket recently used.
      if (i % 5 === 0) expect((await limiter.take('abuser')).allowed).toBe(false);
    }
  });

  it('reports refusals through events', async () => {
    const events = new ResilienceEvents();
    const heard: RateLimitedEvent[] = [];
    events.onRateLimited((e) => heard.push(e));
    const limiter = memoryRateLimiter({
      capacity: 1,
      refillPerSecond: 1,
      events,
      name: 'per-caller',
      now: () => 0,
    });
    await limiter.take('alice');
    await limiter.take('alice');
    expect(heard).toEqual([{ policy: 'per-caller', key: 'alice', cost: 1, retryAfterMs: 1000 }]);
  });

  it('rejects invalid options with a RangeError', () => {
    expect(() => memoryRateLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => memoryRateLimiter({ capacity: 2.5, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => memoryRateLimiter({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
    expect(() => memoryRateLimiter({ capacity: 1, refillPerSecond: Infinity })).toThrow(RangeError);
    expect(() => memoryRateLimiter({ capacity: 1e9, refillPerSecond: 1e-6 })).toThrow(RangeError);
    expect(() => memoryRateLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('Redis limiter on real time', () => {
  const prefix = () => `test:rl:${runId}:${run++}:`;

  it('refills by Redis TIME, and the key expires once the bucket is full again', async () => {
    const p = prefix();
    const keyed = redisRateLimiter({ redis, capacity: 2, refillPerSecond: 20, prefix: p });
    expect(await keyed.take('a')).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterMs: 0,
      limit: 2,
    });
    expect((await keyed.take('a')).allowed).toBe(true);
    const ttl = await redis.pttl(`${p}a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100); // two tokens at 20/s: full again within 100 ms
    const refused = await keyed.take('a');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(50);
    await sleep(refused.retryAfterMs);
    expect((await keyed.take('a')).allowed).toBe(true);
    await sleep(110);
    expect(await redis.exists(`${p}a`)).toBe(0);
  });

  it('ignores the local clock: instances with skewed clocks share one bucket correctly', async () => {
    const p = prefix();
    const a = redisRateLimiter({ redis, capacity: 3, refillPerSecond: 1, prefix: p });
    const b = redisRateLimiter({ redis, capacity: 3, refillPerSecond: 1, prefix: p });
    expect((await a.take('shared', 2)).allowed).toBe(true);
    // Instance b's clock runs an hour ahead (and performance.now jumps too).
    const dateNow = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_600_000);
    const perfNow = vi.spyOn(performance, 'now').mockReturnValue(performance.now() + 3_600_000);
    try {
      expect(await b.take('shared')).toMatchObject({ allowed: true, remaining: 0 });
      expect((await b.take('shared')).allowed).toBe(false);
    } finally {
      dateNow.mockRestore();
      perfNow.mockRestore();
    }
    expect((await a.take('shared')).allowed).toBe(false);
  });

  it('a refusal writes nothing: hammering does not extend the key', async () => {
    const p = prefix();
    const limiter = redisRateLimiter({ redis, capacity: 1, refillPerSecond: 10, prefix: p });
    await limiter.take('a');
    const before = await redis.get(`${p}a`);
    for (let i = 0; i < 20; i++) expect((await limiter.take('a')).allowed).toBe(false);
    expect(await redis.get(`${p}a`)).toBe(before);
  });

  it('rejects options it cannot work with', () => {
    expect(() =>
      redisRateLimiter({ redis: {} as RateLimitRedis, capacity: 1, refillPerSecond: 1 }),
    ).toThrow(TypeError);
    expect(() =>
      redisRateLimiter({ redis, capacity: 1, refillPerSecond: 1, timeoutMs: 0 }),
    ).toThrow(RangeError);
  });
});
