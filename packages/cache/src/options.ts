/**
 * What `cached()` can be told (`CacheOptions`), and the same checked, with every default filled in
 * and the objects it makes (`CacheSettings`): checked once, when `cached()` is called, so a bad
 * option fails there and never in the middle of a read.
 */
import type { CircuitBreakerPolicy } from '@mystira/resilience';
import type { EntityDef } from '@mystira/specification';
import { EntryCodec } from './entry-codec.js';
import { type CacheError, CacheOptionsError } from './errors.js';
import { defaultBreaker, GuardedStore } from './guard.js';
import { KeyLayout, type LayoutBase } from './keys.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import { EntrySigner, type SigningKey } from './signing.js';
import type { CacheStore } from './store.js';

/**
 * The cross-process stampede lock (`CacheOptions.lock`): on a miss, one process loads and fills
 * while the others wait for its fill.
 */
export interface CacheLockOptions {
  /** How long a loader holds the lock (it is released when the load ends). Default 2000 ms. */
  ttlMs?: number;
  /** How long other processes wait for the holder's fill before loading themselves. Default 500 ms. */
  waitMs?: number;
  /** How often a waiter re-reads the store. Default 25 ms. */
  pollMs?: number;
}

/**
 * The in-process L1 (`CacheOptions.l1`), kept coherent across processes by pub/sub invalidation.
 */
export interface L1Options {
  /** Most entries (entities plus query results) held in process. Default 10 000. */
  max?: number;
  /**
   * Longest an entry lives in L1, in ms (default 5 000). Invalidation messages remove entries at
   * once; this bounds how long a message lost with a broken subscription could matter.
   */
  ttlMs?: number;
}

/**
 * The options `cached()` and `keyCache()` share: the store, TTLs, limits, signing, the timeout and
 * breaker of store calls, the stampede lock, grace, L1 and invalidation delivery.
 */
export interface CacheCommonOptions {
  /** Where values live: `redisStore(client)` or `memoryStore()`. */
  store: CacheStore;
  /** Prepended to every key and channel. Default `mystira:cache`. */
  keyPrefix?: string;
  /**
   * Default TTL, in ms. Default 300 000 (5 min). `cached()`: of entities (query TTLs come from each
   * spec's hint); `keyCache()`: of values set without `ttlMs`.
   */
  ttlMs?: number;
  /** Each TTL is shortened by a random share up to this (0–1), so keys filled together do not expire together. Default 0.1. */
  jitter?: number;
  /**
   * Values larger than this (serialized, in bytes) are returned but not cached; entries in the
   * store larger than this plus a header (4 KiB + 48 bytes) are not read, and are deleted.
   * Default 512 KiB.
   */
  maxValueBytes?: number;
  /**
   * HMAC-SHA256 keys (each at least 32 bytes; a string is used as its UTF-8 bytes). Entries are
   * signed with the first and accepted when signed with any, for the Redis key they are under: an
   * unsigned, altered or copied entry is a miss, deleted and reported (`CacheDecodeError` with
   * reason `signature`). Default: none (entries are not signed; see the README's "Security").
   */
  signingKeys?: readonly SigningKey[];
  /** Default: `jsonSerializer()` (keeps Date and bigint). */
  serializer?: Serializer;
  /** Timeout of every store call, in ms. Default 100. */
  storeTimeoutMs?: number;
  /**
   * The breaker every store call passes (share one across the repositories of one store), or the
   * settings for a new one. Default: opens after 5 consecutive failures, probes after 1 s.
   */
  breaker?:
    | CircuitBreakerPolicy
    | {
        /** Consecutive failed store calls that open the breaker. Default 5. */
        consecutiveFailures?: number;
        /** How long the open breaker refuses store calls before one probe. Default 1000 ms. */
        halfOpenAfterMs?: number;
      };
  /** Cross-process stampede lock on misses (`true` for defaults). Default off. */
  lock?: boolean | CacheLockOptions;
  /**
   * Grace mode: keep values this long (ms) past their TTL and serve one when the repository fails
   * with a transient error while reloading it. Default 0 (off).
   */
  graceMs?: number;
  /** In-process L1 in front of the store, kept coherent by pub/sub (`true` for defaults). Default off. */
  l1?: boolean | L1Options;
  /** Delay of the second delete after a write, in ms; 0 disables. Default 1 000. */
  secondDeleteMs?: number;
  /** While invalidations are pending, retry delivering them this often (ms); 0: only on traffic. Default 1 000. */
  flushRetryMs?: number;
  /** Pending invalidations beyond this many ids collapse into one epoch bump (everything of the entity). Default 10 000. */
  maxPendingInvalidations?: number;
  /** A fill whose load took longer than this (ms) is dropped. Default 10 000. */
  fillWindowMs?: number;
  /** Receives every error the cache swallowed (store failures, undecodable values). */
  onError?: (error: CacheError) => void;
  /** Wall clock in ms (TTL and grace bookkeeping). Default `Date.now`. */
  now?: () => number;
  /** Random source for TTL jitter. Default `Math.random`. */
  random?: () => number;
}

