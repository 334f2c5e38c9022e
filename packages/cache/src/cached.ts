/**
 * `cached(repository, options)`: cache-aside in front of any `Repository<T>`.
 *
 * The rules that make it safe (the README's "Consistency" section says what they guarantee):
 *
 * 1. Writes go to the repository first; before the write returns, the entity's key is deleted
 *    and its generation tokens replaced (one MULTI). The caller's object is never written to
 *    the cache: the next read loads what the repository actually stored.
 * 2. Every fill is guarded: it writes only if the generation tokens it read before loading are
 *    unchanged (one Lua script). A read that loaded the old row while a write committed cannot
 *    put it back after the write invalidated. A delayed second delete is kept as a backstop.
 * 3. Query results (list/first/single/count/any/page, for specs with a `cache()` hint) carry the
 *    entity's query generation and their tags' generations; any write to the entity replaces the
 *    query generation, so no list that could contain the written item survives.
 * 4. The store never makes a call fail or wait past its bound: every store call has a timeout and
 *    goes through a breaker; on failure reads fall through to the repository, and writes record
 *    the invalidation as pending. While anything is pending this instance bypasses the cache (so
 *    it cannot serve what it failed to invalidate) and flushes as soon as the store answers.
 */
import { createHash } from 'node:crypto';
import type { HealthCheck } from '@mystira/health';
import {
  AbortedError,
  type CallOptions,
  checkId,
  type Id,
  idOf,
  type PageOptions,
  queryOf,
  type Repository,
  RepositoryError,
  type RepositoryPage,
  type StreamOptions,
  throwIfAborted,
  ValidationError,
  type WriteOptions,
} from '@mystira/repository';
import { type CircuitBreakerPolicy, isTransient } from '@mystira/resilience';
import {
  type CacheHint,
  type EntityDef,
  hashQuery,
  type QueryNode,
  type SpecSource,
} from '@mystira/specification';
import { LRUCache } from 'lru-cache';
import { type Decoded, EntryCodec } from './entry-codec.js';
import { type EnvelopeKind, freshToken } from './envelope.js';
import { CacheDecodeError, type CacheError, CacheOptionsError, CacheStoreError } from './errors.js';
import { defaultBreaker, GuardedStore } from './guard.js';
import {
  encodeInvalidation,
  type InvalidationMessage,
  parseInvalidation,
} from './invalidation-message.js';
import { CacheMetrics, type CacheMetricsSnapshot } from './metrics.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import { EntrySigner, type SigningKey } from './signing.js';
import type { CacheStore, FillEntry, Guard } from './store.js';

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

