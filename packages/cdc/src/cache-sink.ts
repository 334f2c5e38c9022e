/**
 * `cacheInvalidationSink(tables)`: a {@link ChangeSink} that drops what a change made stale from
 * `@mystira/cache`, through the cached repository's public invalidation methods, so rows changed
 * outside the SDK (the .NET App, a migration, `psql`) stop being served from the cache.
 *
 * A batch counts as handled only once its invalidations reached the cache's store: the cache
 * records an invalidation it could not deliver as pending (and bypasses itself meanwhile), so the
 * sink flushes the pending list and fails while it cannot, and the batch is retried instead of
 * being acknowledged. Invalidation is idempotent, so a change seen twice after a restart is fine.
 */
import type { ChangeBatch, ChangeSink } from './change.js';
import { CdcOptionsError, CdcSinkError } from './errors.js';
import { idsOfChange, qualifiedTable, type RowIdOf, singleColumnId } from './table-keys.js';

/**
 * What the sink needs from a cache: `CachedRepository` from `@mystira/cache` has all of it (this
 * package does not depend on the cache; anything with these members works).
 */
export interface InvalidatableCache {
  /** Drops these entities and every cached query of the entity. */
  invalidate(ids: readonly (string | number)[]): Promise<void>;
  /** Drops everything cached for the entity (used for `truncate`). */
  invalidateAll(): Promise<void>;
  /** Invalidations the cache could not deliver to its store yet. */
  readonly pendingInvalidations: number;
  /** Tries to deliver them now; resolves whether none is left. */
  flushPending(): Promise<boolean>;
}

/** One table's cache, and how its row key becomes the cache's id. */
export interface CacheTableBinding {
  /** The cached repository (or any {@link InvalidatableCache}) of the table's entity. */
  cache: InvalidatableCache;
  /**
   * The entity id of a row key. Default: the value of the key's only column (a composite key
   * needs this function). Return undefined to skip the row.
   */
  id?: RowIdOf;
}

/** Table (`schema.table`, or `table` for `public`) to cache. */
export type CacheTables = Readonly<Record<string, InvalidatableCache | CacheTableBinding>>;

const isBinding = (v: InvalidatableCache | CacheTableBinding): v is CacheTableBinding =>
  'cache' in v && typeof (v as CacheTableBinding).cache?.invalidate === 'function';

/** A sink that invalidates, for every changed row, its entity in the table's cache. */
export function cacheInvalidationSink(tables: CacheTables): ChangeSink {
  const bindings = new Map<string, Required<CacheTableBinding>>();
  for (const [table, value] of Object.entries(tables ?? {})) {
    const binding = isBinding(value) ? value : { cache: value };
    if (typeof binding.cache?.invalidate !== 'function') {
      throw new CdcOptionsError(`cacheInvalidationSink: ${table} has no cache`);
    }
    bindings.set(qualifiedTable(table), { cache: binding.cache, id: binding.id ?? singleColumnId });
  }
  if (bindings.size === 0) throw new CdcOptionsError('cacheInvalidationSink needs a table');

  return {
    async handle(batch: ChangeBatch): Promise<void> {
      const work = new Map<InvalidatableCache, { ids: Set<string | number>; all: boolean }>();
      for (const event of batch.events) {
        const binding = bindings.get(event.table);
        if (!binding) continue;
        let entry = work.get(binding.cache);
        if (!entry) {
          entry = { ids: new Set(), all: false };
          work.set(binding.cache, entry);
        }
        if (event.operation === 'truncate') {
          entry.all = true;
          continue;
        }
        for (const id of idsOfChange(event, binding.id)) entry.ids.add(id);
      }
      for (const [cache, { ids, all }] of work) {
        try {
          if (all) await cache.invalidateAll();
          else if (ids.size > 0) await cache.invalidate([...ids]);
        } catch (err) {
          throw new CdcSinkError(`invalidation failed: ${(err as Error).message}`, { cause: err });
        }
        // The cache never throws for an unreachable store: it keeps the invalidation pending.
        if (cache.pendingInvalidations > 0 && !(await cache.flushPending())) {
          throw new CdcSinkError('the cache store is unreachable: invalidations are pending');
        }
      }
    },
  };
}
