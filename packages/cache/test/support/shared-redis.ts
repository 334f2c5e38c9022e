/**
 * The shared Redis (127.0.0.1:6379) for one test file: connected before its tests; after them,
 * what the tests opened is closed, every key under the file's unique prefix deleted (SCAN, never
 * FLUSHDB) and the client disconnected.
 */
import { type CachedRepository, type CacheError, cached, redisStore } from '@mystira/cache';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { connect, deletePrefix, type NoteT, type notes, uniquePrefix } from '../helpers.js';

export interface SharedRedis {
  /** The client (inside tests). */
  readonly redis: Redis;
  /** A key prefix no other cache of the file uses (below the file's prefix). */
  keyPrefix(): string;
  /** Runs `close` after the file's tests, before their keys are deleted. */
  onClose(close: () => Promise<void>): void;
  /**
   * A cached repository of notes under `keyPrefix`, on its own store over the shared client
   * (both closed after the tests), with the errors it reports.
   */
  cached(
    repo: ReturnType<typeof notes>['repo'],
    keyPrefix: string,
    extra?: Partial<Parameters<typeof cached>[1]>,
  ): { cache: CachedRepository<NoteT>; errors: CacheError[] };
}

export function sharedRedis(file: string): SharedRedis {
  const prefix = uniquePrefix(file);
  const closers: (() => Promise<void>)[] = [];
  let connected: Redis | undefined;
  let n = 0;
  const redis = (): Redis => {
    if (!connected) throw new Error('the shared Redis is used outside the file’s tests');
    return connected;
  };

  beforeAll(async () => {
    connected = await connect();
  });

  afterAll(async () => {
    for (const close of closers) await close();
    if (!connected) return;
    await deletePrefix(connected, prefix);
    connected.disconnect();
  });

  return {
    get redis() {
      return redis();
    },
    keyPrefix: () => `${prefix}:${n++}`,
    onClose: (close) => {
      closers.push(close);
    },
    cached(repo, keyPrefix, extra = {}) {
      const store = redisStore(redis());
      const errors: CacheError[] = [];
      const cache = cached<NoteT>(repo, {
        store,
        keyPrefix,
        storeTimeoutMs: 2000,
        secondDeleteMs: 0,
        onError: (e) => errors.push(e),
        ...extra,
      });
      closers.push(async () => {
        await cache.close();
        await store.close();
      });
      return { cache, errors };
    },
  };
}
