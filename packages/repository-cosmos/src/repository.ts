/**
 * `Repository<T>` on an Azure Cosmos DB container (`@azure/cosmos`).
 *
 * Reads and writes are partition-key aware: point reads/writes when the partition key is known
 * (the id, or the item's partition key field), queries pinned to one partition when the filter
 * fixes the partition key, cross-partition otherwise (reported to `onCrossPartitionQuery`).
 * Versions are kept in the document and checked with the document's `_etag` (`If-Match`), so
 * "read, modify, update" is safe against concurrent writers.
 *
 * The class composes the parts that do the work: round-trips.ts (retry, deadline, RU metering),
 * queries.ts with plan.ts (specification reads), writes.ts (one item), bulk.ts (many items).
 */
import type { SqlQuerySpec } from '@azure/cosmos';
import {
  type CallOptions,
  checkId,
  type DeclaredEntity,
  defaultCursorCodec,
  type Id,
  type PageOptions,
  pageQuery,
  pageVia,
  type Repository,
  type RepositoryBackend,
  type RepositoryPage,
  type StreamOptions,
  throwIfAborted,
} from '@mystira/repository';
import {
  type AggregateSource,
  type EntityDef,
  type InferShape,
  MultipleResultsError,
  projector,
  type QueryNode,
  type Shape,
  type SpecSource,
} from '@mystira/specification';
import { BulkWrites, type CosmosBulkOperation, type CosmosBulkResult } from './bulk.js';
import { mapCosmosError } from './errors.js';
import { type Doc, docMapping } from './mapping.js';
import type {
  CosmosCallOptions,
  CosmosEntry,
  CosmosRepositoryOptions,
  CosmosWriteOptions,
} from './options.js';
import { type CapabilityProfile, resolveProfile } from './profile.js';
import { QueryRunner } from './queries.js';
import { RoundTrips } from './round-trips.js';
import { ItemWrites } from './writes.js';

/** A `Repository<T>` over a Cosmos DB container. */
export class CosmosRepository<T extends object> implements Repository<T> {
  readonly entity: EntityDef;
  /** The container the repository reads and writes. */
  readonly container: CosmosRepositoryOptions['container'];
  /** The capabilities its queries are compiled for. */
  readonly profile: CapabilityProfile;
  readonly backend: RepositoryBackend;
  readonly #trips: RoundTrips;
  readonly #queries: QueryRunner<T>;
  readonly #writes: ItemWrites<T>;
  readonly #bulk: BulkWrites<T>;