/** Options of {@link cached}. */
export interface CacheOptions {
  /** Where values live: `redisStore(client)` or `memoryStore()`. */
  store: CacheStore;
  /** Prepended to every key and channel. Default `mystira:cache`. */
  keyPrefix?: string;
  /**
   * Your version of the entity's shape, part of every key. Keys also include a fingerprint of the
   * entity schema, so a deploy that changes the schema never reads values of the old shape; bump
   * this when the meaning changes without the schema changing. Default `1`.
   */
  version?: string | number;
  /** TTL of cached entities, in ms. Default 300 000 (5 min). Query TTLs come from each spec's hint. */
  ttlMs?: number;
  /** Each TTL is shortened by a random share up to this (0–1), so keys filled together do not expire together. Default 0.1. */
  jitter?: number;
  /** TTL of a cached "not found" (getById/getMany), in ms; 0 disables negative caching. Default 5 000. */
  negativeTtlMs?: number;
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
  /** Check cached entities against the entity schema on read (a failing value is a miss). Default true. */
  validate?: boolean;
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

/** What `cached()` returns: the repository, plus cache administration. */
export interface CachedRepository<T extends object> extends Repository<T> {
  /** The repository behind the cache. */
  readonly inner: Repository<T>;
  /** Counters, hit ratio and read latency. */
  metrics(): CacheMetricsSnapshot;
  /** Drops these entities (and every cached query of the entity), e.g. after an out-of-band change. */
  invalidate(ids: readonly Id[]): Promise<void>;
  /** Drops every cached query carrying one of these tags (see `Specification.cache({ tags })`). */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** Drops everything cached for this entity (one epoch bump; old keys expire by TTL). */
  invalidateAll(): Promise<void>;
  /** Ids whose invalidation failed and waits for the store; while non-zero, reads bypass the cache. */
  readonly pendingInvalidations: number;
  /** Tries to deliver pending invalidations now; resolves whether nothing is pending any more. */
  flushPending(): Promise<boolean>;
  /** A `@mystira/health` check: healthy, or degraded (never unhealthy) while the store is unusable. */
  healthCheck(options?: {
    name?: string;
    timeoutMs?: number;
    tags?: readonly string[];
  }): HealthCheck;
  /** Resolves when L1 invalidation is live (immediately when L1 is off). For tests and start-up. */
  ready(): Promise<void>;
  /** Stops timers and the invalidation subscription. Does not close the store's client. */
  close(): Promise<void>;
}

type QueryMethod = 'list' | 'first' | 'single' | 'count' | 'page';

interface L1Entry {
  value: unknown;
  kind: EnvelopeKind;
}

/** Outcome of one read-through: the value (undefined for "not found") and how it was obtained. */
interface ReadSpec {
  key: string;
  /** Generation keys whose tokens the value must have been filled under, in order. */
  guards: string[];
  /** Whether a missing generation key may be created by the fill (false for per-item keys). */
  creatable: boolean[];
  ttlMs: number;
  /** Cache a not-found result (undefined) with the negative TTL. */
  negative: boolean;
  check: (value: unknown) => boolean;
  /** Loads from the repository; `signal` only when the caller alone waits for it (bypass). */
  load: (signal?: AbortSignal) => Promise<unknown>;
}

/**
 * Only a rejected input certainly leaves the cache right. A version conflict, a duplicate or a
 * missing row changed nothing either, but they say the caller's view of the row disagreed with
 * the store: the cached copy may be what misled it (another process wrote through a different
 * cache), so it is dropped as after any write, and the caller's retry reads the store.
 */
const leavesCacheRight = (err: unknown) => err instanceof ValidationError;

/** What `freshToken()` makes (and nothing that would break an envelope header: no '|' or ','). */
const TOKEN = /^[\w.-]{1,64}$/;

/**
 * A generation token as read from the store: null when absent, false when the key holds something
 * no instance wrote (then it is replaced by a fresh token, which is what a write does anyway).
 */
function tokenOf(b: Uint8Array | number | null): string | null | false {
  if (b === null) return null;
  if (typeof b === 'number' || b.length > 64) return false;
  const text = (
    Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  ).toString('latin1');
  return TOKEN.test(text) ? text : false;
}

/** Absent generation keys are recorded as ''. */
const joinTokens = (tokens: readonly (string | null)[]) => tokens.map((t) => t ?? '').join(',');

/**
 * Entity-wide generation keys (epoch, query generation, tags) expire after a day without writes:
 * an expired one comes back as a fresh token, which only turns the values filled under the old one
 * into misses, so any expiry is safe; it just keeps abandoned prefixes from living forever.
 */
const GENERATION_TTL_MS = 86_400_000;

const idKey = (id: Id) => `${typeof id === 'number' ? 'n' : 's'}:${id}`;

function fingerprint(entity: EntityDef): string {
  const fields = [...entity.fields.entries()].map(([name, info]) => [name, info]);
  return createHash('sha256')
    .update(JSON.stringify({ fields, id: entity.id, version: entity.version }))
    .digest('base64url')
    .slice(0, 10);
}

const hashes = new WeakMap<QueryNode, string>();
function hashOf(q: QueryNode): string {
  let h = hashes.get(q);
  if (h === undefined) {
    h = hashQuery(q);
    hashes.set(q, h);
  }
  return h;
}

function positive(name: string, value: number | undefined, fallback: number, min = 0): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new CacheOptionsError(`${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
  return v;
}

function race<R>(promise: Promise<R>, signal: AbortSignal | undefined, entity: string): Promise<R> {
  if (!signal) return promise;
  return new Promise<R>((resolve, reject) => {
    const onAbort = () =>
      reject(new AbortedError('the operation was aborted', { entity, cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class Cached<T extends object> implements CachedRepository<T> {
  readonly inner: Repository<T>;
  readonly entity: EntityDef;
  readonly #store: GuardedStore;
  readonly #codec: EntryCodec;
  readonly #metrics = new CacheMetrics();
  readonly #prefix: string;
  readonly #channel: string;
  readonly #ttl: number;
  readonly #jitter: number;
  readonly #negativeTtl: number;
  readonly #validate: boolean;
  readonly #lock: Required<CacheLockOptions> | null;
  readonly #grace: number;
  readonly #secondDelete: number;
  readonly #maxPending: number;
  readonly #fillWindow: number;
  readonly #itemGenTtl: number;
  readonly #onError: (error: CacheError) => void;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #flights = new Map<string, Promise<unknown>>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #l1Entities: LRUCache<string, L1Entry> | null;
  readonly #l1Queries: LRUCache<string, L1Entry> | null;
  #l1Live = false;
  #subscription: Promise<() => Promise<void>> | null = null;
  #readyWaiters: (() => void)[] = [];
  /** Bumped by every local write and every invalidation message: guards L1 fills and flight reuse. */
  #localGen = 0;
  readonly #pendingIds = new Set<string>();
  #pendingQueries = false;
  #pendingEpoch = false;
  readonly #pendingTags = new Set<string>();
  #flushing: Promise<boolean> | null = null;
  #flushTimer: ReturnType<typeof setInterval> | null = null;
  readonly #flushRetry: number;
  #closed = false;

  constructor(inner: Repository<T>, options: CacheOptions) {
    if (!inner || typeof inner.getById !== 'function' || !inner.entity) {
      throw new CacheOptionsError('cached() needs a Repository<T>');
    }
    if (!options?.store || typeof options.store.get !== 'function') {
      throw new CacheOptionsError('cached() needs a store: redisStore(client) or memoryStore()');
    }
    this.inner = inner;
    this.entity = inner.entity;
    this.#ttl = positive('ttlMs', options.ttlMs, 300_000, 1);
    this.#jitter = positive('jitter', options.jitter, 0.1);
    if (this.#jitter > 1) throw new CacheOptionsError('jitter must be between 0 and 1');
    this.#negativeTtl = positive('negativeTtlMs', options.negativeTtlMs, 5_000);
    this.#grace = positive('graceMs', options.graceMs, 0);
    this.#secondDelete = positive('secondDeleteMs', options.secondDeleteMs, 1_000);
    this.#flushRetry = positive('flushRetryMs', options.flushRetryMs, 1_000);
    this.#maxPending = positive(
      'maxPendingInvalidations',
      options.maxPendingInvalidations,
      10_000,
      1,
    );
    this.#fillWindow = positive('fillWindowMs', options.fillWindowMs, 10_000, 1);
    // Per-item generation keys outlive any fill that could have read them (see fillWindowMs), so
    // a fill can never see "absent" again after a write set them.
    this.#itemGenTtl = Math.max(60_000, this.#fillWindow * 6);
    const timeoutMs = positive('storeTimeoutMs', options.storeTimeoutMs, 100, 1);
    const serializer: Serializer = options.serializer ?? jsonSerializer();
    if (!/^[\x21-\x2b\x2d-\x7b\x7d\x7e]{1,32}$/.test(serializer.name))
      throw new CacheOptionsError(
        'serializer names are 1-32 printable ASCII characters without "|" or ","',
      );
    this.#validate = options.validate ?? true;
    this.#onError = options.onError ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#codec = new EntryCodec({
      serializer,
      signer: options.signingKeys === undefined ? null : new EntrySigner(options.signingKeys),
      maxValueBytes: positive('maxValueBytes', options.maxValueBytes, 512 * 1024, 1),
      graceMs: this.#grace,
      now: this.#now,
    });
    this.#random = options.random ?? Math.random;
    const lock = options.lock === true ? {} : options.lock || null;
    this.#lock = lock
      ? {
          ttlMs: positive('lock.ttlMs', lock.ttlMs, 2_000, 1),
          waitMs: positive('lock.waitMs', lock.waitMs, 500),
          pollMs: positive('lock.pollMs', lock.pollMs, 25, 1),
        }
      : null;
    const breaker =
      options.breaker && typeof (options.breaker as CircuitBreakerPolicy).execute === 'function'
        ? (options.breaker as CircuitBreakerPolicy)
        : defaultBreaker(
            options.breaker as
              | { consecutiveFailures?: number; halfOpenAfterMs?: number }
              | undefined,
          );
    this.#store = new GuardedStore(options.store, { timeoutMs, breaker });
    const prefix = options.keyPrefix ?? 'mystira:cache';
    const version = String(options.version ?? 1);
    if (/[{}\s]/.test(prefix) || /[{}\s|,]/.test(version)) {
      throw new CacheOptionsError('keyPrefix and version cannot contain braces or whitespace');
    }
    // {entity} is the Redis Cluster hash tag: every key of the entity lives in one slot, so MGET,
    // the fill script and MULTI work on a Cluster.
    this.#prefix = `${prefix}:{${this.entity.name}}:${version}.${fingerprint(this.entity)}`;
    this.#channel = `${this.#prefix}:inv`;
    const l1 = options.l1 === true ? {} : options.l1 || null;
    if (l1) {
      const max = positive('l1.max', l1.max, 10_000, 1);
      const ttl = positive('l1.ttlMs', l1.ttlMs, 5_000, 1);
      this.#l1Entities = new LRUCache({ max, ttl, ttlAutopurge: false });
      this.#l1Queries = new LRUCache({ max, ttl, ttlAutopurge: false });
      this.#subscription = options.store
        .subscribe(
          this.#channel,
          (m) => this.#onMessage(m),
          (live) => this.#onSubscription(live),
        )
        .catch((err) => {
          this.#report(
            new CacheStoreError('subscribe', `cannot subscribe to ${this.#channel}`, {
              cause: err,
            }),
          );
          return async () => {};
        });
    } else {
      this.#l1Entities = null;
      this.#l1Queries = null;
    }
  }

