/**
 * The key cache's rules on the memory store (the Redis specifics are in key-cache-redis.test.ts,
 * the timing rules with a controlled clock in key-cache-clock.test.ts): getOrSet, get, set,
 * delete; invalidation by key, tag and prefix; namespaces; two instances sharing one store and
 * their L1s; single flight; errors; the store down.
 */
import {
  type CacheError,
  CacheKeyError,
  CacheOptionsError,
  keyCache,
  memoryStore,
} from '@mystira/cache';
import { createHealthRegistry } from '@mystira/health';
import { AbortedError } from '@mystira/repository';
import { describe, expect, it } from 'vitest';
import { until } from './helpers.js';

function setup(options: Partial<Parameters<typeof keyCache>[0]> = {}) {
  const store = memoryStore();
  const errors: CacheError[] = [];
  const cache = keyCache({
    store,
    secondDeleteMs: 0,
    onError: (e) => errors.push(e),
    ...options,
  });
  let runs = 0;
  const factory = (value: unknown) => async () => {
    runs++;
    return value;
  };
  return { store, cache, errors, factory, runs: () => runs };
}

describe('getOrSet, get, set, delete', () => {
  it('a miss runs the factory once; the next call is a hit; results are copies', async () => {
    const { cache, factory, runs } = setup();
    const v1 = await cache.getOrSet('board:global', factory({ top: [1, 2] }));
    const v2 = (await cache.getOrSet('board:global', factory({ top: [9] }))) as { top: number[] };
    expect(v2).toEqual({ top: [1, 2] });
    expect(v1).toEqual(v2);
    expect(runs()).toBe(1);
    expect(cache.metrics()).toMatchObject({ hits: 1, misses: 1, loads: 1, fills: 1 });
    v2.top.push(3);
    expect(await cache.get('board:global')).toEqual({ top: [1, 2] });
  });

  it('concurrent misses in one process share one factory run (each gets its own copy)', async () => {
    const { cache } = setup();
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
      return { n: 1 };
    };
    const all = await Promise.all(Array.from({ length: 10 }, () => cache.getOrSet('k', slow)));
    expect(runs).toBe(1);
    expect(all.every((v) => v.n === 1)).toBe(true);
    expect(new Set(all).size).toBe(10);
  });

  it('set replaces, get reads, delete drops; undefined is not cached; null is', async () => {
    const { cache, factory, runs } = setup();
    await cache.set('a', 1);
    expect(await cache.get('a')).toBe(1);
    await cache.set('a', 2);
    expect(await cache.getOrSet('a', factory(3))).toBe(2);
    await cache.delete('a');
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.getOrSet('u', factory(undefined))).toBeUndefined();
    expect(await cache.getOrSet('u', factory(undefined))).toBeUndefined();
    expect(await cache.getOrSet('n', factory(null))).toBeNull();
    expect(await cache.getOrSet('n', factory(7))).toBeNull();
    expect(runs()).toBe(3);
    await cache.set('a', undefined);
    expect(await cache.get('a')).toBeUndefined();
  });

  it('values keep their types through the default serializer (Date, bigint)', async () => {
    const { cache } = setup();
    const at = new Date('2026-01-02T03:04:05Z');
    await cache.set('typed', { at, big: 12n });
    expect(await cache.get('typed')).toEqual({ at, big: 12n });
  });

  it('a factory error reaches the caller unchanged and nothing is cached', async () => {
    const { cache, factory } = setup();
    const boom = new Error('boom');
    await expect(
      cache.getOrSet('e', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(cache.getOrSet('e', () => Promise.reject(boom))).rejects.toBe(boom);
    expect(await cache.getOrSet('e', factory('ok'))).toBe('ok');
  });

  it('an aborted signal rejects with AbortedError; the shared factory run still fills', async () => {
    const { cache } = setup();
    const controller = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started = false;
    const pending = cache.getOrSet(
      'slow',
      async () => {
        started = true;
        await gate;
        return 'late';
      },
      { signal: controller.signal },
    );
    await until(() => started);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    release();
    await until(async () => (await cache.get('slow')) === 'late');
    await expect(
      cache.getOrSet('x', async () => 1, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('invalidation', () => {
  it('by key: only that key (not the keys below it)', async () => {
    const { cache, factory, runs } = setup();
    await cache.getOrSet('user:1', factory(1));
    await cache.getOrSet('user:1:profile', factory(2));
    await cache.invalidate('user:1');
    expect(await cache.get('user:1')).toBeUndefined();
    expect(await cache.get('user:1:profile')).toBe(2);
    await cache.invalidate(['user:1:profile']);
    expect(await cache.get('user:1:profile')).toBeUndefined();
    expect(runs()).toBe(2);
  });

  it('by prefix: the key and every key below it, on segment boundaries', async () => {
    const { cache } = setup();
    for (const k of ['user:4', 'user:4:a', 'user:4:a:b', 'user:42', 'user:42:a', 'other'])
      await cache.set(k, k);
    await cache.invalidatePrefix('user:4:');
    expect(await cache.get('user:4')).toBeUndefined();
    expect(await cache.get('user:4:a')).toBeUndefined();
    expect(await cache.get('user:4:a:b')).toBeUndefined();
    expect(await cache.get('user:42')).toBe('user:42');
    expect(await cache.get('user:42:a')).toBe('user:42:a');
    expect(await cache.get('other')).toBe('other');
    await cache.invalidatePrefix('user');
    expect(await cache.get('user:42:a')).toBeUndefined();
    expect(await cache.get('other')).toBe('other');
    await cache.invalidatePrefix('');
    expect(await cache.get('other')).toBeUndefined();
  });

  it('by tag: every value carrying one, whether get names its tags or not', async () => {
    const { cache, factory } = setup();
    await cache.getOrSet('a', factory('a'), { tags: ['t1', 't2'] });
    await cache.set('b', 'b', { tags: ['t2'] });
    await cache.set('c', 'c', { tags: ['t3'] });
    expect(await cache.get('a')).toBe('a');
    expect(await cache.get('a', { tags: ['t2', 't1'] })).toBe('a');
    await cache.invalidateTags(['t2']);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBe('c');
    expect(await cache.getOrSet('a', factory('a2'), { tags: ['t1', 't2'] })).toBe('a2');
    expect(await cache.get('a')).toBe('a2');
  });

  it('clear drops the namespace, not the others; namespaces never see each other', async () => {
    const { cache } = setup();
    const users = cache.namespace('users');
    expect(users.name).toBe('default/users');
    expect(cache.namespace('users')).toBe(users);
    await cache.set('k', 'root');
    await users.set('k', 'users');
    expect(await cache.get('k')).toBe('root');
    expect(await users.get('k')).toBe('users');
    await users.clear();
    expect(await users.get('k')).toBeUndefined();
    expect(await cache.get('k')).toBe('root');
    await cache.close();
  });

  it('a fill begun before an invalidation never lands after it', async () => {
    const { cache } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const old = cache.getOrSet('k', async () => {
      await gate;
      return 'old';
    });
    await new Promise((r) => setTimeout(r, 5));
    await cache.invalidate('k');
    release();
    expect(await old).toBe('old');
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.metrics().fillsRejected).toBe(1);
  });
});

describe('two instances on one store', () => {
  it('share values; an invalidation on one reaches the other, L1 included', async () => {
    const store = memoryStore();
    const a = keyCache({ store, l1: true, secondDeleteMs: 0 });
    const b = keyCache({ store, l1: true, secondDeleteMs: 0 });
    await Promise.all([a.ready(), b.ready()]);
    let runs = 0;
    const f = async () => ++runs;
    expect(await a.getOrSet('k', f)).toBe(1);
    expect(await b.getOrSet('k', f)).toBe(1);
    expect(await b.getOrSet('k', f)).toBe(1);
    expect(b.metrics().l1Hits).toBe(1);
    await a.invalidate('k');
    expect(await b.getOrSet('k', f)).toBe(2);
    await a.set('k', 10);
    expect(await b.get('k')).toBe(10);
    await a.invalidateTags(['none']);
    await a.invalidatePrefix('k');
    expect(await b.get('k')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });
});

describe('the store down', () => {
  it('getOrSet answers from the factory; invalidations wait and are delivered after', async () => {
    const { cache, store, errors } = setup({ flushRetryMs: 0 });
    await cache.set('k', 'old');
    store.setDown(true);
    expect(await cache.getOrSet('k', async () => 'live')).toBe('live');
    await cache.invalidate('k');
    expect(cache.pendingInvalidations).toBeGreaterThan(0);
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.metrics().bypasses).toBeGreaterThan(0);
    store.setDown(false);
    expect(await cache.flushPending()).toBe(true);
    expect(await cache.get('k')).toBeUndefined();
    expect(errors.some((e) => e.name === 'CacheStoreError')).toBe(true);
    const health = createHealthRegistry({ defaultTimeoutMs: 1000 });
    health.register(cache.healthCheck());
    expect((await health.run()).status).toBe('healthy');
  });
});

describe('errors', () => {
  it('bad keys, tags and namespaces are CacheKeyError; bad options CacheOptionsError', async () => {
    const { cache } = setup();
    await expect(cache.getOrSet('', async () => 1)).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.get('x'.repeat(2000))).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.get('a:b:c:d:e:f:g:h:i')).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.set('a', 1, { tags: [''] })).rejects.toBeInstanceOf(CacheKeyError);
    expect(() => cache.namespace('has space')).toThrow(CacheKeyError);
    await expect(cache.getOrSet('a', async () => 1, { eagerRefresh: 1 })).rejects.toBeInstanceOf(
      CacheOptionsError,
    );
    expect(() => keyCache({ store: memoryStore(), ttlMs: 0 })).toThrow(CacheOptionsError);
    expect(() => keyCache({} as never)).toThrow(CacheOptionsError);
  });
});
