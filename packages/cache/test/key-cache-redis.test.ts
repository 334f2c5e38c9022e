/**
 * The key cache on real redis-servers: two instances on the shared Redis (each test under a
 * unique key prefix, deleted afterwards) share one factory run per key through the stampede lock
 * and see each other's invalidations in L1; and a throw-away redis-server killed mid-run (never the
 * shared one): getOrSet keeps answering from the factory within a loose latency bound, the
 * invalidations made meanwhile are delivered once it is back, and no stale value is served.
 */
import { type CacheError, keyCache, redisStore } from '@mystira/cache';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, deletePrefix, uniquePrefix, until } from './helpers.js';
import { throwAwayRedis } from './support/throw-away-redis.js';

const LOOSE_BOUND_MS = 2000; // storeTimeoutMs is 100: a call must never come close to this.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two instances on the shared Redis', () => {
  let clients: Redis[];
  const prefixes: string[] = [];

  beforeAll(async () => {
    clients = await Promise.all([connect(), connect()]);
  });

  afterAll(async () => {
    for (const p of prefixes) await deletePrefix(clients[0]!, p);
    for (const c of clients) c.disconnect();
  });

  function pair(name: string, extra: Partial<Parameters<typeof keyCache>[0]> = {}) {
    const keyPrefix = uniquePrefix(name);
    prefixes.push(keyPrefix);
    const stores = clients.map((c) => redisStore(c));
    const caches = stores.map((store) =>
      keyCache({
        store,
        keyPrefix,
        storeTimeoutMs: 1000,
        secondDeleteMs: 0,
        lock: { ttlMs: 5000, waitMs: 5000, pollMs: 10 },
        ...extra,
      }),
    );
    const close = async () => {
      for (const c of caches) await c.close();
      for (const s of stores) await s.close();
    };
    return { caches, close };
  }

  it('concurrent misses on both instances run each key’s factory once', async () => {
    const { caches, close } = pair('flight');
    try {
      const runs = new Map<string, number>();
      const factory = async ({ key }: { key: string }) => {
        runs.set(key, (runs.get(key) ?? 0) + 1);
        await sleep(50);
        return { key, at: Date.now() };
      };
      const keys = Array.from({ length: 8 }, (_, i) => `board:${i}`);
      const calls = keys.flatMap((key) =>
        Array.from({ length: 6 }, (_, i) => caches[i % 2]!.getOrSet(key, factory)),
      );
      const values = await Promise.all(calls);
      for (const key of keys) expect(runs.get(key), key).toBe(1);
      // Every caller of a key got the one value computed for it.
      for (const key of keys) {
        const seen = new Set(values.filter((v) => v.key === key).map((v) => v.at));
        expect(seen.size, key).toBe(1);
      }
      const loads = caches.map((c) => c.metrics().loads);
      expect(loads[0]! + loads[1]!).toBe(keys.length);
    } finally {
      await close();
    }
  }, 30_000);

  it('L1 on both: an invalidation by key, tag or prefix on one reaches the other', async () => {
    const { caches, close } = pair('l1', { l1: true });
    const [a, b] = caches as [ReturnType<typeof keyCache>, ReturnType<typeof keyCache>];
    try {
      await Promise.all([a.ready(), b.ready()]);
      let n = 0;
      const f = async () => ++n;
      await a.getOrSet('page:home', f, { tags: ['pages'] });
      expect(await b.getOrSet('page:home', f, { tags: ['pages'] })).toBe(1);
      expect(await b.getOrSet('page:home', f, { tags: ['pages'] })).toBe(1);
      expect(b.metrics().l1Hits).toBe(1);
      // The other instance's L1 hears of it by pub/sub, a moment after the call returned.
      const seen = (n: number) => async () =>
        (await b.getOrSet('page:home', f, { tags: ['pages'] })) === n;
      await a.invalidate('page:home');
      await until(seen(2), 5000);
      await a.invalidateTags(['pages']);
      await until(seen(3), 5000);
      await a.invalidatePrefix('page');
      await until(seen(4), 5000);
      await a.clear();
      await until(async () => (await b.get('page:home')) === undefined, 5000);
      expect(n).toBe(4);
    } finally {
      await close();
    }
  }, 30_000);
});

describe('Redis killed mid-run, then restarted', () => {
  const redis = throwAwayRedis();

  it('getOrSet answers from the factory within the bound; invalidations made while down are delivered after', async () => {
    const store = redisStore(redis.client);
    const errors: CacheError[] = [];
    const cache = keyCache({
      store,
      storeTimeoutMs: 100,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
      secondDeleteMs: 0,
      onError: (e) => errors.push(e),
    });
    let runs = 0;
    const factory = async () => `computed ${++runs}`;
    try {
      expect(await cache.getOrSet('k', factory)).toBe('computed 1');
      expect(await cache.getOrSet('k', factory)).toBe('computed 1');
      const restore = await redis.snapshot('mystira:cache:*');

      await redis.kill();
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        const value = await cache.getOrSet(`k${i % 3}`, factory);
        expect(value).toMatch(/^computed \d+$/);
        expect(performance.now() - t).toBeLessThan(LOOSE_BOUND_MS);
      }
      expect(runs).toBe(21);
      await cache.invalidate('k');
      expect(cache.pendingInvalidations).toBeGreaterThan(0);
      expect(await cache.getOrSet('k', factory)).toBe('computed 22');

      await redis.restart();
      // Redis came back with its data (as persistence or a promoted replica would): the value
      // dropped while it was down must never be served.
      await restore();
      await until(async () => (await cache.flushPending()) === true, 10_000);
      expect(await cache.getOrSet('k', factory)).toBe('computed 23');
      expect(await cache.getOrSet('k', factory)).toBe('computed 23');
      expect(errors.some((e) => e.name === 'CacheStoreError')).toBe(true);
    } finally {
      await cache.close();
      await store.close();
    }
  }, 40_000);
});
