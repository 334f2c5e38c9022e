/**
 * The key cache's reads on the shared Redis (a unique prefix per test, deleted afterwards). By
 * default a read is one plain MGET, so what someone else wrote under a key-cache key is transferred
 * before it is judged: an oversized value is refused, deleted and replaced; a key of another type
 * is a miss the next fill overwrites; a generation key of another type refuses fills (no store
 * error, so the breaker is not charged) until an invalidation replaces it. With `sizeCheckedReads`
 * an oversized value never leaves Redis, as with `cached()`.
 */
import { CacheDecodeError, type CacheError, CacheStoreError, keyCache } from '@mystira/cache';
import { describe, expect, it } from 'vitest';
import { measuredStore } from './support/measured-store.js';
import { sharedRedis } from './support/shared-redis.js';

const MB = 1024 * 1024;
const shared = sharedRedis('keylimits');

function setup(sizeCheckedReads?: boolean) {
  const keyPrefix = shared.keyPrefix();
  const { store, limits, handed, close } = measuredStore(shared.redis);
  shared.onClose(close);
  const errors: CacheError[] = [];
  const cache = keyCache({
    store,
    keyPrefix,
    storeTimeoutMs: 5000,
    secondDeleteMs: 0,
    maxValueBytes: 1000,
    onError: (e) => errors.push(e),
    ...(sizeCheckedReads === undefined ? {} : { sizeCheckedReads }),
  });
  shared.onClose(() => cache.close());
  let runs = 0;
  const factory = async () => {
    runs++;
    return { season: 12, runs };
  };
  const ns = `${keyPrefix}:{kv:default}`;
  return {
    cache,
    errors,
    limits,
    handed,
    factory,
    runs: () => runs,
    value: `${ns}:v:board`,
    keyGeneration: `${ns}:k:board`,
    epoch: `${ns}:p:`,
  };
}

const reasons = (errors: CacheError[]) =>
  errors.map((e) => (e instanceof CacheDecodeError ? e.reason : e.name));

describe('default reads: one plain MGET', () => {
  it('a hit reads without a size limit (no script) and serves the value', async () => {
    const { cache, factory, limits, runs } = setup();
    await cache.getOrSet('board', factory);
    limits.length = 0;
    expect(await cache.getOrSet('board', factory)).toEqual({ season: 12, runs: 1 });
    expect(limits).toEqual([undefined]);
    expect(runs()).toBe(1);
  });

  it('a foreign oversized value is refused, deleted and replaced by the factory’s', async () => {
    const { cache, factory, errors, handed, value, runs } = setup();
    await cache.getOrSet('board', factory); // the generation keys exist: the value is decoded
    await shared.redis.set(value, Buffer.alloc(2 * MB, 0x41));
    expect(await cache.getOrSet('board', factory)).toEqual({ season: 12, runs: 2 });
    expect(Math.max(...handed)).toBe(2 * MB); // transferred once, then refused
    expect(reasons(errors)).toEqual(['oversized']);
    expect(await shared.redis.strlen(value)).toBeLessThan(1000);
    expect(await cache.getOrSet('board', factory)).toEqual({ season: 12, runs: 2 });
    expect(runs()).toBe(2);
  });

  it('a value key of another type is a miss that the next fill overwrites', async () => {
    const { cache, factory, errors, value, runs } = setup();
    await shared.redis.hset(value, 'f', 'x');
    expect(await cache.getOrSet('board', factory)).toEqual({ season: 12, runs: 1 });
    expect(await shared.redis.type(value)).toBe('string');
    expect(await cache.getOrSet('board', factory)).toEqual({ season: 12, runs: 1 });
    expect(runs()).toBe(1);
    expect(errors).toEqual([]);
  });

  for (const which of ['keyGeneration', 'epoch'] as const) {
    it(`a ${which} key of another type: answered by the factory, no store error, healed by an invalidation`, async () => {
      const t = setup();
      await t.cache.getOrSet('board', t.factory);
      // The per-key generation exists once the key was invalidated (which also drops the value).
      await t.cache.invalidate('board');
      await shared.redis.del(t[which]);
      await shared.redis.hset(t[which], 'f', 'x');
      // Read as absent; every fill is refused, so each call runs the factory (never stale).
      expect(await t.cache.getOrSet('board', t.factory)).toEqual({ season: 12, runs: 2 });
      expect(await t.cache.getOrSet('board', t.factory)).toEqual({ season: 12, runs: 3 });
      expect(t.errors.filter((e) => e instanceof CacheStoreError)).toEqual([]);
      if (which === 'epoch') await t.cache.clear();
      else await t.cache.invalidate('board');
      expect(await shared.redis.type(t[which])).toBe('string');
      expect(await t.cache.getOrSet('board', t.factory)).toEqual({ season: 12, runs: 4 });
      expect(await t.cache.getOrSet('board', t.factory)).toEqual({ season: 12, runs: 4 });
    });
  }
});

describe('sizeCheckedReads: the size-checked script', () => {
  it('an oversized value never leaves Redis, and is deleted and replaced', async () => {
    const { cache, factory, errors, handed, limits, value, runs } = setup(true);
    await cache.getOrSet('board', factory);
    await shared.redis.set(value, Buffer.alloc(2 * MB, 0x41));
    expect(await cache.getOrSet('board', factory)).toEqual({ season: 12, runs: 2 });
    expect(Math.max(...handed)).toBeLessThan(MB);
    expect(limits.every((l) => typeof l === 'number')).toBe(true);
    expect(reasons(errors)).toEqual(['oversized']);
    expect(await cache.getOrSet('board', factory)).toEqual({ season: 12, runs: 2 });
    expect(runs()).toBe(2);
  });
});
