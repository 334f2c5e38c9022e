/**
 * Real faults on throw-away redis-servers (never the shared one): killed mid-run and restarted
 * (with the values cached before the kill put back, as persistence or a promoted replica would,
 * so a stale one could be served), and frozen with SIGSTOP (every command hangs: only the timeout and
 * the breaker protect the caller).
 *
 * No timings are asserted except one deliberately loose liveness bound: a read while Redis is
 * dead or frozen must finish well within (storeTimeoutMs + load) × a wide margin, i.e. it never
 * hangs on Redis.
 */
import {
  type CachedRepository,
  type CacheError,
  cached,
  keyCache,
  redisStore,
} from '@mystira/cache';
import { createHealthRegistry } from '@mystira/health';
import { BrokenCircuitError, TimeoutError } from '@mystira/resilience';
import { describe, expect, it } from 'vitest';
import { type NoteT, note, notes, until } from './helpers.js';
import { throwAwayRedis } from './support/throw-away-redis.js';

const LOOSE_BOUND_MS = 2000; // storeTimeoutMs is 100: a read must never come close to this.

async function timed<R>(fn: () => Promise<R>): Promise<{ value: R; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

describe('Redis killed mid-run, then restarted', () => {
  const redis = throwAwayRedis();

  it('reads keep succeeding, health is degraded, hits resume, and no stale value after a write made while down', async () => {
    const { repo, calls } = notes([note('a'), note('b')]);
    const store = redisStore(redis.client);
    const errors: Error[] = [];
    const cache = cached<NoteT>(repo, {
      store,
      storeTimeoutMs: 100,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
      secondDeleteMs: 0,
      onError: (e) => errors.push(e),
    });
    const health = createHealthRegistry({ defaultTimeoutMs: 1000 });
    health.register(cache.healthCheck());
    try {
      await cache.getById('a');
      await cache.getById('a');
      expect(cache.metrics().hits).toBe(1);
      expect((await health.run()).status).toBe('healthy');

      // What Redis holds, put back after the restart: a Redis that comes back with its data
      // (persistence, a promoted replica) still holds the value from before the write.
      const restore = await redis.snapshot('mystira:cache:*');
      await redis.kill();
      for (let i = 0; i < 20; i++) {
        const { value, ms } = await timed(() => cache.getById(i % 2 ? 'a' : 'b'));
        expect(value?.id).toBe(i % 2 ? 'a' : 'b');
        expect(ms).toBeLessThan(LOOSE_BOUND_MS);
      }
      const report = await health.run();
      expect(report.status).toBe('degraded');
      expect(report.checks[0]).toMatchObject({ status: 'degraded', critical: false });

      // A write while Redis is down: recorded as pending, the write itself succeeds.
      const written = await cache.update({ ...note('a'), title: 'written while down' });
      expect(cache.pendingInvalidations).toBeGreaterThan(0);
      expect((await cache.getById('a'))?.title).toBe('written while down');

      await redis.restart();
      // The old value of "a" is back in Redis: it must never be served.
      await restore();
      const survived = (await redis.client.keys('mystira:cache:*:e:s:a')).length;
      expect(survived).toBe(1);
      for (let i = 0; i < 10; i++) expect(await cache.getById('a')).toEqual(written);
      await until(async () => (await cache.flushPending()) === true, 10_000);
      expect(cache.pendingInvalidations).toBe(0);
      const loadsBefore = calls.getById!;
      const hitsBefore = cache.metrics().hits;
      expect(await cache.getById('a')).toEqual(written);
      expect(await cache.getById('a')).toEqual(written);
      expect(await cache.getById('b')).toMatchObject({ id: 'b' });
      expect(cache.metrics().hits).toBeGreaterThan(hitsBefore);
      expect(calls.getById! - loadsBefore).toBeLessThanOrEqual(2);
      expect((await health.run()).status).toBe('healthy');
      expect(errors.some((e) => e.name === 'CacheStoreError')).toBe(true);
    } finally {
      await cache.close();
      await store.close();
    }
  }, 40_000);
});

describe('Redis frozen (SIGSTOP): every command hangs', () => {
  const redis = throwAwayRedis();

  it('the timeout bounds each read, the breaker opens and reads stop touching Redis, then it closes again', async () => {
    const { repo } = notes([note('a')]);
    const store = redisStore(redis.client);
    const errors: Error[] = [];
    const cache = cached<NoteT>(repo, {
      store,
      storeTimeoutMs: 100,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 },
      secondDeleteMs: 0,
      onError: (e) => errors.push(e),
    });
    try {
      await cache.getById('a');
      redis.server.pause();
      for (let i = 0; i < 8; i++) {
        const { value, ms } = await timed(() => cache.getById('a'));
        expect(value?.id).toBe('a');
        expect(ms).toBeLessThan(LOOSE_BOUND_MS);
      }
      const causes = errors.map((e) => (e as { cause?: Error }).cause);
      expect(causes.some((c) => c instanceof TimeoutError)).toBe(true);
      expect(causes.some((c) => c instanceof BrokenCircuitError)).toBe(true);
      redis.server.resume();
      await until(async () => {
        await cache.getById('a');
        return cache.metrics().hits >= 2;
      }, 10_000);
    } finally {
      redis.server.resume();
      await cache.close();
      await store.close();
    }
  }, 30_000);

  it('reads begun at different moments while it hangs each time out, each reported', async () => {
    const store = redisStore(redis.client);
    const errors: CacheError[] = [];
    const cache = keyCache({
      store,
      storeTimeoutMs: 100,
      breaker: { consecutiveFailures: 1000 }, // every read reaches the frozen store
      secondDeleteMs: 0,
      // No stampede lock: the warm-up's lock release is not awaited by getOrSet, and under load
      // it was still in flight at the freeze, timing out as a seventh report.
      lock: false,
      onError: (e) => errors.push(e),
    });
    let runs = 0;
    const factory = async () => ++runs;
    try {
      await cache.getOrSet('warm', factory);
      redis.server.pause();
      // Begun apart, so later reads are still in flight when earlier ones time out: the store's
      // calls share one timer, re-armed for each next deadline.
      const reads: Promise<{ value: number; ms: number }>[] = [];
      for (let i = 0; i < 6; i++) {
        reads.push(timed(() => cache.getOrSet(`k${i}`, factory)));
        await new Promise((r) => setTimeout(r, 30));
      }
      for (const { value, ms } of await Promise.all(reads)) {
        expect(value).toBeGreaterThanOrEqual(2);
        expect(ms).toBeLessThan(LOOSE_BOUND_MS);
      }
      const causes = errors.map((e) => (e as { cause?: Error }).cause);
      expect(causes.filter((c) => c instanceof TimeoutError)).toHaveLength(6);
    } finally {
      redis.server.resume();
      await cache.close();
      await store.close();
    }
  }, 30_000);
});

