/**
 * `cached(repository, options)`: cache-aside in front of any `Repository<T>`, composed of one part
 * per job:
 *
 * - keys.ts: the key layout; generation-tokens.ts: the tokens that guard every fill
 * - local-tier.ts: the in-process L1 and its pub/sub invalidation
 * - read-through.ts (with stampede-lock.ts): single flight, locks, guarded fills
 * - this file: entity reads (getById, getMany), query reads (list, first, ..., page) and writes
 * - invalidation.ts: what a write invalidates, the pending list, flush timer, second delete
 * - stored-entries.ts: decoding and encoding entries, deleting junk
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
  type RepositoryPage,
  type StreamOptions,
  throwIfAborted,
  ValidationError,
  type WriteOptions,
} from '@mystira/repository';
import {
  type CacheHint,
  type EntityDef,
  hashQuery,
  type QueryNode,
  type SpecSource,
} from '@mystira/specification';
import { raceAbort } from './abort-race.js';
import { CacheContext } from './context.js';
import { freshToken } from './envelope.js';
import { type CacheDecodeError, type CacheError, CacheOptionsError } from './errors.js';
import { GENERATION_TTL_MS, joinTokens, tokenOf } from './generation-tokens.js';
import { Invalidator } from './invalidation.js';
import { idKey, type QueryMethod } from './keys.js';
import { LocalTier } from './local-tier.js';
import type { CacheMetricsSnapshot } from './metrics.js';
import { type CacheOptions, resolveSettings } from './options.js';
import { ReadThrough } from './read-through.js';
import type { FillEntry, Guard } from './store.js';
import { StoredEntries } from './stored-entries.js';

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

/**
 * Only a rejected input certainly leaves the cache right. A version conflict, a duplicate or a
 * missing row changed nothing either, but they say the caller's view of the row disagreed with
 * the store: the cached copy may be what misled it (another process wrote through a different
 * cache), so it is dropped as after any write, and the caller's retry reads the store.
 */
const leavesCacheRight = (err: unknown) => err instanceof ValidationError;

const hashes = new WeakMap<QueryNode, string>();
function hashOf(q: QueryNode): string {
  let h = hashes.get(q);
  if (h === undefined) {
    h = hashQuery(q);
    hashes.set(q, h);
  }
  return h;
}

class Cached<T extends object> implements CachedRepository<T> {
  readonly inner: Repository<T>;
  readonly entity: EntityDef;
  readonly #ctx: CacheContext;
  readonly #local: LocalTier;
  readonly #invalidator: Invalidator;
  readonly #entries: StoredEntries;
  readonly #readThrough: ReadThrough;

  constructor(inner: Repository<T>, options: CacheOptions) {
    if (!inner || typeof inner.getById !== 'function' || !inner.entity) {
      throw new CacheOptionsError('cached() needs a Repository<T>');
    }
    this.inner = inner;
    this.entity = inner.entity;
    this.#ctx = new CacheContext(this.entity, resolveSettings(this.entity, options));
    this.#entries = new StoredEntries(this.#ctx);
    this.#local = new LocalTier(this.#ctx);
    this.#invalidator = new Invalidator(this.#ctx, this.#local);
    this.#readThrough = new ReadThrough(this.#ctx, this.#entries, this.#local, this.#invalidator);
  }

