/**
 * @mystira/cache: a cache-aside decorator for any `Repository<T>` that never makes things worse:
 * guarded fills and invalidation before writes return (no stale reads after a completed write),
 * stampede protection, a timeout and breaker on every store call, optional L1 kept coherent by
 * pub/sub, optional HMAC-signed entries, and junk in the store (oversized, undecodable, forged)
 * refused and deleted. Stores: Redis (ioredis, single node or Cluster) and memory. Beside it, on
 * the same machinery, `keyCache()`: a cache for any key (`getOrSet` with fail-safe, soft and hard
 * factory timeouts, eager refresh and sliding expiration; invalidation by key, tag and prefix;
 * namespaces).
 *
 * @packageDocumentation
 */
export type { CacheControls } from './cache-controls.js';
export { type CachedRepository, cached } from './cached.js';
export {
  CacheDecodeError,
  type CacheDecodeReason,
  CacheEncodeError,
  CacheError,
  type CacheErrorCode,
  CacheFactoryError,
  CacheKeyError,
  CacheOptionsError,
  CacheStoreError,
  CacheTimeoutError,
} from './errors.js';
export type { Factory, FactoryContext } from './factory-flight.js';
export { type CacheHealthOptions, cacheHealthCheck } from './health.js';
export {
  type KeyCache,
  type KeyGetOptions,
  type KeySetOptions,
  keyCache,
} from './key-cache.js';
export type {
  CacheTimers,
  FactoryOptions,
  GetOrSetOptions,
  KeyCacheOptions,
} from './key-cache-options.js';
export { MemoryStore, type MemoryStoreOptions, memoryStore } from './memory-store.js';
export type { CacheMetricsSnapshot } from './metrics.js';
export type {
  CacheCommonOptions,
  CacheLockOptions,
  CacheOptions,
  L1Options,
} from './options.js';
export {
  RedisStore,
  type RedisStoreClient,
  type RedisStoreMulti,
  type RedisStoreOptions,
  type RedisSubscriberConnection,
  redisStore,
} from './redis-store.js';
export {
  jsonSerializer,
  type MsgpackCodec,
  msgpackSerializer,
  type Serializer,
} from './serializer.js';
export type { SigningKey } from './signing.js';
export type { CacheStore, FillEntry, Guard, TokenWrite } from './store.js';
