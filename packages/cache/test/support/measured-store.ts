/**
 * The Redis store over a client, recording what the cache asks of it: every read's size limit,
 * and the size of every value it hands over (to see what was transferred before it was judged).
 */
import { type CacheStore, redisStore } from '@mystira/cache';
import type { Redis } from 'ioredis';

export interface MeasuredStore {
  store: CacheStore;
  /** The size limit of every read (undefined: a plain MGET). */
  limits: (number | undefined)[];
  /** The size of every value handed to the cache, in bytes. */
  handed: number[];
  /** Closes the store (not the client). */
  close(): Promise<void>;
}

export function measuredStore(redis: Redis): MeasuredStore {
  const store = redisStore(redis);
  const limits: (number | undefined)[] = [];
  const handed: number[] = [];
  const spy = new Proxy(store, {
    get(target, prop) {
      if (prop === 'get') {
        return async (keys: readonly string[], maxBytes?: number) => {
          limits.push(maxBytes);
          const got = await target.get(keys, maxBytes);
          for (const v of got) if (v instanceof Uint8Array) handed.push(v.length);
          return got;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: spy, limits, handed, close: () => store.close() };
}