  // ---- keys ------------------------------------------------------------------------------------
  #epochKey(): string {
    return `${this.#prefix}:epoch`;
  }
  #queryGenKey(): string {
    return `${this.#prefix}:qgen`;
  }
  #tagKey(tag: string): string {
    return `${this.#prefix}:tag:${tag}`;
  }
  #itemGenKey(id: Id): string {
    return `${this.#prefix}:ig:${idKey(id)}`;
  }
  #valueKey(id: Id): string {
    return `${this.#prefix}:e:${idKey(id)}`;
  }

  // ---- bookkeeping -----------------------------------------------------------------------------
  #report(error: CacheError): void {
    this.#metrics.errors++;
    try {
      this.#onError(error);
    } catch {
      // A throwing onError must not turn a cache problem into a caller's problem.
    }
  }

  #ttlWithJitter(ttl: number): number {
    return Math.max(1, Math.round(ttl * (1 - this.#jitter * this.#random())));
  }

  get pendingInvalidations(): number {
    return (
      this.#pendingIds.size +
      (this.#pendingQueries || this.#pendingEpoch || this.#pendingTags.size > 0 ? 1 : 0)
    );
  }

  #hasPending(): boolean {
    return (
      this.#pendingIds.size > 0 ||
      this.#pendingQueries ||
      this.#pendingEpoch ||
      this.#pendingTags.size > 0
    );
  }

  /** True when this read must skip the cache: invalidations this instance owes are not delivered. */
  #bypass(): boolean {
    if (this.#closed) return true;
    if (!this.#hasPending()) return false;
    void this.flushPending();
    return true;
  }

  #l1Usable(): boolean {
    return this.#l1Live && this.#l1Entities !== null && !this.#closed;
  }

  #onSubscription(live: boolean): void {
    // Whether it just came up or just went down, messages may have been missed: start clean.
    this.#localGen++;
    this.#l1Entities?.clear();
    this.#l1Queries?.clear();
    this.#l1Live = live;
    if (live) for (const w of this.#readyWaiters.splice(0)) w();
  }

  #onMessage(raw: string): void {
    this.#localGen++;
    const msg = parseInvalidation(raw);
    if (!msg) {
      // Not a message this cache sends (forged, or from a newer version): it may have been a real
      // invalidation, so drop everything; that costs misses, never a stale read.
      this.#l1Entities?.clear();
      this.#l1Queries?.clear();
      this.#report(
        new CacheDecodeError(this.#channel, 'not an invalidation message of this cache', {
          reason: 'message',
        }),
      );
      return;
    }
    this.#metrics.received++;
    if (msg.a) {
      this.#l1Entities?.clear();
      this.#l1Queries?.clear();
      return;
    }
    for (const k of msg.k ?? []) this.#l1Entities?.delete(k);
    if (msg.q) this.#l1Queries?.clear();
  }

  #dropLocal(keys: readonly string[], all: boolean): void {
    this.#localGen++;
    if (all) this.#l1Entities?.clear();
    else for (const k of keys) this.#l1Entities?.delete(k);
    this.#l1Queries?.clear();
  }

  // ---- decoding ----------------------------------------------------------------------------------
  /**
   * Decodes a stored value: null for a miss (absent, invalidated, refused), or the value with
   * whether it is past its logical TTL. A refused entry is collected in `bad`, for `#drop`.
   */
  #decode(
    key: string,
    bytes: Uint8Array | number | null,
    tokens: readonly (string | null)[],
    check: (value: unknown) => boolean,
    bad: CacheDecodeError[],
  ): Decoded | null {
    const got = this.#codec.decode(key, bytes, joinTokens(tokens), check);
    if (got instanceof CacheDecodeError) {
      bad.push(got);
      return null;
    }
    return got;
  }

  /**
   * Deletes refused entries (forged, oversized, undecodable) and reports them. Awaited before the
   * load, so the delete cannot land after the fill that replaces the entry. Deleting is always
   * safe: at worst it removes a good value another instance just filled (one more miss).
   */
  async #drop(bad: readonly CacheDecodeError[]): Promise<void> {
    for (const e of bad) {
      if (e.reason === 'signature') this.#metrics.forged++;
      this.#report(e);
    }
    this.#metrics.dropped += bad.length;
    const keys = bad.map((e) => e.key);
    await this.#store.call('drop', (s) => s.write([], keys)).catch((err) => this.#report(err));
  }

  /**
   * Replaces generation keys that hold junk (`false` in `tokens`) by fresh tokens: exactly what a
   * write does, so it can only cause misses. Resolves null: the read that found them neither
   * serves nor fills.
   */
  async #replaceJunkTokens(
    keys: readonly string[],
    tokens: readonly (string | null | false)[],
  ): Promise<null> {
    const junk = keys.filter((_, i) => tokens[i] === false);
    for (const key of junk) {
      this.#report(
        new CacheDecodeError(key, 'the generation key does not hold a token', { reason: 'token' }),
      );
    }
    this.#metrics.dropped += junk.length;
    const itemGen = `${this.#prefix}:ig:`;
    const fresh = junk.map((key) => ({
      key,
      value: freshToken(),
      ttlMs: key.startsWith(itemGen) ? this.#itemGenTtl : GENERATION_TTL_MS,
    }));
    await this.#store.call('drop', (s) => s.write(fresh, [])).catch((err) => this.#report(err));
    return null;
  }

  #encode(
    key: string,
    kind: EnvelopeKind,
    value: unknown,
    tokens: string,
    ttlMs: number,
  ): Uint8Array | null {
    const bytes = this.#codec.encode(key, kind, value, tokens, ttlMs);
    if (bytes === null) this.#metrics.oversized++;
    else if (!(bytes instanceof Uint8Array)) this.#report(bytes);
    return bytes instanceof Uint8Array ? bytes : null;
  }

  #checkItem = (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (!this.#validate || this.entity.validate(value).length === 0);

  // ---- read-through ------------------------------------------------------------------------------
  async #read<R>(
    spec: ReadSpec,
    signal: AbortSignal | undefined,
    observe: CallOptions['observe'],
  ): Promise<R> {
    const started = performance.now();
    try {
      return (await this.#readInner(spec, signal, observe)) as R;
    } finally {
      this.#metrics.recordLatency(performance.now() - started);
    }
  }

  async #readInner(
    spec: ReadSpec,
    signal: AbortSignal | undefined,
    observe: CallOptions['observe'],
  ): Promise<unknown> {
    const l1 = spec.negative ? this.#l1Entities : this.#l1Queries;
    if (l1 && this.#l1Usable()) {
      const hit = l1.get(spec.key);
      if (hit) {
        this.#metrics.hits++;
        this.#metrics.l1Hits++;
        observe?.({ cacheHit: true, l1Hit: true });
        return hit.kind === 'n' ? undefined : structuredClone(hit.value);
      }
    }
    if (this.#bypass()) {
      this.#metrics.bypasses++;
      observe?.({ cacheHit: false, bypassed: true });
      return spec.load(signal);
    }
    const localGen = this.#localGen;
    const readAt = this.#now();
    let tokens: (string | null)[] | null = null;
    let stale: { value: unknown } | null = null;
    try {
      const max = this.#codec.maxEntryBytes;
      const got = await race(
        this.#store.call('get', (s) => s.get([...spec.guards, spec.key], max)),
        signal,
        this.entity.name,
      );
      const read = got.slice(0, spec.guards.length).map(tokenOf);
      tokens = read.includes(false)
        ? await race(this.#replaceJunkTokens(spec.guards, read), signal, this.entity.name)
        : (read as (string | null)[]);
      const bad: CacheDecodeError[] = [];
      const hit =
        tokens && this.#decode(spec.key, got[spec.guards.length]!, tokens, spec.check, bad);
      if (bad.length > 0) await race(this.#drop(bad), signal, this.entity.name);
      if (hit && !hit.expired) {
        this.#metrics.hits++;
        observe?.({ cacheHit: true, l1Hit: false });
        this.#fillL1(l1, spec.key, hit.kind, hit.value, localGen);
        return hit.value;
      }
      if (hit && this.#grace > 0) stale = { value: hit.value };
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      this.#report(err as CacheError);
    }
    this.#metrics.misses++;
    // Single-flight: join a load in flight only if it started under the same generation tokens
    // (or, without the store, the same local generation), so a read that began after a write
    // never receives a value loaded before it.
    const flightKey = `${spec.key}|${tokens ? tokens.join(',') : `local:${localGen}`}`;
    let flight = this.#flights.get(flightKey);
    observe?.({ cacheHit: false, l1Hit: false, coalesced: flight !== undefined });
    if (flight) {
      this.#metrics.coalesced++;
    } else {
      flight = this.#load(spec, tokens, stale, readAt, localGen, l1).finally(() => {
        this.#flights.delete(flightKey);
      });
      this.#flights.set(flightKey, flight);
    }
    const value = await race(flight, signal, this.entity.name);
    // Each caller gets its own copy: joiners must not share (and mutate) one object.
    return value === undefined ? undefined : structuredClone(value);
  }

  #fillL1(
    l1: LRUCache<string, L1Entry> | null,
    key: string,
    kind: EnvelopeKind,
    value: unknown,
    localGen: number,
  ): void {
    // Only if nothing was invalidated since the read began: a value read before an invalidation
    // message must not land in L1 after it.
    if (l1 && this.#l1Usable() && this.#localGen === localGen)
      l1.set(key, { kind, value: structuredClone(value) });
  }

  async #load(
    spec: ReadSpec,
    tokens: (string | null)[] | null,
    stale: { value: unknown } | null,
    readAt: number,
    localGen: number,
    l1: LRUCache<string, L1Entry> | null,
  ): Promise<unknown> {
    let lockToken: string | null = null;
    if (this.#lock && tokens) {
      const waited = await this.#lockOrWait(spec, tokens);
      if (waited.done) return waited.value;
      lockToken = waited.token;
    }
    try {
      let value: unknown;
      this.#metrics.loads++;
      try {
        value = await spec.load();
      } catch (err) {
        if (stale && (isTransient(err) || (err instanceof RepositoryError && err.transient))) {
          this.#metrics.graceHits++;
          return stale.value;
        }
        throw err;
      }
      if (tokens && this.#now() - readAt <= this.#fillWindow && !this.#hasPending()) {
        await this.#fill(spec, tokens, value);
      }
      if (value !== undefined || spec.negative)
        this.#fillL1(l1, spec.key, value === undefined ? 'n' : 'v', value, localGen);
      return value;
    } finally {
      if (lockToken) {
        const key = `${spec.key}:lock`;
        const token = lockToken;
        this.#store.call('unlock', (s) => s.unlock(key, token)).catch((e) => this.#report(e));
      }
    }
  }

  async #fill(spec: ReadSpec, tokens: (string | null)[], value: unknown): Promise<void> {
    const negative = value === undefined && spec.negative;
    if (negative && this.#negativeTtl === 0) return;
    const ttl = this.#ttlWithJitter(negative ? this.#negativeTtl : spec.ttlMs);
    const guards: Guard[] = [];
    const recorded: string[] = [];
    spec.guards.forEach((key, i) => {
      const current = tokens[i] ?? null;
      if (current === null && spec.creatable[i]) {
        const create = freshToken();
        guards.push({ key, expected: null, create, createTtlMs: GENERATION_TTL_MS });
        recorded.push(create);
      } else {
        guards.push({ key, expected: current });
        recorded.push(current ?? '');
      }
    });
    // Absent per-item tokens are recorded as '' and read back as null: compare equal via tokensOf.
    const bytes = this.#encode(spec.key, negative ? 'n' : 'v', value, recorded.join(','), ttl);
    if (!bytes) return;
    const entry: FillEntry = { key: spec.key, value: bytes, ttlMs: ttl + this.#grace };
    try {
      const ok = await this.#store.call('fill', (s) => s.fill(guards, [entry]));
      if (ok) this.#metrics.fills++;
      else this.#metrics.fillsRejected++;
    } catch (err) {
      this.#report(err as CacheError);
    }
  }

  async #lockOrWait(
    spec: ReadSpec,
    tokens: (string | null)[],
  ): Promise<{ done: true; value: unknown } | { done: false; token: string | null }> {
    const lock = this.#lock!;
    const token = freshToken();
    const key = `${spec.key}:lock`;
    try {
      if (await this.#store.call('lock', (s) => s.tryLock(key, token, lock.ttlMs)))
        return { done: false, token };
    } catch (err) {
      this.#report(err as CacheError);
      return { done: false, token: null };
    }
    // Another process is loading: wait for its fill, then give up waiting and load ourselves.
    const deadline = performance.now() + lock.waitMs;
    while (performance.now() < deadline) {
      await sleep(lock.pollMs);
      try {
        const max = this.#codec.maxEntryBytes;
        const got = await this.#store.call('get', (s) => s.get([...spec.guards, spec.key], max));
        const read = got.slice(0, spec.guards.length).map(tokenOf);
        const now = read.includes(false)
          ? await this.#replaceJunkTokens(spec.guards, read)
          : (read as (string | null)[]);
        // A write happened while we waited: the holder's fill will be refused; load ourselves.
        if (!now || spec.guards.some((_, i) => now[i] !== tokens[i] && tokens[i] !== null)) break;
        const bad: CacheDecodeError[] = [];
        const hit = this.#decode(spec.key, got[spec.guards.length]!, now, spec.check, bad);
        if (bad.length > 0) await this.#drop(bad);
        if (hit && !hit.expired) {
          this.#metrics.coalesced++;
          return { done: true, value: hit.value };
        }
      } catch (err) {
        this.#report(err as CacheError);
        break;
      }
    }
    return { done: false, token: null };
  }

  // ---- entity reads ------------------------------------------------------------------------------
  async getById(id: Id, options: CallOptions = {}): Promise<T | undefined> {
    throwIfAborted(options.signal, this.entity.name);
    checkId(this.entity, id);
    return this.#read<T | undefined>(
      {
        key: this.#valueKey(id),
        guards: [this.#epochKey(), this.#itemGenKey(id)],
        creatable: [true, false],
        ttlMs: this.#ttl,
        negative: true,
        check: this.#checkItem,
        load: (signal) => this.inner.getById(id, { signal }),
      },
      options.signal,
      options.observe,
    );
  }

  async getMany(ids: readonly Id[], options: CallOptions = {}): Promise<T[]> {
    throwIfAborted(options.signal, this.entity.name);
    for (const id of ids) checkId(this.entity, id);
    const unique: Id[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const k = idKey(id);
      if (!seen.has(k)) {
        seen.add(k);
        unique.push(id);
      }
    }
    if (unique.length === 0) return [];
    const started = performance.now();
    try {
      return await this.#getMany(unique, options.signal, options.observe);
    } finally {
      this.#metrics.recordLatency(performance.now() - started);
    }
  }

  async #getMany(
    ids: Id[],
    signal: AbortSignal | undefined,
    observe: CallOptions['observe'],
  ): Promise<T[]> {
    const found = new Map<string, T | null>();
    const l1 = this.#l1Usable() ? this.#l1Entities : null;
    let rest = ids;
    if (l1) {
      rest = [];
      for (const id of ids) {
        const hit = l1.get(this.#valueKey(id));
        if (hit) {
          this.#metrics.hits++;
          this.#metrics.l1Hits++;
          found.set(idKey(id), hit.kind === 'n' ? null : (structuredClone(hit.value) as T));
        } else rest.push(id);
      }
    }
    if (rest.length > 0 && this.#bypass()) {
      this.#metrics.bypasses++;
      observe?.({ cacheHit: false, bypassed: true });
      for (const item of await this.inner.getMany(rest, { signal }))
        found.set(idKey(idOf(this.entity, item)), item);
      return this.#ordered(ids, found);
    }
    const localGen = this.#localGen;
    const readAt = this.#now();
    let tokens: (string | null)[] | null = null;
    let misses = rest;
    if (rest.length > 0) {
      // One MGET: the epoch, then each id's generation token and value.
      const keys = [this.#epochKey()];
      for (const id of rest) keys.push(this.#itemGenKey(id), this.#valueKey(id));
      try {
        const max = this.#codec.maxEntryBytes;
        const got = await race(
          this.#store.call('get', (s) => s.get(keys, max)),
          signal,
          this.entity.name,
        );
        // The generation keys are the epoch (0) and every odd index; values the even ones after 0.
        const isGen = (_: unknown, i: number) => i === 0 || i % 2 === 1;
        const raw = got.filter(isGen).map(tokenOf);
        tokens = raw.includes(false)
          ? await race(this.#replaceJunkTokens(keys.filter(isGen), raw), signal, this.entity.name)
          : (raw as (string | null)[]);
        const read = tokens;
        const bad: CacheDecodeError[] = [];
        misses = [];
        rest.forEach((id, i) => {
          const key = this.#valueKey(id);
          const itemTokens = read && [read[0] ?? null, read[1 + i] ?? null];
          const hit =
            itemTokens && this.#decode(key, got[2 + 2 * i]!, itemTokens, this.#checkItem, bad);
          if (hit && !hit.expired) {
            this.#metrics.hits++;
            found.set(idKey(id), hit.kind === 'n' ? null : (hit.value as T));
            this.#fillL1(this.#l1Entities, key, hit.kind, hit.value, localGen);
          } else {
            this.#metrics.misses++;
            misses.push(id);
          }
        });
        if (bad.length > 0) await race(this.#drop(bad), signal, this.entity.name);
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        this.#report(err as CacheError);
        this.#metrics.misses += rest.length;
      }
    }
    // One report for the batch: a hit only when every id was answered without the repository.
    observe?.({ cacheHit: misses.length === 0, l1Hit: rest.length === 0 });
    if (misses.length > 0) {
      this.#metrics.loads++;
      const loaded = await race(this.inner.getMany(misses), signal, this.entity.name);
      const byId = new Map<string, T>();
      for (const item of loaded) byId.set(idKey(idOf(this.entity, item)), item);
      for (const id of misses) found.set(idKey(id), byId.get(idKey(id)) ?? null);
      if (tokens && this.#now() - readAt <= this.#fillWindow && !this.#hasPending()) {
        await this.#fillMany(rest, tokens, misses, byId);
      }
      for (const id of misses) {
        const v = byId.get(idKey(id));
        this.#fillL1(
          this.#l1Entities,
          this.#valueKey(id),
          v === undefined ? 'n' : 'v',
          v,
          localGen,
        );
      }
    }
    return this.#ordered(ids, found);
  }

  async #fillMany(
    rest: Id[],
    tokens: (string | null)[],
    misses: Id[],
    byId: Map<string, T>,
  ): Promise<void> {
    const epoch = tokens[0] ?? null;
    const epochToken = epoch ?? freshToken();
    const guards: Guard[] = [
      epoch === null
        ? {
            key: this.#epochKey(),
            expected: null,
            create: epochToken,
            createTtlMs: GENERATION_TTL_MS,
          }
        : { key: this.#epochKey(), expected: epoch },
    ];
    const entries: FillEntry[] = [];
    const missSet = new Set(misses.map(idKey));
    rest.forEach((id, i) => {
      if (!missSet.has(idKey(id))) return;
      const ig = tokens[1 + i] ?? null;
      const item = byId.get(idKey(id));
      if (item === undefined && this.#negativeTtl === 0) return;
      const ttl = this.#ttlWithJitter(item === undefined ? this.#negativeTtl : this.#ttl);
      const bytes = this.#encode(
        this.#valueKey(id),
        item === undefined ? 'n' : 'v',
        item,
        joinTokens([epochToken, ig]),
        ttl,
      );
      if (!bytes) return;
      guards.push({ key: this.#itemGenKey(id), expected: ig });
      entries.push({ key: this.#valueKey(id), value: bytes, ttlMs: ttl + this.#grace });
    });
    if (entries.length === 0) return;
    try {
      const ok = await this.#store.call('fill', (s) => s.fill(guards, entries));
      if (ok) this.#metrics.fills += entries.length;
      else this.#metrics.fillsRejected += entries.length;
    } catch (err) {
      this.#report(err as CacheError);
    }
  }

  #ordered(ids: Id[], found: Map<string, T | null>): T[] {
    const out: T[] = [];
    for (const id of ids) {
      const v = found.get(idKey(id));
      if (v) out.push(v);
    }
    return out;
  }

  // ---- query reads -------------------------------------------------------------------------------
  /** The cache hint and hash of a spec, or null when it is not cached (no hint, or not hashable). */
  #plan(spec: SpecSource<T, unknown>): { hint: CacheHint; hash: string } | null {
    let q: QueryNode;
    try {
      q = queryOf(spec as SpecSource<unknown, unknown>);
    } catch {
      return null;
    }
    if (!q.cache) return null;
    try {
      return { hint: q.cache, hash: hashOf(q) };
    } catch {
      // Not hashable means not valid: let the repository report it.
      return null;
    }
  }

  #queryRead<R>(
    method: QueryMethod,
    spec: SpecSource<T, unknown>,
    options: CallOptions,
    check: (value: unknown) => boolean,
    load: (signal?: AbortSignal) => Promise<R>,
    extra = '',
  ): Promise<R> | null {
    const plan = this.#plan(spec);
    if (!plan) return null;
    const tags = [...new Set(plan.hint.tags)].sort();
    // Tags are part of the key: the same query under other tags has other guards.
    const tagPart =
      tags.length === 0
        ? ''
        : `:t${createHash('sha256').update(tags.join('\n')).digest('base64url').slice(0, 16)}`;
    const key = `${this.#prefix}:q:${method}:${plan.hash}${tagPart}${extra}`;
    // Query values are wrapped ({ r }) so that "no result" (first of nothing) is a cached value.
    return this.#read<{ r?: R } | undefined>(
      {
        key,
        guards: [this.#epochKey(), this.#queryGenKey(), ...tags.map((t) => this.#tagKey(t))],
        creatable: [true, true, ...tags.map(() => true)],
        ttlMs: plan.hint.ttlMs,
        negative: false,
        check: (v) => typeof v === 'object' && v !== null && check((v as { r?: unknown }).r),
        load: async (signal) => ({ r: await load(signal) }),
      },
      options.signal,
      options.observe,
    ).then((w) => w?.r as R);
  }

  #checkRows = (spec: SpecSource<T, unknown>) => {
    const projected = (() => {
      try {
        return queryOf(spec as SpecSource<unknown, unknown>).select !== null;
      } catch {
        return true;
      }
    })();
    return (rows: unknown): boolean =>
      Array.isArray(rows) &&
      (projected
        ? rows.every((r) => typeof r === 'object' && r !== null)
        : // Schema-check a sample: a value of an old shape has it in every row, and checking
          // every row of a large list on every hit would cost more than the hit saves.
          rows.every(
            (r, i) => typeof r === 'object' && r !== null && (i >= 3 || this.#checkItem(r)),
          ));
  };

  async list<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R[]> {
    throwIfAborted(options.signal, this.entity.name);
    const s = spec as SpecSource<T, unknown>;
    return (
      this.#queryRead('list', s, options, this.#checkRows(s), (signal) =>
        this.inner.list(spec, { signal }),
      ) ?? this.inner.list(spec, options)
    );
  }

  stream<R = T>(spec: SpecSource<T, R>, options: StreamOptions = {}): AsyncIterable<R> {
    // Streams are for results too large to hold, so too large to cache: straight through.
    return this.inner.stream(spec, options);
  }

  async first<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    throwIfAborted(options.signal, this.entity.name);
    const s = spec as SpecSource<T, unknown>;
    const rows = this.#checkRows(s);
    return (
      this.#queryRead(
        'first',
        s,
        options,
        (v) => v == null || rows([v]),
        (signal) => this.inner.first(spec, { signal }),
      )?.then((v) => v ?? undefined) ?? this.inner.first(spec, options)
    );
  }

  async single<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    throwIfAborted(options.signal, this.entity.name);
    const s = spec as SpecSource<T, unknown>;
    const rows = this.#checkRows(s);
    // MultipleResultsError is thrown by the load and never cached.
    return (
      this.#queryRead(
        'single',
        s,
        options,
        (v) => v == null || rows([v]),
        (signal) => this.inner.single(spec, { signal }),
      )?.then((v) => v ?? undefined) ?? this.inner.single(spec, options)
    );
  }

  async count(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<number> {
    throwIfAborted(options.signal, this.entity.name);
    return (
      this.#queryRead(
        'count',
        spec,
        options,
        (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0,
        (signal) => this.inner.count(spec, { signal }),
      ) ?? this.inner.count(spec, options)
    );
  }

  async any(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<boolean> {
    throwIfAborted(options.signal, this.entity.name);
    // Answered from the cached count when the spec is cached; straight through otherwise.
    if (!this.#plan(spec)) return this.inner.any(spec, options);
    return (await this.count(spec, options)) > 0;
  }

  async page<R = T>(spec: SpecSource<T, R>, options: PageOptions = {}): Promise<RepositoryPage<R>> {
    throwIfAborted(options.signal, this.entity.name);
    const s = spec as SpecSource<T, unknown>;
    const rows = this.#checkRows(s);
    const cursor = options.cursor ?? null;
    const extra =
      cursor === null ? '' : `:${createHash('sha256').update(cursor).digest('base64url')}`;
    return (
      this.#queryRead(
        'page',
        s,
        options,
        (v) => {
          const p = v as RepositoryPage<unknown>;
          return (
            typeof p === 'object' &&
            p !== null &&
            rows(p.items) &&
            typeof p.total === 'number' &&
            (p.cursor === null || typeof p.cursor === 'string')
          );
        },
        (signal) => this.inner.page(spec, { cursor, signal }),
        extra,
      ) ?? this.inner.page(spec, options)
    );
  }

  // ---- writes ------------------------------------------------------------------------------------
  async #write<R>(ids: Id[], write: () => Promise<R>): Promise<R> {
    const keys = ids.map((id) => this.#valueKey(id));
    this.#dropLocal(keys, false);
    let result: R;
    try {
      result = await write();
    } catch (err) {
      // Anything else (including an abort or a lost connection, whose outcome is unknown) is
      // invalidated.
      if (!leavesCacheRight(err)) await this.#invalidate(ids, { queries: true });
      throw err;
    }
    await this.#invalidate(ids, { queries: true });
    return result;
  }

  #idsOf(items: readonly T[]): Id[] {
    const ids: Id[] = [];
    for (const item of items) {
      try {
        ids.push(idOf(this.entity, item));
      } catch {
        // The repository rejects it with ValidationError; nothing to invalidate.
      }
    }
    return ids;
  }

  add(item: T, options?: CallOptions): Promise<T> {
    return this.#write(this.#idsOf([item]), () => this.inner.add(item, options));
  }

  addMany(items: readonly T[], options?: CallOptions): Promise<T[]> {
    return this.#write(this.#idsOf(items), () => this.inner.addMany(items, options));
  }

  update(item: T, options?: WriteOptions): Promise<T> {
    return this.#write(this.#idsOf([item]), () => this.inner.update(item, options));
  }

  upsert(item: T, options?: CallOptions): Promise<T> {
    return this.#write(this.#idsOf([item]), () => this.inner.upsert(item, options));
  }

  delete(id: Id, options?: WriteOptions): Promise<void> {
    const ids = typeof id === 'string' || typeof id === 'number' ? [id] : [];
    return this.#write(ids, () => this.inner.delete(id, options));
  }

  /**
   * Replaces the generation tokens of `ids` (and the query generation, tags or epoch), deletes
   * their values and tells every L1 — or, when the store cannot be reached, records all of it as
   * pending. Never throws.
   */
  async #invalidate(
    ids: readonly Id[],
    what: { queries?: boolean; tags?: readonly string[]; all?: boolean },
  ): Promise<void> {
    const keys = ids.map((id) => this.#valueKey(id));
    this.#dropLocal(keys, what.all === true);
    if (this.#hasPending()) {
      // Earlier invalidations are still owed: queue behind them and try to deliver everything
      // now (bounded by the store timeout), so the write returns with its invalidation delivered
      // whenever the store is back.
      this.#addPending(ids, what);
      await this.flushPending();
      return;
    }
    try {
      await this.#deliver(ids, what);
    } catch (err) {
      this.#report(err as CacheError);
      this.#addPending(ids, what);
      return;
    }
    this.#scheduleSecondDelete(keys);
  }

  async #deliver(
    ids: readonly Id[],
    what: { queries?: boolean; tags?: readonly string[]; all?: boolean },
  ): Promise<void> {
    const tokens = ids.map((id) => ({
      key: this.#itemGenKey(id),
      value: freshToken(),
      ttlMs: this.#itemGenTtl,
    }));
    const shared = (key: string) => ({ key, value: freshToken(), ttlMs: GENERATION_TTL_MS });
    if (what.queries) tokens.push(shared(this.#queryGenKey()));
    for (const t of what.tags ?? []) tokens.push(shared(this.#tagKey(t)));
    if (what.all) tokens.push(shared(this.#epochKey()));
    const keys = ids.map((id) => this.#valueKey(id));
    await this.#store.call('invalidate', (s) => s.write(tokens, keys));
    if (this.#l1Entities) {
      const msg: InvalidationMessage = {};
      if (what.all) msg.a = 1;
      else {
        if (keys.length > 0) msg.k = keys;
        if (what.queries || (what.tags?.length ?? 0) > 0) msg.q = 1;
      }
      await this.#store.call('publish', (s) => s.publish(this.#channel, encodeInvalidation(msg)));
      this.#metrics.published++;
    }
  }

  #addPending(
    ids: readonly Id[],
    what: { queries?: boolean; tags?: readonly string[]; all?: boolean },
  ): void {
    for (const id of ids) this.#pendingIds.add(idKey(id));
    if (what.queries || ids.length > 0) this.#pendingQueries = true;
    for (const t of what.tags ?? []) this.#pendingTags.add(t);
    if (what.all || this.#pendingIds.size > this.#maxPending) {
      this.#pendingEpoch = true;
      this.#pendingIds.clear();
    }
    this.#startFlushTimer();
  }

  /**
   * While invalidations are owed, retry delivering them every `flushRetryMs` even if this
   * instance serves no traffic: other instances may read from the store as soon as it is back.
   */
  #startFlushTimer(): void {
    if (this.#flushTimer || this.#closed || this.#flushRetry === 0) return;
    this.#flushTimer = setInterval(() => {
      if (!this.#hasPending() || this.#closed) {
        this.#stopFlushTimer();
        return;
      }
      void this.flushPending().then((done) => done && this.#stopFlushTimer());
    }, this.#flushRetry);
    this.#flushTimer.unref?.();
  }

  #stopFlushTimer(): void {
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#flushTimer = null;
  }

  flushPending(): Promise<boolean> {
    if (!this.#hasPending()) return Promise.resolve(true);
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flush(): Promise<boolean> {
    if (!this.#store.store.isReady()) return false;
    const ids = [...this.#pendingIds].map((k) =>
      k.startsWith('n:') ? Number(k.slice(2)) : k.slice(2),
    );
    const tags = [...this.#pendingTags];
    const all = this.#pendingEpoch;
    const queries = this.#pendingQueries;
    try {
      await this.#deliver(ids, { queries, tags, all });
    } catch (err) {
      this.#report(err as CacheError);
      return false;
    }
    // Only what was delivered is cleared; anything recorded meanwhile stays pending.
    for (const id of ids) this.#pendingIds.delete(idKey(id));
    for (const t of tags) this.#pendingTags.delete(t);
    if (all) this.#pendingEpoch = false;
    if (queries) this.#pendingQueries = false;
    this.#localGen++;
    if (this.#hasPending()) return this.#flush();
    return true;
  }

  #scheduleSecondDelete(keys: string[]): void {
    if (this.#secondDelete === 0 || keys.length === 0 || this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#store.call('invalidate', (s) => s.write([], keys)).catch((err) => this.#report(err));
    }, this.#secondDelete);
    timer.unref?.();
    this.#timers.add(timer);
  }

  // ---- administration ----------------------------------------------------------------------------
  async invalidate(ids: readonly Id[]): Promise<void> {
    for (const id of ids) checkId(this.entity, id);
    await this.#invalidate(ids, { queries: true });
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    await this.#invalidate([], { tags });
  }

  async invalidateAll(): Promise<void> {
    await this.#invalidate([], { all: true });
  }

  metrics(): CacheMetricsSnapshot {
    return this.#metrics.snapshot(this.pendingInvalidations);
  }

  healthCheck(
    options: { name?: string; timeoutMs?: number; tags?: readonly string[] } = {},
  ): HealthCheck {
    return {
      name: options.name ?? `cache:${this.entity.name}`,
      critical: false,
      tags: options.tags ?? ['ready'],
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      check: async () => {
        const detail = {
          breaker: this.#store.breakerState,
          pendingInvalidations: this.pendingInvalidations,
          hitRatio: this.metrics().hitRatio,
        };
        try {
          await this.#store.call('ping', (s) => s.ping());
        } catch (err) {
          return {
            status: 'degraded' as const,
            detail: { ...detail, error: (err as Error).message },
          };
        }
        if (this.#hasPending() && !(await this.flushPending())) {
          return {
            status: 'degraded' as const,
            detail: { ...detail, error: 'invalidations pending' },
          };
        }
        return { status: 'healthy' as const, detail };
      },
    };
  }

  ready(): Promise<void> {
    if (!this.#l1Entities || this.#l1Live) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopFlushTimer();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#readyWaiters.splice(0)) w();
    if (this.#subscription) {
      const stop = await this.#subscription;
      await stop();
    }
  }
}

/**
 * Puts a cache in front of `repository`. Entities (`getById`, `getMany`) are always cached;
 * query results only for specifications that carry a `cache({ ttl, tags })` hint.
 */
export function cached<T extends object>(
  repository: Repository<T>,
  options: CacheOptions,
): CachedRepository<T> {
  return new Cached(repository, options);
}