/** Options of {@link cached}. */
export interface CacheOptions extends CacheCommonOptions {
  /**
   * Your version of the entity's shape, part of every key. Keys also include a fingerprint of the
   * entity schema, so a deploy that changes the schema never reads values of the old shape; bump
   * this when the meaning changes without the schema changing. Default `1`.
   */
  version?: string | number;
  /** TTL of a cached "not found" (getById/getMany), in ms; 0 disables negative caching. Default 5 000. */
  negativeTtlMs?: number;
  /** Check cached entities against the entity schema on read (a failing value is a miss). Default true. */
  validate?: boolean;
  /**
   * After a single-item write (`add`, `update`, `upsert`) has been invalidated, reload the item in
   * the background through the same guarded read-through a reader uses, so the next reader hits
   * instead of loading (readers arriving meanwhile join that load). It moves the load a reader
   * would make to the writer and costs a repository read for items nobody reads again; the write
   * still returns once its invalidation is delivered. Default false.
   */
  refreshAfterWrite?: boolean;
  /**
   * Read through the Redis store's size-checked script: a stored value over the read limit (a
   * foreign one: this cache never writes one) never leaves Redis, only its size. Default true.
   * false: a read is one plain MGET, cheaper on every hit (as `keyCache()` reads by default); a
   * foreign oversized value is then transferred once before it is refused and deleted.
   */
  sizeCheckedReads?: boolean;
}

/** {@link CacheOptions} checked, with defaults filled in, and the objects they make. */
export interface CacheSettings<L extends LayoutBase = KeyLayout> {
  ttlMs: number;
  jitter: number;
  negativeTtlMs: number;
  graceMs: number;
  secondDeleteMs: number;
  flushRetryMs: number;
  maxPendingInvalidations: number;
  fillWindowMs: number;
  /**
   * TTL of per-item generation keys: they outlive any fill that could have read them (see
   * `fillWindowMs`), so a fill can never see "absent" again after a write set them.
   */
  itemGenerationTtlMs: number;
  validate: boolean;
  /** `cached()`: reload a written item after its invalidation (see `CacheOptions`). */
  refreshAfterWrite: boolean;
  onError: (error: CacheError) => void;
  now: () => number;
  random: () => number;
  codec: EntryCodec;
  lock: Required<CacheLockOptions> | null;
  /** The store behind its timeout and breaker. */
  store: GuardedStore;
  keys: L;
  l1: Required<L1Options> | null;
}

