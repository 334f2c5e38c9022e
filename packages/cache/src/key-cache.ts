/**
 * `keyCache(options)`: a cache for any key, beside the repository decorator and on the same
 * machinery (store, breaker and timeout, L1 and its pub/sub invalidation, stampede lock, guarded
 * fills, pending invalidations): `getOrSet` with single flight, fail-safe, soft and hard factory
 * timeouts, eager refresh and sliding expiration; `get`, `set`, `delete`; invalidation by key, tag
 * and prefix; namespaces.
 *
 * Its invalidation methods (`invalidate`, `invalidateTags`, `invalidatePrefix`, `clear`) keep the
 * decorator's guarantee: when they resolve, no instance serves what they dropped (or, with the
 * store unreachable, this instance bypasses the store until they are delivered).
 */
import { type CacheControls, ControlledCache } from './cache-controls.js';
import { SharedContext } from './context.js';
import type { Factory } from './factory-flight.js';
import { Invalidator } from './invalidation.js';
import {
  type CacheTimers,
  callDefaults,
  type GetOrSetOptions,
  type KeyCacheOptions,
  type KeyCallSettings,
  resolveCall,
} from './key-cache-options.js';
import { NamespaceLayout } from './key-layout.js';
import { KeyReads } from './key-reads.js';
import { LocalTier } from './local-tier.js';
import type { CacheMetricsSnapshot } from './metrics.js';
import { type CacheSettings, resolveCommonSettings } from './options.js';
import { StoredEntries } from './stored-entries.js';

/** Options of `get`. */
export interface KeyGetOptions {
  /**
   * The value's tags, if you know them (saves one store read for a tagged value). A value is
   * served only while none of its tags was invalidated, whether you name them or not.
   */
  tags?: readonly string[];
  /** Renew the value's TTL (`ttlMs`) once half of it has passed. Default: the cache's `sliding`. */
  sliding?: boolean;
  /** The TTL a sliding renewal sets. Default: the cache's `ttlMs`. */
  ttlMs?: number;
  /** Stops waiting (rejects with `AbortedError`). */
  signal?: AbortSignal;
}

/** Options of `set`. */
export interface KeySetOptions {
  /** TTL in ms. Default: the cache's `ttlMs`. */
  ttlMs?: number;
  /** Tags of the value (see `invalidateTags`). */
  tags?: readonly string[];
}

/** A cache for any key; one namespace of it. Made by {@link keyCache}. */
export interface KeyCache extends CacheControls {
  /** This namespace's name (nested namespaces are joined by `/`). */
  readonly name: string;
  /**
   * The value of `key`: from L1 or the store, or computed by `factory` and cached. One factory run
   * per key at a time in this process, and (with `lock`, on by default) across processes. When
   * the factory fails or times out, an expired value within `graceMs` is served (fail-safe);
   * otherwise the factory's own error is thrown, or `CacheTimeoutError` at `hardTimeoutMs`, or
   * `AbortedError` when `signal` aborts. A factory that returns `undefined` is not cached. With the
   * store down the factory answers (within `storeTimeoutMs`, then at once once the breaker opens).
   */
  getOrSet<V>(key: string, factory: Factory<V>, options?: GetOrSetOptions): Promise<V>;
  /** The cached value of `key`, or undefined (never stale). */
  get<V>(key: string, options?: KeyGetOptions): Promise<V | undefined>;
  /**
   * Caches `value` under `key`: the key is invalidated first (every instance drops the old value
   * and no fill begun before lands after), then the value is filled. `undefined` deletes.
   */
  set<V>(key: string, value: V, options?: KeySetOptions): Promise<void>;
  /** Drops `key` everywhere; the same as `invalidate(key)`. */
  delete(key: string): Promise<void>;
  /** Drops these keys everywhere (each key alone: not the keys below it, see `invalidatePrefix`). */
  invalidate(keys: string | readonly string[]): Promise<void>;
  /** Drops every value carrying one of these tags, in this namespace. */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /**
   * Drops the key `prefix` and every key below it (`prefix:...`). Prefixes are whole
   * `:`-separated segments: `invalidatePrefix('user:4')` drops `user:4:x`, not `user:42`.
   * A trailing `:` is ignored; `''` is `clear()`.
   */
  invalidatePrefix(prefix: string): Promise<void>;
  /** Drops everything in this namespace (not its nested namespaces: they are namespaces of their own). */
  clear(): Promise<void>;
  /** A namespace inside this one (`<this>/<name>`), sharing the store, breaker and options. */
  namespace(name: string): KeyCache;
  /** Counters, hit ratio and read latency of this namespace (`loads` counts factory runs). */
  metrics(): CacheMetricsSnapshot;
  /** Stops timers and subscriptions of this namespace and those inside it; aborts factories' signals. */
  close(): Promise<void>;
}

