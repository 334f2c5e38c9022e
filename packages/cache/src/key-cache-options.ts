/**
 * What `keyCache()` and its calls can be told: `KeyCacheOptions` (the options every cache shares,
 * plus the namespace and the defaults of every call) and `GetOrSetOptions` (one call's), checked
 * once and resolved into `KeyCallSettings`.
 */
import { CacheOptionsError } from './errors.js';
import type { CacheCommonOptions } from './options.js';

/** Timers of the key cache's factory timeouts (tests inject a controlled clock). */
export interface CacheTimers {
  /** Calls `callback` after `ms`; returns what `clearTimeout` takes. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer `setTimeout` returned. */
  clearTimeout(handle: unknown): void;
}

/** Per-call behaviour of `getOrSet` (and the defaults `keyCache()` takes for every call). */
export interface FactoryOptions {
  /** TTL of the value, in ms. Default: the cache's `ttlMs` (5 min). */
  ttlMs?: number;
  /**
   * Sliding expiration: a read renews the value's TTL once half of it has passed, so a value read
   * at least every `ttlMs / 2` stays cached. Default false.
   */
  sliding?: boolean;
  /**
   * Fail-safe: when the factory fails (or times out) and an expired value is still within the
   * cache's `graceMs`, answer with it instead. Default true (no effect unless `graceMs` > 0).
   */
  failSafe?: boolean;
  /**
   * Soft timeout, in ms: when there is a stale value (fail-safe), answer with it after this long
   * and let the factory finish in the background (its value fills the cache). Default: none.
   */
  softTimeoutMs?: number;
  /**
   * Hard timeout, in ms: after this long the call answers with the stale value if there is one,
   * otherwise rejects with `CacheTimeoutError`; the factory still finishes in the background.
   * Default: none.
   */
  hardTimeoutMs?: number;
  /**
   * Eager refresh, a share of the TTL between 0 and 1 (exclusive): a hit on a value older than
   * this share of its TTL answers at once and refreshes it in the background, so hot values never
   * expire. Default: off.
   */
  eagerRefresh?: number;
}

/** Options of one `getOrSet` call. */
export interface GetOrSetOptions extends FactoryOptions {
  /**
   * Tags of the value: `invalidateTags` drops every value carrying one. Pass the same tags on
   * every call for a key (a value cached under other tags is a miss).
   */
  tags?: readonly string[];
  /**
   * Stops this caller waiting (it rejects with `AbortedError`). The factory, which other callers
   * may share, goes on and fills the cache.
   */
  signal?: AbortSignal;
}

/** Options of `keyCache()`. */
export interface KeyCacheOptions extends CacheCommonOptions, FactoryOptions {
  /**
   * The namespace: part of every key and channel, so namespaces never see each other's values
   * and `clear()` drops one. Default `default`. `namespace(name)` makes nested ones.
   */
  namespace?: string;
  /** Timers of the factory timeouts. Default the global `setTimeout` / `clearTimeout`. */
  timers?: CacheTimers;
  /**
   * Read through the Redis store's size-checked script (as `cached()` does): a stored value over
   * the read limit never leaves Redis, only its size. Default false: a read is one plain MGET,
   * about half the cost of the script on a hit. Values over `maxValueBytes` are never written by
   * this cache either way; without the script a foreign oversized value (or a non-string key)
   * someone else wrote under a cache key is transferred once, refused and deleted. Turn it on when
   * anything else can write to that Redis and a one-off large transfer matters.
   */
  sizeCheckedReads?: boolean;
}

/** A call's behaviour with every default filled in. */
export interface KeyCallSettings {
  ttlMs: number;
  sliding: boolean;
  failSafe: boolean;
  softTimeoutMs: number;
  hardTimeoutMs: number;
  eagerRefresh: number;
}

function check(name: string, value: number | undefined, min: number, exclusiveMax = Infinity) {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value >= exclusiveMax)
    throw new CacheOptionsError(
      `${name} must be a number >= ${min}${exclusiveMax < Infinity ? ` and < ${exclusiveMax}` : ''}, got ${String(value)}`,
    );
}

/** `options` over `defaults` (both checked; throws `CacheOptionsError`). */
export function resolveCall(
  defaults: KeyCallSettings,
  options: FactoryOptions | undefined,
): KeyCallSettings {
  if (!options) return defaults;
  check('ttlMs', options.ttlMs, 1);
  check('softTimeoutMs', options.softTimeoutMs, 0);
  check('hardTimeoutMs', options.hardTimeoutMs, 0);
  check('eagerRefresh', options.eagerRefresh, 0, 1);
  return {
    ttlMs: options.ttlMs ?? defaults.ttlMs,
    sliding: options.sliding ?? defaults.sliding,
    failSafe: options.failSafe ?? defaults.failSafe,
    softTimeoutMs: options.softTimeoutMs ?? defaults.softTimeoutMs,
    hardTimeoutMs: options.hardTimeoutMs ?? defaults.hardTimeoutMs,
    eagerRefresh: options.eagerRefresh ?? defaults.eagerRefresh,
  };
}

/** The defaults of every call, from `keyCache()`'s options. */
export function callDefaults(options: KeyCacheOptions, ttlMs: number): KeyCallSettings {
  return resolveCall(
    {
      ttlMs,
      sliding: false,
      failSafe: true,
      softTimeoutMs: Infinity,
      hardTimeoutMs: Infinity,
      eagerRefresh: 0,
    },
    options,
  );
}
