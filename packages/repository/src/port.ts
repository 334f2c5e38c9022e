/**
 * The `Repository<T>` port: what application code programs against, whatever the store (memory,
 * PostgreSQL, Cosmos DB) or decorator (cache, polyglot) behind it. Every adapter in this repo
 * passes the conformance kit (`@mystira/repository/testing`), which is the executable form of the
 * contract written here.
 */
import type { AggregateSource, EntityDef, Shape, SpecSource } from '@mystira/specification';

/** An item id: the value of the entity's id field. */
export type Id = string | number;

/**
 * An entity declared with `entity()`, whose shape names its fields: the repository factories
 * infer their item type from it (`memoryRepository(Product)` stores `Infer<typeof Product>`).
 * `never` for the wide `EntityDef`, which says nothing about the items: there the factories'
 * other overload takes the item type from the caller (`memoryRepository<ProductT>(entity)`) or
 * from the `Repository<T>` the result is assigned to, as a generic conformance `create` does.
 */
export type DeclaredEntity<S extends Shape> = string extends keyof S ? never : EntityDef<S>;

/** Options every method takes. */
export interface CallOptions {
  /**
   * Cancels the call. A read stops and rejects with `AbortedError`; a write that already reached
   * the store may or may not have taken effect (run it in a transaction to be sure).
   */
  signal?: AbortSignal;
  /**
   * Per-call observation hook: the adapter reports backend facts of THIS call (Cosmos DB request
   * charge, PostgreSQL row counts, cache hit or miss) as they become known, possibly several
   * times per call (see `CallObservation` for how values combine). Adapters check it with one
   * `?.`, so an unobserved call pays nothing. `tracedRepository` (`@mystira/repository/otel`)
   * uses it to put the facts on the call's span; anything else (a logger, a test) can too.
   * A throwing observer is the caller's bug: keep it cheap and total.
   */
  observe?: (facts: CallObservation) => void;
}

/**
 * Facts an adapter reports about one call through `CallOptions.observe`. Every field is optional:
 * each adapter reports what its backend knows. Counts (`requestCharge`, `requests`, `rowCount`)
 * are per report and add up over the reports of one call; the others replace earlier values.
 */
export interface CallObservation {
  /** Cosmos DB request units consumed (every round trip, retries included). */
  readonly requestCharge?: number;
  /** Round trips made (query pages, point operations, statements, retries). */
  readonly requests?: number;
  /** Cosmos DB activity id of the last round trip (for support tickets). */
  readonly activityId?: string;
  /** Whether a Cosmos DB query fanned out over every partition. */
  readonly crossPartition?: boolean;
  /** Rows returned or affected (PostgreSQL). */
  readonly rowCount?: number;
  /** The kind of the last SQL statement sent (`SELECT`, `INSERT`, `UPDATE`, `DELETE`). */
  readonly statement?: string;
  /** Cache lookups: whether the cache answered (L1 or store, cached "not found" included). */
  readonly cacheHit?: boolean;
  /** Cache lookups: answered from the in-process L1. */
  readonly l1Hit?: boolean;
  /** Cache lookups: the miss joined a load already in flight instead of loading. */
  readonly coalesced?: boolean;
  /** Cache lookups: the cache was skipped (store down with invalidations pending, or uncacheable). */
  readonly bypassed?: boolean;
}

/**
 * What a repository talks to, for telemetry (OpenTelemetry `db.*` attributes). Adapters over a
 * database set it; decorators (cache, polyglot) do not, so their spans are INTERNAL, not CLIENT.
 */
export interface RepositoryBackend {
  /** `db.system`: `memory`, `postgresql`, `cosmosdb`, ... */
  readonly system: string;
  /** `db.namespace`: the database (and schema), when there is one. */
  readonly namespace?: string;
  /** `db.collection.name`: the table or container. */
  readonly collection?: string;
}

/**
 * What a decorator (cache, polyglot) tells telemetry about itself, in place of a
 * {@link RepositoryBackend}: `tracedRepository` (`@mystira/repository/otel`) names its spans
 * `<name>.<operation> <entity>` and adds `spanAttributes()` to each. A decorator package sets it
 * so the port's telemetry needs no knowledge of the decorator's classes.
 */
export interface RepositoryDecorator {
  /** Span name prefix and `db.system` suffix: `polyglot` gives `polyglot.add accounts` and `mystira.polyglot`. */
  readonly name: string;
  /** Attributes added to each span of a successful call (read when the call ends), e.g. the phase. */
  spanAttributes?(): Record<string, string | number | boolean>;
}

/** Options of the optimistic-concurrency writes (`update`, `delete`). */
export interface WriteOptions extends CallOptions {
  /**
   * The version (etag) the caller read. When set, the write succeeds only if the stored item still
   * has this version; otherwise it rejects with `ConcurrencyError`. For `update`, it defaults to the
   * item's own version field (when the entity declares one), so "read, modify, update" is safe by
   * default. Pass `null` to write unconditionally.
   */
  expectedVersion?: number | null;
}