function positive(name: string, value: number | undefined, fallback: number, min = 0): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new CacheOptionsError(`${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
  return v;
}

/** Checks `options` (throwing `CacheOptionsError`) and fills in the defaults. */
export function resolveSettings(entity: EntityDef, options: CacheOptions): CacheSettings {
  const settings = resolveCommonSettings(
    'cached()',
    options,
    (keyPrefix) => new KeyLayout(entity, keyPrefix, options.version ?? 1),
  );
  settings.negativeTtlMs = positive('negativeTtlMs', options.negativeTtlMs, 5_000);
  settings.validate = options.validate ?? true;
  settings.refreshAfterWrite = options.refreshAfterWrite === true;
  return settings;
}

/**
 * Checks the options every cache shares and fills in their defaults; `layout` makes the key layout
 * from the key prefix. The entity-only settings get neutral values (no negative caching, no
 * validation, no refresh after write) that `resolveSettings` replaces.
 */
export function resolveCommonSettings<L extends LayoutBase>(
  caller: string,
  options: CacheCommonOptions,
  layout: (keyPrefix: string) => L,
): CacheSettings<L> {
  if (!options?.store || typeof options.store.get !== 'function') {
    throw new CacheOptionsError(`${caller} needs a store: redisStore(client) or memoryStore()`);
  }
  const ttlMs = positive('ttlMs', options.ttlMs, 300_000, 1);
  const jitter = positive('jitter', options.jitter, 0.1);
  if (jitter > 1) throw new CacheOptionsError('jitter must be between 0 and 1');
  const negativeTtlMs = 0;
  const graceMs = positive('graceMs', options.graceMs, 0);
  const secondDeleteMs = positive('secondDeleteMs', options.secondDeleteMs, 1_000);
  const flushRetryMs = positive('flushRetryMs', options.flushRetryMs, 1_000);
  const maxPendingInvalidations = positive(
    'maxPendingInvalidations',
    options.maxPendingInvalidations,
    10_000,
    1,
  );
  const fillWindowMs = positive('fillWindowMs', options.fillWindowMs, 10_000, 1);
  const itemGenerationTtlMs = Math.max(60_000, fillWindowMs * 6);
  const timeoutMs = positive('storeTimeoutMs', options.storeTimeoutMs, 100, 1);
  const serializer: Serializer = options.serializer ?? jsonSerializer();
  if (!/^[\x21-\x2b\x2d-\x7b\x7d\x7e]{1,32}$/.test(serializer.name))
    throw new CacheOptionsError(
      'serializer names are 1-32 printable ASCII characters without "|" or ","',
    );
  const validate = false;
  const refreshAfterWrite = false;
  const onError = options.onError ?? (() => {});
  const now = options.now ?? Date.now;
  const codec = new EntryCodec({
    serializer,
    signer: options.signingKeys === undefined ? null : new EntrySigner(options.signingKeys),
    maxValueBytes: positive('maxValueBytes', options.maxValueBytes, 512 * 1024, 1),
    graceMs,
    now,
  });
  const random = options.random ?? Math.random;
  const lockOptions = options.lock === true ? {} : options.lock || null;
  const lock = lockOptions
    ? {
        ttlMs: positive('lock.ttlMs', lockOptions.ttlMs, 2_000, 1),
        waitMs: positive('lock.waitMs', lockOptions.waitMs, 500),
        pollMs: positive('lock.pollMs', lockOptions.pollMs, 25, 1),
      }
    : null;
  const breaker =
    options.breaker && typeof (options.breaker as CircuitBreakerPolicy).execute === 'function'
      ? (options.breaker as CircuitBreakerPolicy)
      : defaultBreaker(
          options.breaker as { consecutiveFailures?: number; halfOpenAfterMs?: number } | undefined,
        );
  const store = new GuardedStore(options.store, { timeoutMs, breaker });
  const keys = layout(options.keyPrefix ?? 'mystira:cache');
  const l1Options = options.l1 === true ? {} : options.l1 || null;
  const l1 = l1Options
    ? {
        max: positive('l1.max', l1Options.max, 10_000, 1),
        ttlMs: positive('l1.ttlMs', l1Options.ttlMs, 5_000, 1),
      }
    : null;
  return {
    ttlMs,
    jitter,
    negativeTtlMs,
    graceMs,
    secondDeleteMs,
    flushRetryMs,
    maxPendingInvalidations,
    fillWindowMs,
    itemGenerationTtlMs,
    validate,
    refreshAfterWrite,
    onError,
    now,
    random,
    codec,
    lock,
    store,
    keys,
    l1,
  };
}