describe('L1 across a Redis restart', () => {
  const redis = throwAwayRedis();

  it('L1 is not used while the subscription is down, and invalidations flow again after it resubscribed', async () => {
    const { repo } = notes([note('a')]);
    const stores = [redisStore(redis.client), redisStore(redis.client)];
    const [a, b] = stores.map((store) =>
      cached<NoteT>(repo, {
        store,
        storeTimeoutMs: 200,
        breaker: { consecutiveFailures: 3, halfOpenAfterMs: 100 },
        l1: { ttlMs: 60_000 },
        secondDeleteMs: 0,
        flushRetryMs: 20,
      }),
    ) as [CachedRepository<NoteT>, CachedRepository<NoteT>];
    try {
      await Promise.all([a.ready(), b.ready()]);
      await a.getById('a');
      await a.getById('a');
      expect(a.metrics().l1Hits).toBe(1);

      await redis.kill();
      // Messages cannot arrive now, so L1 must not answer (it was cleared too).
      await until(async () => {
        const before = a.metrics().l1Hits;
        await a.getById('a');
        return a.metrics().l1Hits === before;
      });
      const l1HitsDown = a.metrics().l1Hits;
      for (let i = 0; i < 5; i++) await a.getById('a');
      expect(a.metrics().l1Hits).toBe(l1HitsDown);

      await redis.restart();
      await Promise.all([a.ready(), b.ready()]);
      // L1 answers again...
      await until(async () => {
        await a.getById('a');
        return a.metrics().l1Hits > l1HitsDown;
      }, 10_000);
      // ...and a write through the other instance reaches it.
      const written = await b.update(
        { ...note('a'), title: 'after restart' },
        { expectedVersion: null },
      );
      await until(async () => (await a.getById('a'))?.title === 'after restart', 5000);
      expect(await a.getById('a')).toEqual(written);
    } finally {
      for (const c of [a, b]) await c.close();
      for (const s of stores) await s.close();
    }
  }, 40_000);
});