const defaultTimers: CacheTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

class Namespace extends ControlledCache implements KeyCache {
  readonly name: string;
  readonly #options: KeyCacheOptions;
  readonly #settings: CacheSettings<NamespaceLayout>;
  readonly #ctx: SharedContext<NamespaceLayout>;
  readonly #defaults: KeyCallSettings;
  readonly #invalidator: Invalidator;
  readonly #reads: KeyReads;
  readonly #children = new Map<string, Namespace>();

  constructor(options: KeyCacheOptions, base: CacheSettings<NamespaceLayout> | null) {
    const name = options.namespace ?? 'default';
    const layout = (keyPrefix: string, itemGenerationTtlMs: number) =>
      new NamespaceLayout(keyPrefix, name, itemGenerationTtlMs);
    // A nested namespace shares its parent's checked settings and guarded store (one breaker).
    const settings: CacheSettings<NamespaceLayout> = base
      ? {
          ...base,
          keys: layout(options.keyPrefix ?? 'mystira:cache', base.itemGenerationTtlMs),
        }
      : resolveCommonSettings('keyCache()', { lock: true, ...options }, (keyPrefix) =>
          layout(keyPrefix, Math.max(60_000, (options.fillWindowMs ?? 10_000) * 6)),
        );
    const ctx = new SharedContext(name, settings);
    const local = new LocalTier(ctx);
    const invalidator = new Invalidator(ctx, local, () => ctx.keys.everything());
    super({ ctx, local, invalidator, healthName: `cache:${name}` });
    this.name = name;
    this.#options = options;
    this.#settings = settings;
    this.#ctx = ctx;
    this.#defaults = callDefaults(options, settings.ttlMs);
    this.#invalidator = invalidator;
    this.#reads = new KeyReads(ctx, {
      entries: new StoredEntries(ctx, { sizeCheckedReads: options.sizeCheckedReads ?? false }),
      local,
      invalidator,
      timers: options.timers ?? defaultTimers,
    });
  }

  getOrSet<V>(key: string, factory: Factory<V>, options?: GetOrSetOptions): Promise<V> {
    // Not async: one promise hop less on the hit path. A bad key or option still rejects.
    try {
      const target = this.#ctx.keys.target(key, options?.tags);
      const call = resolveCall(this.#defaults, options);
      return this.#reads.getOrSet(
        target,
        factory as Factory<unknown>,
        call,
        options?.signal,
      ) as Promise<V>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async get<V>(key: string, options?: KeyGetOptions): Promise<V | undefined> {
    const target = this.#ctx.keys.target(key, options?.tags);
    const call = resolveCall(this.#defaults, options);
    const open = options?.tags === undefined;
    return (await this.#reads.get(target, call, options?.signal, open)) as V | undefined;
  }

  async set<V>(key: string, value: V, options?: KeySetOptions): Promise<void> {
    const target = this.#ctx.keys.target(key, options?.tags);
    const call = resolveCall(this.#defaults, options);
    await this.invalidate(key);
    if (value !== undefined) await this.#reads.set(target, value, call);
  }

  delete(key: string): Promise<void> {
    return this.invalidate(key);
  }

  async invalidate(keys: string | readonly string[]): Promise<void> {
    const plan = this.#ctx.keys.keys(typeof keys === 'string' ? [keys] : keys);
    await this.#invalidator.invalidate(plan);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    await this.#invalidator.invalidate(this.#ctx.keys.tags(tags));
  }

  async invalidatePrefix(prefix: string): Promise<void> {
    await this.#invalidator.invalidate(this.#ctx.keys.prefixed(prefix));
  }

  async clear(): Promise<void> {
    await this.#invalidator.invalidate(this.#ctx.keys.everything());
  }

  namespace(name: string): KeyCache {
    const full = `${this.name}/${name}`;
    let child = this.#children.get(full);
    if (!child) {
      child = new Namespace({ ...this.#options, namespace: full }, this.#settings);
      this.#children.set(full, child);
    }
    return child;
  }

  override async close(): Promise<void> {
    await Promise.all([...this.#children.values()].map((c) => c.close()));
    this.#reads.close();
    await super.close();
  }
}

/**
 * A cache for any key on a {@link CacheStore} (`redisStore(client)` or `memoryStore()`): the
 * `namespace` of `options` (default `default`); `namespace(name)` makes nested ones. Throws
 * `CacheOptionsError` for bad options, `CacheKeyError` for a bad namespace.
 */
export function keyCache(options: KeyCacheOptions): KeyCache {
  return new Namespace(options, null);
}