  // ---- entity reads ----------------------------------------------------------------------------
  async getById(id: Id, options: CallOptions = {}): Promise<T | undefined> {
    const { entity, keys, settings } = this.#ctx;
    throwIfAborted(options.signal, entity.name);
    checkId(entity, id);
    return this.#readThrough.read<T | undefined>(
      {
        key: keys.value(id),
        guards: [keys.epoch(), keys.itemGeneration(id)],
        creatable: [true, false],
        ttlMs: settings.ttlMs,
        negative: true,
        check: this.#ctx.checkItem,
        load: (signal) => this.inner.getById(id, { signal }),
      },
      options.signal,
      options.observe,
    );
  }

  async getMany(ids: readonly Id[], options: CallOptions = {}): Promise<T[]> {
    const { entity } = this.#ctx;
    throwIfAborted(options.signal, entity.name);
    for (const id of ids) checkId(entity, id);
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
      this.#ctx.metrics.recordLatency(performance.now() - started);
    }
  }

  async #getMany(
    ids: Id[],
    signal: AbortSignal | undefined,
    observe: CallOptions['observe'],
  ): Promise<T[]> {
    const { entity, keys: layout, metrics, settings } = this.#ctx;
    const found = new Map<string, T | null>();
    const l1 = this.#local.usable() ? this.#local.entities : null;
    let rest = ids;
    if (l1) {
      rest = [];
      for (const id of ids) {
        const hit = l1.get(layout.value(id));
        if (hit) {
          metrics.hits++;
          metrics.l1Hits++;
          found.set(idKey(id), hit.kind === 'n' ? null : (structuredClone(hit.value) as T));
        } else rest.push(id);
      }
    }
    if (rest.length > 0 && this.#invalidator.bypass()) {
      metrics.bypasses++;
      observe?.({ cacheHit: false, bypassed: true });
      for (const item of await this.inner.getMany(rest, { signal }))
        found.set(idKey(idOf(entity, item)), item);
      return ordered(ids, found);
    }
    const localGen = this.#local.generation;
    const readAt = settings.now();
    let tokens: (string | null)[] | null = null;
    let misses = rest;
    if (rest.length > 0) {
      // One MGET: the epoch, then each id's generation token and value.
      const keys = [layout.epoch()];
      for (const id of rest) keys.push(layout.itemGeneration(id), layout.value(id));
      try {
        const max = this.#entries.maxEntryBytes;
        const got = await raceAbort(
          this.#ctx.store.call('get', (s) => s.get(keys, max)),
          signal,
          entity.name,
        );
        // The generation keys are the epoch (0) and every odd index; values the even ones after 0.
        const isGen = (_: unknown, i: number) => i === 0 || i % 2 === 1;
        const raw = got.filter(isGen).map(tokenOf);
        tokens = raw.includes(false)
          ? await raceAbort(
              this.#entries.replaceJunkTokens(keys.filter(isGen), raw),
              signal,
              entity.name,
            )
          : (raw as (string | null)[]);
        const read = tokens;
        const bad: CacheDecodeError[] = [];
        misses = [];
        rest.forEach((id, i) => {
          const key = layout.value(id);
          const itemTokens = read && [read[0] ?? null, read[1 + i] ?? null];
          const hit =
            itemTokens &&
            this.#entries.decode(key, got[2 + 2 * i]!, itemTokens, this.#ctx.checkItem, bad);
          if (hit && !hit.expired) {
            metrics.hits++;
            found.set(idKey(id), hit.kind === 'n' ? null : (hit.value as T));
            this.#local.fill(this.#local.entities, key, hit.kind, hit.value, localGen);
          } else {
            metrics.misses++;
            misses.push(id);
          }
        });
        if (bad.length > 0) await raceAbort(this.#entries.drop(bad), signal, entity.name);
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        this.#ctx.report(err as CacheError);
        metrics.misses += rest.length;
      }
    }
    // One report for the batch: a hit only when every id was answered without the repository.
    observe?.({ cacheHit: misses.length === 0, l1Hit: rest.length === 0 });
    if (misses.length > 0) {
      metrics.loads++;
      const loaded = await raceAbort(this.inner.getMany(misses), signal, entity.name);
      const byId = new Map<string, T>();
      for (const item of loaded) byId.set(idKey(idOf(entity, item)), item);
      for (const id of misses) found.set(idKey(id), byId.get(idKey(id)) ?? null);
      if (
        tokens &&
        settings.now() - readAt <= settings.fillWindowMs &&
        !this.#invalidator.hasPending()
      ) {
        await this.#fillMany(rest, tokens, misses, byId);
      }
      for (const id of misses) {
        const v = byId.get(idKey(id));
        this.#local.fill(
          this.#local.entities,
          layout.value(id),
          v === undefined ? 'n' : 'v',
          v,
          localGen,
        );
      }
    }
    return ordered(ids, found);
  }

  /** One guarded fill of the loaded misses: the epoch and each filled id's generation token. */
  async #fillMany(
    rest: Id[],
    tokens: (string | null)[],
    misses: Id[],
    byId: Map<string, T>,
  ): Promise<void> {
    const { keys: layout, metrics, settings } = this.#ctx;
    const epoch = tokens[0] ?? null;
    const epochToken = epoch ?? freshToken();
    const guards: Guard[] = [
      epoch === null
        ? {
            key: layout.epoch(),
            expected: null,
            create: epochToken,
            createTtlMs: GENERATION_TTL_MS,
          }
        : { key: layout.epoch(), expected: epoch },
    ];
    const entries: FillEntry[] = [];
    const missSet = new Set(misses.map(idKey));
    rest.forEach((id, i) => {
      if (!missSet.has(idKey(id))) return;
      const ig = tokens[1 + i] ?? null;
      const item = byId.get(idKey(id));
      if (item === undefined && settings.negativeTtlMs === 0) return;
      const ttl = this.#ctx.ttlWithJitter(
        item === undefined ? settings.negativeTtlMs : settings.ttlMs,
      );
      const bytes = this.#entries.encode(
        layout.value(id),
        item === undefined ? 'n' : 'v',
        item,
        joinTokens([epochToken, ig]),
        ttl,
      );
      if (!bytes) return;
      guards.push({ key: layout.itemGeneration(id), expected: ig });
      entries.push({ key: layout.value(id), value: bytes, ttlMs: ttl + settings.graceMs });
    });
    if (entries.length === 0) return;
    try {
      const ok = await this.#ctx.store.call('fill', (s) => s.fill(guards, entries));
      if (ok) metrics.fills += entries.length;
      else metrics.fillsRejected += entries.length;
    } catch (err) {
      this.#ctx.report(err as CacheError);
    }
  }

  // ---- query reads -----------------------------------------------------------------------------
  async list<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R[]> {
    throwIfAborted(options.signal, this.#ctx.entity.name);
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
    throwIfAborted(options.signal, this.#ctx.entity.name);
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
    throwIfAborted(options.signal, this.#ctx.entity.name);
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
    throwIfAborted(options.signal, this.#ctx.entity.name);
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
    throwIfAborted(options.signal, this.#ctx.entity.name);
    // Answered from the cached count when the spec is cached; straight through otherwise.
    if (!this.#plan(spec)) return this.inner.any(spec, options);
    return (await this.count(spec, options)) > 0;
  }

  async page<R = T>(spec: SpecSource<T, R>, options: PageOptions = {}): Promise<RepositoryPage<R>> {
    throwIfAborted(options.signal, this.#ctx.entity.name);
    const s = spec as SpecSource<T, unknown>;
    const rows = this.#checkRows(s);
    const cursor = options.cursor ?? null;
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
        cursor,
      ) ?? this.inner.page(spec, options)
    );
  }

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

  /** The read-through of a cached query, or null when the spec is not cached. */
  #queryRead<R>(
    method: QueryMethod,
    spec: SpecSource<T, unknown>,
    options: CallOptions,
    check: (value: unknown) => boolean,
    load: (signal?: AbortSignal) => Promise<R>,
    cursor: string | null = null,
  ): Promise<R> | null {
    const plan = this.#plan(spec);
    if (!plan) return null;
    const { keys } = this.#ctx;
    const tags = [...new Set(plan.hint.tags)].sort();
    // Query values are wrapped ({ r }) so that "no result" (first of nothing) is a cached value.
    return this.#readThrough
      .read<{ r?: R } | undefined>(
        {
          key: keys.query(method, plan.hash, tags, cursor),
          guards: [keys.epoch(), keys.queryGeneration(), ...tags.map((t) => keys.tag(t))],
          creatable: [true, true, ...tags.map(() => true)],
          ttlMs: plan.hint.ttlMs,
          negative: false,
          check: (v) => typeof v === 'object' && v !== null && check((v as { r?: unknown }).r),
          load: async (signal) => ({ r: await load(signal) }),
        },
        options.signal,
        options.observe,
      )
      .then((w) => w?.r as R);
  }

  /** The check of cached rows: objects, and for whole entities, a sample passing the schema. */
  #checkRows(spec: SpecSource<T, unknown>): (rows: unknown) => boolean {
    const projected = (() => {
      try {
        return queryOf(spec as SpecSource<unknown, unknown>).select !== null;
      } catch {
        return true;
      }
    })();
    const checkItem = this.#ctx.checkItem;
    return (rows: unknown): boolean =>
      Array.isArray(rows) &&
      (projected
        ? rows.every((r) => typeof r === 'object' && r !== null)
        : // Schema-check a sample: a value of an old shape has it in every row, and checking
          // every row of a large list on every hit would cost more than the hit saves.
          rows.every((r, i) => typeof r === 'object' && r !== null && (i >= 3 || checkItem(r))));
  }

  // ---- writes: the repository first, then the invalidation, before the write returns ----------
  async #write<R>(ids: Id[], write: () => Promise<R>): Promise<R> {
    this.#local.drop(
      ids.map((id) => this.#ctx.keys.value(id)),
      false,
    );
    let result: R;
    try {
      result = await write();
    } catch (err) {
      // Anything else (including an abort or a lost connection, whose outcome is unknown) is
      // invalidated.
      if (!leavesCacheRight(err)) await this.#invalidator.invalidate(ids, { queries: true });
      throw err;
    }
    await this.#invalidator.invalidate(ids, { queries: true });
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

  // ---- administration ----------------------------------------------------------------------------
  async invalidate(ids: readonly Id[]): Promise<void> {
    for (const id of ids) checkId(this.entity, id);
    await this.#invalidator.invalidate(ids, { queries: true });
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    await this.#invalidator.invalidate([], { tags });
  }

  async invalidateAll(): Promise<void> {
    await this.#invalidator.invalidate([], { all: true });
  }

  get pendingInvalidations(): number {
    return this.#invalidator.pendingCount;
  }

  flushPending(): Promise<boolean> {
    return this.#invalidator.flushPending();
  }

  metrics(): CacheMetricsSnapshot {
    return this.#ctx.metrics.snapshot(this.pendingInvalidations);
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
          breaker: this.#ctx.store.breakerState,
          pendingInvalidations: this.pendingInvalidations,
          hitRatio: this.metrics().hitRatio,
        };
        try {
          await this.#ctx.store.call('ping', (s) => s.ping());
        } catch (err) {
          return {
            status: 'degraded' as const,
            detail: { ...detail, error: (err as Error).message },
          };
        }
        if (this.#invalidator.hasPending() && !(await this.flushPending())) {
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
    return this.#local.ready();
  }

  async close(): Promise<void> {
    this.#invalidator.close();
    await this.#local.close();
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

/** The found entities in the order of `ids`, without the ones not found. */
function ordered<T>(ids: Id[], found: Map<string, T | null>): T[] {
  const out: T[] = [];
  for (const id of ids) {
    const v = found.get(idKey(id));
    if (v) out.push(v);
  }
  return out;
}