  constructor(entity: EntityDef, options: CosmosRepositoryOptions) {
    this.entity = entity;
    this.container = options.container;
    this.backend = {
      system: 'cosmosdb',
      namespace: options.container.database.id,
      collection: options.container.id,
    };
    this.profile = resolveProfile(options.profile);
    this.#trips = new RoundTrips(entity, docMapping(entity), options);
    this.#queries = new QueryRunner<T>(this.#trips, {
      profile: this.profile,
      pageSize: options.pageSize ?? 500,
      maxInMemoryRows: options.maxInMemoryRows ?? 50_000,
      cursors: options.cursors ?? defaultCursorCodec(),
    });
    this.#writes = new ItemWrites<T>(this.#trips);
    this.#bulk = new BulkWrites<T>(this.#trips, this.profile.atomicBatch);
  }

  /** The caller's view of a document (the version field, when declared, is part of the item). */
  #out(doc: Record<string, unknown>): T {
    return this.#trips.map.fromDoc<T>(doc).item;
  }

  // ---- reads -----------------------------------------------------------------------------------

  async getById(id: Id, options: CosmosCallOptions = {}): Promise<T | undefined> {
    return this.#trips.call('getById', options, async (m) => {
      const doc = await this.#trips.readDoc(
        m,
        checkId(this.entity, id),
        options.partitionKey,
        options.signal,
      );
      return doc ? this.#out(doc) : undefined;
    });
  }

  /** The item with its version and `_etag`, or undefined. */
  async getEntry(id: Id, options: CosmosCallOptions = {}): Promise<CosmosEntry<T> | undefined> {
    return this.#trips.call('getEntry', options, async (m) => {
      const doc = await this.#trips.readDoc(
        m,
        checkId(this.entity, id),
        options.partitionKey,
        options.signal,
      );
      return doc ? this.#trips.map.fromDoc<T>(doc) : undefined;
    });
  }

  async getMany(ids: readonly Id[], options: CallOptions = {}): Promise<T[]> {
    return this.#trips.call('getMany', options, async (m) => {
      const map = this.#trips.map;
      const unique = [
        ...new Map(ids.map((id) => [`${typeof id}:${checkId(this.entity, id)}`, id])).values(),
      ];
      if (unique.length === 0) return [];
      const found = new Map<string, T>();
      // One query per 256 ids (ARRAY_CONTAINS over a parameter array) instead of N point reads.
      for (let i = 0; i < unique.length; i += 256) {
        const chunk = unique.slice(i, i + 256).map((id) => map.docId(id));
        const spec: SqlQuerySpec = {
          query: 'SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.id)',
          parameters: [{ name: '@ids', value: chunk }],
        };
        for await (const page of this.#trips.pages<Doc>(m, 'getMany', spec, {
          partitionKey: undefined,
          batchSize: 256,
          signal: options.signal,
        })) {
          for (const doc of page) found.set(doc.id, this.#out(doc));
        }
      }
      return unique.flatMap((id) => {
        const item = found.get(map.docId(id));
        return item ? [item] : [];
      });
    });
  }

  async list<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R[]> {
    return this.#trips.call('list', options, (m) =>
      this.#queries.collect<R>(m, 'list', this.#queries.bind(spec), options.signal),
    );
  }

  async *stream<R = T>(spec: SpecSource<T, R>, options: StreamOptions = {}): AsyncIterable<R> {
    throwIfAborted(options.signal, this.entity.name);
    const query = this.#queries.bind(spec);
    const project = projector(query.select);
    const meter = this.#trips.meter();
    let failed = false;
    try {
      for await (const item of this.#queries.window(meter, 'stream', query, options)) {
        throwIfAborted(options.signal, this.entity.name);
        yield project(item) as R;
      }
    } catch (err) {
      failed = true;
      throw mapCosmosError(err, { entity: this.entity.name, signal: options.signal });
    } finally {
      this.#trips.report(meter, 'stream', options, failed);
    }
  }

  async first<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    return this.#trips.call('first', options, async (m) => {
      const q = this.#queries.bind(spec);
      const limited = { ...q, take: q.take === 0 ? 0 : 1 };
      return (await this.#queries.collect<R>(m, 'first', limited, options.signal))[0];
    });
  }

  async single<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    return this.#trips.call('single', options, async (m) => {
      const q = this.#queries.bind(spec);
      const limited = { ...q, take: q.take === 0 ? 0 : 2 };
      const rows = await this.#queries.collect<R>(m, 'single', limited, options.signal);
      if (rows.length > 1) throw new MultipleResultsError();
      return rows[0];
    });
  }

  async count(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<number> {
    return this.#trips.call('count', options, (m) =>
      this.#queries.count(m, 'count', this.#queries.bind(spec), options.signal),
    );
  }

  async any(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<boolean> {
    return this.#trips.call('any', options, async (m) => {
      const q = this.#queries.bind(spec);
      const probe: QueryNode = { ...q, after: null, orderBy: [], skip: 0, take: 1, select: null };
      for await (const _ of this.#queries.window(m, 'any', probe, {
        signal: options.signal,
        batchSize: 1,
      }))
        return true;
      return false;
    });
  }

  /**
   * An aggregate: one GROUP BY query on the `azure` profile where that is exact, else the matching
   * rows streamed into the specification's in-memory aggregation (see aggregate.ts).
   */
  async aggregate<R>(spec: AggregateSource<T, R>, options: CallOptions = {}): Promise<R> {
    return this.#trips.call('aggregate', options, (m) =>
      this.#queries.aggregate<R>(m, 'aggregate', this.#queries.bindAggregate(spec), options.signal),
    );
  }

  async page<R = T>(spec: SpecSource<T, R>, options: PageOptions = {}): Promise<RepositoryPage<R>> {
    return this.#trips.call('page', options, async (m) => {
      const q = this.#queries.bind(spec);
      const cursors = this.#queries.cursors;
      const seek = pageQuery(this.entity, q, options.cursor ?? null, cursors);
      return pageVia<T, R>(this.entity, q, seek, cursors, {
        fetch: (query) => this.#queries.collect<T>(m, 'page', query, options.signal),
        count: (query) => this.#queries.count(m, 'page', query, options.signal),
      });
    });
  }

  // ---- writes ----------------------------------------------------------------------------------

  async add(item: T, options: CallOptions = {}): Promise<T> {
    return this.#trips.call('add', options, (m) => this.#writes.add(m, item, options));
  }

  async addMany(items: readonly T[], options: CallOptions = {}): Promise<T[]> {
    return this.#trips.call('addMany', options, (m) =>
      this.#bulk.addMany(m, items, options.signal),
    );
  }

  /**
   * Runs create/delete operations with the SDK's bulk API (100 per request), retrying throttled
   * operations (429/449) after the wait the server asked for. Not atomic: each operation
   * succeeds or fails on its own (use `addMany` for all-or-none).
   */
  async bulk(
    operations: readonly CosmosBulkOperation<T>[],
    options: CallOptions = {},
  ): Promise<CosmosBulkResult<T>[]> {
    return this.#trips.call('bulk', options, (m) => this.#bulk.run(m, operations, options.signal));
  }

  async update(item: T, options: CosmosWriteOptions = {}): Promise<T> {
    return this.#trips.call('update', options, (m) => this.#writes.update(m, item, options));
  }

  async upsert(item: T, options: CallOptions = {}): Promise<T> {
    return this.#trips.call('upsert', options, (m) => this.#writes.upsert(m, item, options));
  }

  async delete(id: Id, options: CosmosWriteOptions = {}): Promise<void> {
    return this.#trips.call('delete', options, (m) => this.#writes.delete(m, id, options));
  }
}

/**
 * Creates a repository for `entity` on `options.container`, of the entity's item type or of the
 * `T` named (see `DeclaredEntity` in `@mystira/repository`).
 */
export function cosmosRepository<S extends Shape>(
  entity: DeclaredEntity<S>,
  options: CosmosRepositoryOptions,
): CosmosRepository<InferShape<S>>;
export function cosmosRepository<T extends object>(
  entity: EntityDef,
  options: CosmosRepositoryOptions,
): CosmosRepository<T>;
export function cosmosRepository(
  entity: EntityDef,
  options: CosmosRepositoryOptions,
): CosmosRepository<object> {
  return new CosmosRepository(entity, options);
}