export interface StreamOptions extends CallOptions {
  /** Rows fetched per round trip (adapters that page internally). Default 500. */
  batchSize?: number;
}

export interface PageOptions extends CallOptions {
  /** The `cursor` of the previous page; absent or null for the first page. */
  cursor?: string | null;
}

/** One page of a keyset-paged query. */
export interface RepositoryPage<R> {
  /** The page's items (projected, when the spec selects). */
  readonly items: R[];
  /** Items matching the spec's `where` (paging, skip and cursor ignored), counted in the same call. */
  readonly total: number;
  /**
   * Opaque keyset cursor positioned after the last item, or null when there are no more items.
   * Keyset (not offset) paging: rows inserted or deleted before the position never shift a page,
   * so a client walking the pages sees every row that existed throughout exactly once.
   */
  readonly cursor: string | null;
}

/**
 * A typed collection of entities of one `EntityDef`.
 *
 * Versions: every stored item has a version, a positive integer that `add`/`upsert` start at 1 and
 * every successful write increments. When the entity declares a version field, the adapter keeps it
 * in that field of the returned items (whatever the caller put there is ignored on writes).
 *
 * Queries: `spec` is a `Specification` from `@mystira/specification` (or its raw `QueryNode`).
 * Every adapter answers it exactly as the specification's in-memory evaluator does: same rows,
 * same order (id tiebreaker), same counts.
 */
export interface Repository<T extends object> {
  /** The entity this repository stores. */
  readonly entity: EntityDef;
  /** The store behind it, for telemetry; absent on decorators. */
  readonly backend?: RepositoryBackend;
  /** What a decorator calls itself in telemetry; absent on adapters (see {@link RepositoryDecorator}). */
  readonly decorator?: RepositoryDecorator;

  /** The item with this id, or undefined. */
  getById(id: Id, options?: CallOptions): Promise<T | undefined>;
  /** The items with these ids that exist, in the order of `ids` (duplicates collapsed). */
  getMany(ids: readonly Id[], options?: CallOptions): Promise<T[]>;

  /** Every item matching the spec, ordered, skipped/taken and projected. */
  list<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R[]>;
  /** Like `list`, but yields items as they arrive, for results too large to hold at once. */
  stream<R = T>(spec: SpecSource<T, R>, options?: StreamOptions): AsyncIterable<R>;
  /** The first item in the spec's order (after skip), or undefined. */
  first<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R | undefined>;
  /**
   * The only matching item, or undefined.
   * @throws MultipleResultsError (from `@mystira/specification`) when more than one matches.
   */
  single<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R | undefined>;
  /** Number of items matching the spec's `where` (order, skip, take and cursor ignored). */
  count(spec: SpecSource<T, unknown>, options?: CallOptions): Promise<number>;
  /** Whether any item matches the spec's `where`. */
  any(spec: SpecSource<T, unknown>, options?: CallOptions): Promise<boolean>;
  /**
   * One keyset page: up to `take` items (the spec must set `take`) after `cursor`, plus the total.
   * The spec's `skip` applies to the first page only.
   */
  page<R = T>(spec: SpecSource<T, R>, options?: PageOptions): Promise<RepositoryPage<R>>;

  /**
   * Runs an aggregate (`spec(E).groupBy(...).aggregate(...)`, `.count()`, `.sum(f)`,
   * `.distinct(f)`) over the items its `where` selects, by the rules of `@mystira/specification`
   * (the same answer as `evaluateAggregate` over the items). Optional: the memory, PostgreSQL and
   * Cosmos DB adapters have it; a decorator or adapter without it is refused clearly by
   * `runAggregate(repository, spec)`. @throws ValidationError for a spec the entity cannot run.
   */
  aggregate?<R>(spec: AggregateSource<T, R>, options?: CallOptions): Promise<R>;

  /**
   * Stores a new item with version 1 and returns it as stored.
   * @throws AlreadyExistsError when the id exists. @throws ValidationError when the item does not fit the schema.
   */
  add(item: T, options?: CallOptions): Promise<T>;
  /** Stores several new items atomically (all or none). @throws AlreadyExistsError, ValidationError */
  addMany(items: readonly T[], options?: CallOptions): Promise<T[]>;
  /**
   * Replaces an existing item, checking its version (see `WriteOptions.expectedVersion`), and
   * returns it with the incremented version.
   * @throws NotFoundError when the id does not exist. @throws ConcurrencyError when the version is stale.
   */
  update(item: T, options?: WriteOptions): Promise<T>;
  /** Inserts or replaces unconditionally (no version check); the version starts at 1 or increments. */
  upsert(item: T, options?: CallOptions): Promise<T>;
  /**
   * Deletes the item, checking `expectedVersion` when given.
   * @throws NotFoundError when the id does not exist. @throws ConcurrencyError when the version is stale.
   */
  delete(id: Id, options?: WriteOptions): Promise<void>;
}
