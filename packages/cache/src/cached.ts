/**
 * `cached(repository, options)`: cache-aside in front of any `Repository<T>`, composed of one part
 * per job:
 *
 * - keys.ts: the key layout; generation-tokens.ts: the tokens that guard every fill
 * - local-tier.ts: the in-process L1 and its pub/sub invalidation
 * - read-through.ts (with stampede-lock.ts): single flight, locks, guarded fills
 * - entity-reads.ts (getById, getMany) and query-reads.ts (list, first, ..., page)
 * - invalidation.ts: what a write invalidates, the pending list, flush timer, second delete
 * - stored-entries.ts: decoding and encoding entries, deleting junk
 * - cache-controls.ts: metrics, pending invalidations, health check, ready and close (as keyCache's)
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
import {
  type CallOptions,
  checkId,
  type Id,
  idOf,
  type PageOptions,
  type Repository,
  type RepositoryPage,
  runAggregate,
  type StreamOptions,
  ValidationError,
  type WriteOptions,
} from '@mystira/repository';
import type { AggregateSource, EntityDef, SpecSource } from '@mystira/specification';
import { type CacheControls, ControlledCache } from './cache-controls.js';
import { CacheContext } from './context.js';
import {
  entityEverything,
  entityInvalidation,
  type InvalidationScope,
} from './entity-invalidation.js';
import { EntityReads } from './entity-reads.js';
import { CacheError, CacheOptionsError } from './errors.js';
import { Invalidator } from './invalidation.js';
import { LocalTier } from './local-tier.js';
import { type CacheOptions, resolveSettings } from './options.js';
import { QueryReads } from './query-reads.js';
import { ReadThrough } from './read-through.js';
import { StoredEntries } from './stored-entries.js';

/** What `cached()` returns: the repository, plus cache administration. */
export interface CachedRepository<T extends object> extends Repository<T>, CacheControls {
  /** The repository behind the cache. */
  readonly inner: Repository<T>;
  /** Drops these entities (and every cached query of the entity), e.g. after an out-of-band change. */
  invalidate(ids: readonly Id[]): Promise<void>;
  /** Drops every cached query carrying one of these tags (see `Specification.cache({ tags })`). */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** Drops everything cached for this entity (one epoch bump; old keys expire by TTL). */
  invalidateAll(): Promise<void>;
}

/**
 * Only a rejected input certainly leaves the cache right. A version conflict, a duplicate or a
 * missing row changed nothing either, but they say the caller's view of the row disagreed with
 * the store: the cached copy may be what misled it (another process wrote through a different
 * cache), so it is dropped as after any write, and the caller's retry reads the store.
 */
const leavesCacheRight = (err: unknown) => err instanceof ValidationError;

class Cached<T extends object> extends ControlledCache implements CachedRepository<T> {
  readonly inner: Repository<T>;
  readonly entity: EntityDef;
  readonly #ctx: CacheContext;
  readonly #local: LocalTier;
  readonly #invalidator: Invalidator;
  readonly #entities: EntityReads<T>;
  readonly #queries: QueryReads<T>;

  constructor(inner: Repository<T>, options: CacheOptions) {
    if (!inner || typeof inner.getById !== 'function' || !inner.entity) {
      throw new CacheOptionsError('cached() needs a Repository<T>');
    }
    const ctx = new CacheContext(inner.entity, resolveSettings(inner.entity, options));
    const local = new LocalTier(ctx);
    const invalidator = new Invalidator(ctx, local, () => entityEverything(ctx));
    super({ ctx, local, invalidator, healthName: `cache:${inner.entity.name}` });
    this.inner = inner;
    this.entity = inner.entity;
    this.#ctx = ctx;
    this.#local = local;
    this.#invalidator = invalidator;
    const entries = new StoredEntries(this.#ctx, {
      sizeCheckedReads: options.sizeCheckedReads ?? true,
    });
    const readThrough = new ReadThrough(this.#ctx, entries, this.#local, this.#invalidator);
    this.#entities = new EntityReads(inner, this.#ctx, {
      entries,
      local: this.#local,
      invalidator: this.#invalidator,
      readThrough,
    });
    this.#queries = new QueryReads(inner, this.#ctx, readThrough);
  }

  // ---- reads -------------------------------------------------------------------------------------
  getById(id: Id, options?: CallOptions): Promise<T | undefined> {
    return this.#entities.getById(id, options);
  }

  getMany(ids: readonly Id[], options?: CallOptions): Promise<T[]> {
    return this.#entities.getMany(ids, options);
  }

  list<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R[]> {
    return this.#queries.list(spec, options);
  }

  stream<R = T>(spec: SpecSource<T, R>, options?: StreamOptions): AsyncIterable<R> {
    return this.#queries.stream(spec, options);
  }

  first<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R | undefined> {
    return this.#queries.first(spec, options);
  }

  single<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R | undefined> {
    return this.#queries.single(spec, options);
  }

  count(spec: SpecSource<T, unknown>, options?: CallOptions): Promise<number> {
    return this.#queries.count(spec, options);
  }

  any(spec: SpecSource<T, unknown>, options?: CallOptions): Promise<boolean> {
    return this.#queries.any(spec, options);
  }

  page<R = T>(spec: SpecSource<T, R>, options?: PageOptions): Promise<RepositoryPage<R>> {
    return this.#queries.page(spec, options);
  }
  /**
   * Runs the aggregate on the wrapped repository: aggregates are not cached (a grouped answer
   * is read rarely and would be invalidated by every write of the entity).
   */
  aggregate<R>(spec: AggregateSource<T, R>, options?: CallOptions): Promise<R> {
    return runAggregate(this.inner, spec, options);
  }

  #invalidate(ids: readonly Id[], scope: InvalidationScope): Promise<void> {
    return this.#invalidator.invalidate(entityInvalidation(this.#ctx, ids, scope));
  }

  // ---- writes: the repository first, then the invalidation, before the write returns ----------
  /** `refresh`: the write leaves the item in the repository (not a delete), worth reloading. */
  async #write<R>(ids: Id[], write: () => Promise<R>, refresh = false): Promise<R> {
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
      if (!leavesCacheRight(err)) await this.#invalidate(ids, { queries: true });
      throw err;
    }
    await this.#invalidate(ids, { queries: true });
    if (refresh && ids.length === 1 && this.#ctx.settings.refreshAfterWrite) {
      // In the background, after the invalidation: the write's latency stays one invalidation,
      // and readers arriving before the refill join the refresh's load (same generation tokens).
      // Store failures were already reported by the read; a failed load is the next reader's to
      // see (and retry), not the writer's.
      this.#entities.refresh(ids[0]!).catch((err) => {
        if (err instanceof CacheError) this.#ctx.report(err);
      });
    }
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
    return this.#write(this.#idsOf([item]), () => this.inner.add(item, options), true);
  }

  addMany(items: readonly T[], options?: CallOptions): Promise<T[]> {
    return this.#write(this.#idsOf(items), () => this.inner.addMany(items, options));
  }

  update(item: T, options?: WriteOptions): Promise<T> {
    return this.#write(this.#idsOf([item]), () => this.inner.update(item, options), true);
  }

  upsert(item: T, options?: CallOptions): Promise<T> {
    return this.#write(this.#idsOf([item]), () => this.inner.upsert(item, options), true);
  }

  delete(id: Id, options?: WriteOptions): Promise<void> {
    const ids = typeof id === 'string' || typeof id === 'number' ? [id] : [];
    return this.#write(ids, () => this.inner.delete(id, options));
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
