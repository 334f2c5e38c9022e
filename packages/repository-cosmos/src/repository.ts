/**
 * `Repository<T>` on an Azure Cosmos DB container (`@azure/cosmos`).
 *
 * Reads and writes are partition-key aware: point reads/writes when the partition key is known
 * (the id, or the item's partition key field), queries pinned to one partition when the filter
 * fixes the partition key, cross-partition otherwise (reported to `onCrossPartitionQuery`).
 * Versions are kept in the document and checked with the document's `_etag` (`If-Match`), so
 * "read, modify, update" is safe against concurrent writers. Every SDK call goes through a
 * `@mystira/resilience` retry that honours `x-ms-retry-after-ms` on 429/449 (and 503 for reads);
 * the SDK's own retries are off (see `cosmosClient`) so there is one retry loop, not two.
 * Request charges (RU) are summed per repository call and reported to `onRequest`.
 */
import type { Container, ItemDefinition, OperationInput, SqlQuerySpec } from '@azure/cosmos';
import {
  AbortedError,
  AlreadyExistsError,
  bindQuery,
  type CallObservation,
  type CallOptions,
  ConcurrencyError,
  type CursorCodec,
  checkId,
  type DeclaredEntity,
  defaultCursorCodec,
  expectedVersionOf,
  type Id,
  idOf,
  NotFoundError,
  type PageOptions,
  pageQuery,
  pageVia,
  prepareForWrite,
  queryOf,
  type Repository,
  type RepositoryBackend,
  type RepositoryPage,
  type StreamOptions,
  specErrors,
  throwIfAborted,
  UnavailableError,
  type WriteOptions,
} from '@mystira/repository';
import {
  cosmosHadNoEffect,
  isTransientCosmos,
  isTransientNetwork,
  networkHadNoEffect,
  type RetryOptions,
  type RetryPolicy,
  retry,
} from '@mystira/resilience';
import {
  type EntityDef,
  type InferShape,
  MultipleResultsError,
  projector,
  type QueryNode,
  type Shape,
  type SpecSource,
} from '@mystira/specification';
import { type CosmosQueryPlan, compileQuery } from './compiler.js';
import { ReadDeadline, withDeadline } from './deadline.js';
import { mapCosmosError } from './errors.js';
import { type Doc, type DocMapping, docMapping } from './mapping.js';
import { runPlan } from './plan.js';
import { type CapabilityProfile, resolveProfile } from './profile.js';

/** One repository call's cost, reported to `onRequest`. */
export interface CosmosRequestEvent {
  /** The entity. */
  readonly entity: string;
  /** The repository method (`getById`, `list`, `update`, ...). */
  readonly operation: string;
  /** Request units consumed by every round trip of the call (retries included). */
  readonly requestCharge: number;
  /** Round trips made (query pages, point operations, retries). */
  readonly requests: number;
  /** Whether the call ran at least one cross-partition query. */
  readonly crossPartition: boolean;
  /** True when the call failed (the charge of the failed attempts is still reported). */
  readonly failed: boolean;
}

/** A query that fans out over every partition because the filter does not fix the partition key. */
export interface CrossPartitionEvent {
  /** The entity. */
  readonly entity: string;
  /** The repository method that runs the query. */
  readonly operation: string;
  /** The query, with its parameters. */
  readonly query: SqlQuerySpec;
}

/** Options of {@link CosmosRepository} (`cosmosRepository`). */
export interface CosmosRepositoryOptions {
  /** The container (create it with `ensureContainer`, which sets the partition key and indexes). */
  container: Container;
  /** What the server's query engine runs. Default `azure`. */
  profile?: CapabilityProfile | 'azure' | 'cosmosdb-server';
  /** Signs and checks page cursors (default: the process-wide codec). */
  cursors?: CursorCodec;
  /**
   * The retry for transient Cosmos errors (429/449 always, 408/410/503 for reads only), or false
   * to call once. Default: 6 attempts, server hints honoured, 30 s budget.
   */
  retry?: Omit<RetryOptions, 'idempotent' | 'shouldRetry'> | false;
  /** Called once per repository call with the RU charge and round trips. */
  onRequest?: (event: CosmosRequestEvent) => void;
  /** Called when a query cannot be pinned to one partition (before it runs). */
  onCrossPartitionQuery?: (event: CrossPartitionEvent) => void;
  /**
   * Most rows a query may sort in memory (bigint order keys, see the README). Above it the call
   * rejects with `UnsupportedQueryError` instead of holding an unbounded result. Default 50,000.
   */
  maxInMemoryRows?: number;
  /** Rows per query page when the caller does not say (`maxItemCount`). Default 500. */
  pageSize?: number;
  /**
   * The deadline of every read call, in ms: the most time it may spend waiting on Cosmos DB, all
   * its pages and retries together (a stream's consumer time is not counted). Past it the round
   * trip in flight is aborted and the call rejects with `UnavailableError`. Default 60,000; 0 for
   * none.
   */
  readTimeoutMs?: number;
}

/** Options of the Cosmos-specific read methods. */
export interface CosmosCallOptions extends CallOptions {
  /**
   * The item's partition key value, when the entity's partition key is not its id: makes
   * `getById`/`delete` a point operation instead of a cross-partition lookup.
   */
  partitionKey?: string | number | boolean;
}

/** Options of the Cosmos-specific writes. */
export interface CosmosWriteOptions extends WriteOptions {
  /** Write only if the stored document still has this `_etag` (from `getEntry`). */
  ifMatch?: string;
  /**
   * The item's partition key value, when the entity's partition key is not its id: spares the
   * lookup of a point operation.
   */
  partitionKey?: string | number | boolean;
}

/** An item with its storage metadata. */
export interface CosmosEntry<T> {
  /** The item. */
  readonly item: T;
  /** Its version (see `Repository`). */
  readonly version: number;
  /** The document's `_etag`, for `update(item, { ifMatch })`. */
  readonly etag: string | undefined;
}

/** One operation of `bulk`. */
export type CosmosBulkOperation<T> =
  | {
      /** Creates an item (fails if it exists). */
      readonly type: 'create';
      /** The item. */
      readonly item: T;
    }
  | {
      /** Deletes an item. */
      readonly type: 'delete';
      /** The item's id. */
      readonly id: Id;
      /** Its partition key value, when the entity's partition key is not its id. */
      readonly partitionKey?: string | number | boolean;
    };

/** The outcome of one operation of `bulk`, with the request units it cost. */
export type CosmosBulkResult<T> =
  | {
      /** The operation succeeded. */
      readonly ok: true;
      /** The created item (as stored), for a create. */
      readonly item?: T;
      /** Request units the operation cost. */
      readonly requestCharge: number;
    }
  | {
      /** The operation failed; the others still ran. */
      readonly ok: false;
      /** Why, as a repository error (e.g. `AlreadyExistsError`, `NotFoundError`). */
      readonly error: Error;
      /** Request units the operation cost. */
      readonly requestCharge: number;
    };

/** Sums the cost of one repository call, and holds its read deadline. */
class Meter {
  constructor(readonly deadline: ReadDeadline) {}
  requestCharge = 0;
  requests = 0;
  crossPartition = false;
  /** Of the last round trip (responses and errors both carry one). */
  activityId: string | undefined = undefined;
  add(charge: unknown, activityId?: unknown): void {
    this.requests++;
    const n = typeof charge === 'number' ? charge : Number(charge);
    if (Number.isFinite(n)) this.requestCharge += n;
    if (typeof activityId === 'string' && activityId !== '') this.activityId = activityId;
  }
  addError(err: unknown): void {
    const headers = (err as { headers?: Record<string, unknown> } | null)?.headers;
    this.add(headers?.['x-ms-request-charge'] ?? 0, headers?.['x-ms-activity-id']);
  }
  /** Reports the call to a `CallOptions.observe` hook. */
  report(observe: CallOptions['observe']): void {
    if (!observe) return;
    const facts: CallObservation = {
      requestCharge: this.requestCharge,
      requests: this.requests,
      crossPartition: this.crossPartition,
    };
    observe(this.activityId === undefined ? facts : { ...facts, activityId: this.activityId });
  }
}

/** A `Repository<T>` over a Cosmos DB container. */
export class CosmosRepository<T extends object> implements Repository<T> {
  readonly entity: EntityDef;
  /** The container the repository reads and writes. */
  readonly container: Container;
  /** The capabilities its queries are compiled for. */
  readonly profile: CapabilityProfile;
  readonly backend: RepositoryBackend;
  readonly #map: DocMapping;
  readonly #cursors: CursorCodec;
  readonly #readRetry: RetryPolicy | null;
  readonly #writeRetry: RetryPolicy | null;
  readonly #onRequest: CosmosRepositoryOptions['onRequest'];
  readonly #onCross: CosmosRepositoryOptions['onCrossPartitionQuery'];
  readonly #maxInMemoryRows: number;
  readonly #pageSize: number;
  readonly #readTimeoutMs: number;

  constructor(entity: EntityDef, options: CosmosRepositoryOptions) {
    this.entity = entity;
    this.container = options.container;
    this.backend = {
      system: 'cosmosdb',
      namespace: options.container.database.id,
      collection: options.container.id,
    };
    this.profile = resolveProfile(options.profile);
    this.#map = docMapping(entity);
    this.#cursors = options.cursors ?? defaultCursorCodec();
    // Reads repeat safely on 408/410/429/449/503 and network errors; writes only when the request
    // certainly did not run (429/449, a refused connection): a 503 write may have been applied.
    const shouldRetry = (err: unknown, ctx: { idempotent?: boolean }) =>
      isTransientCosmos(err, ctx) ||
      isTransientNetwork(err, ctx) ||
      cosmosHadNoEffect(err) ||
      networkHadNoEffect(err);
    const base: RetryOptions = {
      maxAttempts: 6,
      name: `cosmos:${entity.name}`,
      ...(options.retry || {}),
    };
    this.#readRetry =
      options.retry === false ? null : retry({ ...base, idempotent: true, shouldRetry });
    this.#writeRetry =
      options.retry === false ? null : retry({ ...base, idempotent: false, shouldRetry });
    this.#onRequest = options.onRequest;
    this.#onCross = options.onCrossPartitionQuery;
    this.#maxInMemoryRows = options.maxInMemoryRows ?? 50_000;
    this.#pageSize = options.pageSize ?? 500;
    this.#readTimeoutMs = options.readTimeoutMs ?? 60_000;
  }

  #meter(): Meter {
    return new Meter(new ReadDeadline(this.#readTimeoutMs, this.entity.name));
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /** Runs one repository call: meters it, maps errors, reports the charge. */
  async #call<R>(
    operation: string,
    options: CallOptions,
    fn: (m: Meter) => Promise<R>,
  ): Promise<R> {
    const signal = options.signal;
    throwIfAborted(signal, this.entity.name);
    const meter = this.#meter();
    let failed = false;
    try {
      return await fn(meter);
    } catch (err) {
      failed = true;
      throw mapCosmosError(err, { entity: this.entity.name, signal });
    } finally {
      meter.report(options.observe);
      this.#onRequest?.({
        entity: this.entity.name,
        operation,
        requestCharge: meter.requestCharge,
        requests: meter.requests,
        crossPartition: meter.crossPartition,
        failed,
      });
    }
  }

  /**
   * One SDK round trip under the retry policy; the charge of every attempt is metered. A read
   * (`idempotent`) runs against the call's deadline: its SDK call must take `withDeadline`'s
   * signal so the deadline can abort it.
   */
  async #send<R extends { requestCharge?: number }>(
    meter: Meter,
    idempotent: boolean,
    signal: AbortSignal | undefined,
    fn: () => Promise<R>,
  ): Promise<R> {
    const once = async () => {
      try {
        const r = await fn();
        meter.add(r.requestCharge, (r as { activityId?: unknown }).activityId);
        return r;
      } catch (err) {
        meter.addError(err);
        throw err;
      }
    };
    const policy = idempotent ? this.#readRetry : this.#writeRetry;
    const run = (s: AbortSignal | undefined) => (policy ? policy.execute(once, s) : once());
    try {
      return idempotent
        ? await meter.deadline.run(() => run(withDeadline(signal, meter.deadline)))
        : await run(signal);
    } catch (err) {
      if (signal?.aborted)
        throw new AbortedError('the operation was aborted', {
          entity: this.entity.name,
          cause: signal.reason,
        });
      if (meter.deadline.expired) throw meter.deadline.error(err);
      throw err;
    }
  }

  #bind(spec: SpecSource<unknown, unknown>): QueryNode {
    return specErrors(this.entity.name, () => bindQuery(this.entity, queryOf(spec)));
  }

  #plan(query: QueryNode): CosmosQueryPlan {
    return specErrors(this.entity.name, () =>
      compileQuery(query, {
        profile: this.profile,
        entity: this.entity,
        storedPath: this.#map.storedPath,
        partitionKey: this.#map.partitionKeyField ?? [this.entity.id],
      }),
    );
  }

  #item(doc: Record<string, unknown>): T {
    return this.#map.fromDoc<T>(doc).item;
  }

  /** The caller's view of a document (the version field, when declared, is part of the item). */
  #out(doc: Record<string, unknown>): T {
    return this.#map.fromDoc<T>(doc).item;
  }

  /**
   * Pages of one server query, drained through continuation tokens. Pages may be short or empty
   * while more remain (cross-partition fan-out, RU-bounded pages), so only `hasMoreResults`
   * decides the end.
   */
  async *#pages(
    meter: Meter,
    operation: string,
    plan: CosmosQueryPlan,
    spec: SqlQuerySpec,
    batchSize: number,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<Record<string, unknown>[]> {
    // When the document id is the partition key, its value is the id as a string.
    const partitionKey =
      plan.partitionKey === undefined || this.#map.partitionKeyField
        ? plan.partitionKey
        : String(plan.partitionKey);
    if (partitionKey === undefined) {
      meter.crossPartition = true;
      this.#onCross?.({ entity: this.entity.name, operation, query: spec });
    }
    const iterator = this.container.items.query<Record<string, unknown>>(spec, {
      maxItemCount: batchSize,
      ...(partitionKey === undefined ? {} : { partitionKey }),
      abortSignal: withDeadline(signal, meter.deadline),
    });
    while (iterator.hasMoreResults()) {
      throwIfAborted(signal, this.entity.name);
      const page = await this.#send(meter, true, signal, () => iterator.fetchNext());
      if (page.resources && page.resources.length > 0) yield page.resources;
      if (!page.hasMoreResults && !page.continuationToken) break;
    }
  }

  /**
   * The rows of a plan in final order, before skip/take (see `runPlan`). `limit` (skip + take)
   * lets exact plans push `TOP` to the server.
   */
  #rows(
    meter: Meter,
    operation: string,
    plan: CosmosQueryPlan,
    options: { batchSize?: number; signal?: AbortSignal; limit?: number },
  ): AsyncGenerator<T> {
    return runPlan<T>(plan, {
      fetch: (part, top, batchSize) =>
        this.#pages(meter, operation, plan, part.sql(top), batchSize, options.signal),
      toItem: (doc) => this.#item(doc),
      batchSize: Math.max(1, Math.min(options.batchSize ?? this.#pageSize, 1000)),
      limit: options.limit,
      maxInMemoryRows: this.#maxInMemoryRows,
      entity: this.entity.name,
    });
  }

  /** The window (skip/take) of a bound query's rows, whole items. */
  async *#window(
    meter: Meter,
    operation: string,
    query: QueryNode,
    options: { batchSize?: number; signal?: AbortSignal },
  ): AsyncGenerator<T> {
    if (query.take === 0) return;
    const plan = this.#plan(query);
    const skip = plan.query.skip;
    const take = plan.query.take;
    const limit = take === null ? undefined : skip + take;
    let index = 0;
    for await (const item of this.#rows(meter, operation, plan, { ...options, limit })) {
      if (index++ < skip) continue;
      yield item;
      if (limit !== undefined && index >= limit) return;
    }
  }

  async #collect<R>(
    meter: Meter,
    operation: string,
    query: QueryNode,
    signal: AbortSignal | undefined,
  ): Promise<R[]> {
    const project = projector(query.select);
    const out: R[] = [];
    for await (const item of this.#window(meter, operation, query, { signal }))
      out.push(project(item) as R);
    return out;
  }

  async #count(
    meter: Meter,
    operation: string,
    query: QueryNode,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const countQuery: QueryNode = {
      ...query,
      after: null,
      orderBy: [],
      skip: 0,
      take: null,
      select: null,
    };
    const plan = this.#plan(countQuery);
    if (plan.countExact) {
      let total = 0;
      for await (const docs of this.#pages(
        meter,
        operation,
        plan,
        plan.count,
        this.#pageSize,
        signal,
      )) {
        for (const n of docs as unknown as number[]) total += typeof n === 'number' ? n : 0;
      }
      return total;
    }
    let n = 0;
    for await (const _ of this.#rows(meter, operation, plan, { signal })) n++;
    return n;
  }

  async #readDoc(
    meter: Meter,
    id: Id,
    partitionKey: string | number | boolean | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Doc | undefined> {
    const docId = this.#map.docId(id);
    const pk = partitionKey ?? (this.#map.partitionKeyField ? undefined : docId);
    if (pk === undefined) {
      // The partition key is another field and the caller did not give it: find the document.
      meter.crossPartition = true;
      const spec: SqlQuerySpec = {
        query: 'SELECT * FROM c WHERE c.id = @id',
        parameters: [{ name: '@id', value: docId }],
      };
      this.#onCross?.({ entity: this.entity.name, operation: 'lookup', query: spec });
      const it = this.container.items.query<Doc>(spec, {
        abortSignal: withDeadline(signal, meter.deadline),
      });
      while (it.hasMoreResults()) {
        const page = await this.#send(meter, true, signal, () => it.fetchNext());
        if (page.resources?.[0]) return page.resources[0];
      }
      return undefined;
    }
    const res = await this.#send(meter, true, signal, () =>
      this.container
        .item(docId, pk)
        .read<Doc>({ abortSignal: withDeadline(signal, meter.deadline) }),
    );
    return res.statusCode === 404 ? undefined : res.resource;
  }

  // ---- reads -----------------------------------------------------------------------------------

  async getById(id: Id, options: CosmosCallOptions = {}): Promise<T | undefined> {
    return this.#call('getById', options, async (m) => {
      const doc = await this.#readDoc(
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
    return this.#call('getEntry', options, async (m) => {
      const doc = await this.#readDoc(
        m,
        checkId(this.entity, id),
        options.partitionKey,
        options.signal,
      );
      return doc ? this.#map.fromDoc<T>(doc) : undefined;
    });
  }

  async getMany(ids: readonly Id[], options: CallOptions = {}): Promise<T[]> {
    return this.#call('getMany', options, async (m) => {
      const unique = [
        ...new Map(ids.map((id) => [`${typeof id}:${checkId(this.entity, id)}`, id])).values(),
      ];
      if (unique.length === 0) return [];
      const found = new Map<string, T>();
      // One query per 256 ids (ARRAY_CONTAINS over a parameter array) instead of N point reads.
      for (let i = 0; i < unique.length; i += 256) {
        const chunk = unique.slice(i, i + 256).map((id) => this.#map.docId(id));
        const spec: SqlQuerySpec = {
          query: 'SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.id)',
          parameters: [{ name: '@ids', value: chunk }],
        };
        m.crossPartition = true;
        this.#onCross?.({ entity: this.entity.name, operation: 'getMany', query: spec });
        const it = this.container.items.query<Doc>(spec, {
          maxItemCount: 256,
          abortSignal: withDeadline(options.signal, m.deadline),
        });
        while (it.hasMoreResults()) {
          const page = await this.#send(m, true, options.signal, () => it.fetchNext());
          for (const doc of page.resources ?? []) found.set(doc.id, this.#out(doc));
        }
      }
      return unique.flatMap((id) => {
        const item = found.get(this.#map.docId(id));
        return item ? [item] : [];
      });
    });
  }

  async list<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R[]> {
    return this.#call('list', options, (m) =>
      this.#collect<R>(m, 'list', this.#bind(spec), options.signal),
    );
  }

  async *stream<R = T>(spec: SpecSource<T, R>, options: StreamOptions = {}): AsyncIterable<R> {
    throwIfAborted(options.signal, this.entity.name);
    const query = this.#bind(spec);
    const project = projector(query.select);
    const meter = this.#meter();
    let failed = false;
    try {
      for await (const item of this.#window(meter, 'stream', query, options)) {
        throwIfAborted(options.signal, this.entity.name);
        yield project(item) as R;
      }
    } catch (err) {
      failed = true;
      throw mapCosmosError(err, { entity: this.entity.name, signal: options.signal });
    } finally {
      meter.report(options.observe);
      this.#onRequest?.({
        entity: this.entity.name,
        operation: 'stream',
        requestCharge: meter.requestCharge,
        requests: meter.requests,
        crossPartition: meter.crossPartition,
        failed,
      });
    }
  }

  async first<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    return this.#call('first', options, async (m) => {
      const q = this.#bind(spec);
      return (
        await this.#collect<R>(m, 'first', { ...q, take: q.take === 0 ? 0 : 1 }, options.signal)
      )[0];
    });
  }

  async single<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    return this.#call('single', options, async (m) => {
      const q = this.#bind(spec);
      const rows = await this.#collect<R>(
        m,
        'single',
        { ...q, take: q.take === 0 ? 0 : 2 },
        options.signal,
      );
      if (rows.length > 1) throw new MultipleResultsError();
      return rows[0];
    });
  }

  async count(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<number> {
    return this.#call('count', options, (m) =>
      this.#count(m, 'count', this.#bind(spec), options.signal),
    );
  }

  async any(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<boolean> {
    return this.#call('any', options, async (m) => {
      const q = this.#bind(spec);
      const probe: QueryNode = { ...q, after: null, orderBy: [], skip: 0, take: 1, select: null };
      for await (const _ of this.#window(m, 'any', probe, { signal: options.signal, batchSize: 1 }))
        return true;
      return false;
    });
  }

  async page<R = T>(spec: SpecSource<T, R>, options: PageOptions = {}): Promise<RepositoryPage<R>> {
    return this.#call('page', options, async (m) => {
      const q = this.#bind(spec);
      const seek = pageQuery(this.entity, q, options.cursor ?? null, this.#cursors);
      return pageVia<T, R>(this.entity, q, seek, this.#cursors, {
        fetch: (query) => this.#collect<T>(m, 'page', query, options.signal),
        count: (query) => this.#count(m, 'page', query, options.signal),
      });
    });
  }

  // ---- writes ----------------------------------------------------------------------------------

  async add(item: T, options: CallOptions = {}): Promise<T> {
    return this.#call('add', options, async (m) => {
      const prepared = prepareForWrite(this.entity, item, 1);
      const id = idOf(this.entity, prepared);
      try {
        const res = await this.#send(m, false, options.signal, () =>
          this.container.items.create(this.#map.toDoc(prepared, 1), {
            abortSignal: options.signal,
          }),
        );
        return this.#out(res.resource as Record<string, unknown>);
      } catch (err) {
        throw mapCosmosError(err, {
          entity: this.entity.name,
          id,
          signal: options.signal,
          notFound: 'item',
        });
      }
    });
  }

  async addMany(items: readonly T[], options: CallOptions = {}): Promise<T[]> {
    return this.#call('addMany', options, async (m) => {
      // Validate everything and reject duplicates in the input before writing anything.
      const prepared = items.map((item) => prepareForWrite(this.entity, item, 1));
      const seen = new Set<string>();
      for (const p of prepared) {
        const id = idOf(this.entity, p);
        const key = this.#map.docId(id);
        if (seen.has(key)) {
          throw new AlreadyExistsError(`${this.entity.name} "${id}" already exists`, {
            entity: this.entity.name,
            id,
          });
        }
        seen.add(key);
      }
      if (prepared.length === 0) return [];
      const pks = new Set(prepared.map((p) => JSON.stringify(this.#map.partitionKeyOf(p))));
      if (this.profile.atomicBatch && pks.size === 1 && prepared.length <= 100) {
        return this.#batchCreate(m, prepared, options.signal);
      }
      const results = await this.#bulk(
        m,
        prepared.map((item) => ({ type: 'create' as const, item })),
        options.signal,
      );
      const failed = results.findIndex((r) => !r.ok);
      if (failed < 0) return results.map((r) => (r as { item: T }).item);
      // Not atomic across partitions: undo what was created (best effort), then report.
      const undo = results.flatMap((r, i) =>
        r.ok ? [{ type: 'delete' as const, id: idOf(this.entity, prepared[i]!) }] : [],
      );
      if (undo.length > 0) await this.#bulk(m, undo, undefined).catch(() => undefined);
      throw (results[failed] as { error: Error }).error;
    });
  }

  async #batchCreate(m: Meter, prepared: T[], signal: AbortSignal | undefined): Promise<T[]> {
    const pk = this.#map.partitionKeyOf(prepared[0]!);
    const ops: OperationInput[] = prepared.map((p) => ({
      operationType: 'Create',
      resourceBody: this.#map.toDoc(p, 1) as ItemDefinition & Record<string, unknown>,
    })) as OperationInput[];
    const res = await this.#send(m, false, signal, async () => {
      const r = await this.container.items.batch(ops, pk, { abortSignal: signal });
      return {
        ...r,
        requestCharge: r.result?.reduce((s, x) => s + (x.requestCharge ?? 0), 0) ?? 0,
      };
    });
    const results = res.result ?? [];
    const bad = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
    if (bad >= 0) {
      const id = idOf(this.entity, prepared[bad]!);
      throw mapCosmosError(
        Object.assign(new Error(`batch operation failed (${results[bad]!.statusCode})`), {
          code: results[bad]!.statusCode,
        }),
        {
          entity: this.entity.name,
          id,
          notFound: 'item',
        },
      );
    }
    return results.map((r) => this.#out(r.resourceBody as Record<string, unknown>));
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
    return this.#call('bulk', options, (m) => this.#bulk(m, operations, options.signal));
  }

  async #bulk(
    m: Meter,
    operations: readonly CosmosBulkOperation<T>[],
    signal: AbortSignal | undefined,
  ): Promise<CosmosBulkResult<T>[]> {
    const results: CosmosBulkResult<T>[] = new Array(operations.length);
    const inputs: OperationInput[] = operations.map((op) => {
      if (op.type === 'create') {
        const prepared = prepareForWrite(this.entity, op.item, 1);
        return {
          operationType: 'Create',
          resourceBody: this.#map.toDoc(prepared, 1) as ItemDefinition & Record<string, unknown>,
        } as OperationInput;
      }
      const id = checkId(this.entity, op.id);
      const docId = this.#map.docId(id);
      const pk = op.partitionKey ?? (this.#map.partitionKeyField ? undefined : docId);
      if (pk === undefined)
        throw new TypeError('bulk delete needs the partitionKey when it is not the id');
      return { operationType: 'Delete', id: docId, partitionKey: pk } as OperationInput;
    });
    let pending = operations.map((_, i) => i);
    for (let attempt = 0; pending.length > 0; attempt++) {
      throwIfAborted(signal, this.entity.name);
      const throttled: number[] = [];
      let wait = 0;
      for (let i = 0; i < pending.length; i += 100) {
        const chunk = pending.slice(i, i + 100);
        const res = await this.#send(m, false, signal, async () => {
          const r = await this.container.items
            .bulk(
              chunk.map((k) => inputs[k]!),
              { continueOnError: true },
              { abortSignal: signal },
            )
            .catch((err: unknown) => {
              // The SDK wraps a failed bulk request in a plain Error; the Cosmos error (status,
              // x-ms-retry-after-ms) is its cause, and that is what the retry must see.
              const cause = (err as { cause?: unknown } | null)?.cause;
              throw cause !== undefined && (cause as { code?: unknown }).code !== undefined
                ? cause
                : err;
            });
          return Object.assign(r, {
            requestCharge: r.reduce((s, x) => s + (x?.requestCharge ?? 0), 0),
          });
        });
        res.forEach((r, j) => {
          const k = chunk[j]!;
          const op = operations[k]!;
          const status = r?.statusCode ?? 500;
          if ((status === 429 || status === 449) && attempt < 5) {
            throttled.push(k);
            const hint = Number(
              (r as { retryAfterMilliseconds?: number }).retryAfterMilliseconds ?? 0,
            );
            wait = Math.max(wait, Number.isFinite(hint) && hint > 0 ? hint : 100 * 2 ** attempt);
            return;
          }
          const id = op.type === 'create' ? idOf(this.entity, op.item) : op.id;
          if (status < 400) {
            results[k] = {
              ok: true,
              item:
                op.type === 'create'
                  ? this.#out(r!.resourceBody as Record<string, unknown>)
                  : undefined,
              requestCharge: r?.requestCharge ?? 0,
            };
          } else {
            results[k] = {
              ok: false,
              error: mapCosmosError(
                Object.assign(new Error(`bulk ${op.type} failed (${status})`), { code: status }),
                {
                  entity: this.entity.name,
                  id,
                  notFound: 'item',
                },
              ) as Error,
              requestCharge: r?.requestCharge ?? 0,
            };
          }
        });
      }
      pending = throttled;
      if (pending.length > 0) await sleep(Math.min(wait, 60_000), signal);
    }
    return results;
  }

  async update(item: T, options: CosmosWriteOptions = {}): Promise<T> {
    return this.#call('update', options, async (m) => {
      const id = idOf(this.entity, item);
      prepareForWrite(this.entity, item, 1); // validate before any round trip
      const pk = options.partitionKey ?? this.#map.partitionKeyOf(item);
      const current = await this.#readDoc(m, id, pk, options.signal);
      if (!current)
        throw new NotFoundError(`${this.entity.name} "${id}" not found`, {
          entity: this.entity.name,
          id,
        });
      const stored = this.#map.fromDoc<T>(current);
      const expected = options.ifMatch
        ? null
        : expectedVersionOf(this.entity, item, options.expectedVersion);
      if (expected !== null && expected !== stored.version) {
        throw this.#stale(id, expected, stored.version);
      }
      const version = stored.version + 1;
      const doc = this.#map.toDoc(prepareForWrite(this.entity, item, version), version);
      const etag = options.ifMatch ?? current._etag!;
      try {
        const res = await this.#send(m, false, options.signal, () =>
          this.container.item(doc.id, pk).replace(doc, {
            accessCondition: { type: 'IfMatch', condition: etag },
            abortSignal: options.signal,
          }),
        );
        return this.#out(res.resource as Record<string, unknown>);
      } catch (err) {
        throw await this.#writeConflict(m, err, id, pk, expected ?? stored.version, options.signal);
      }
    });
  }

  async upsert(item: T, options: CallOptions = {}): Promise<T> {
    return this.#call('upsert', options, async (m) => {
      const id = idOf(this.entity, item);
      prepareForWrite(this.entity, item, 1);
      const pk = this.#map.partitionKeyOf(item);
      // Versions must increment atomically: create-if-absent or replace-if-unchanged, retried on a race.
      for (let attempt = 0; attempt < 10; attempt++) {
        const current = await this.#readDoc(m, id, pk, options.signal);
        try {
          if (!current) {
            const res = await this.#send(m, false, options.signal, () =>
              this.container.items.create(
                this.#map.toDoc(prepareForWrite(this.entity, item, 1), 1),
                {
                  abortSignal: options.signal,
                },
              ),
            );
            return this.#out(res.resource as Record<string, unknown>);
          }
          const version = this.#map.fromDoc<T>(current).version + 1;
          const doc = this.#map.toDoc(prepareForWrite(this.entity, item, version), version);
          const res = await this.#send(m, false, options.signal, () =>
            this.container.item(doc.id, pk).replace(doc, {
              accessCondition: { type: 'IfMatch', condition: current._etag! },
              abortSignal: options.signal,
            }),
          );
          return this.#out(res.resource as Record<string, unknown>);
        } catch (err) {
          const status = (err as { code?: unknown }).code;
          if (status === 409 || status === 412 || status === 404) continue; // lost a race: read again
          throw err;
        }
      }
      throw new UnavailableError(
        `${this.entity.name} "${id}": upsert kept losing races with other writers`,
        {
          entity: this.entity.name,
          id,
        },
      );
    });
  }

  async delete(id: Id, options: CosmosWriteOptions = {}): Promise<void> {
    return this.#call('delete', options, async (m) => {
      checkId(this.entity, id);
      const docId = this.#map.docId(id);
      let pk = options.partitionKey ?? (this.#map.partitionKeyField ? undefined : docId);
      const expected = options.expectedVersion ?? null;
      let etag = options.ifMatch;
      if (expected !== null || pk === undefined) {
        const current = await this.#readDoc(m, id, pk, options.signal);
        if (!current)
          throw new NotFoundError(`${this.entity.name} "${id}" not found`, {
            entity: this.entity.name,
            id,
          });
        const stored = this.#map.fromDoc<T>(current);
        if (expected !== null && expected !== stored.version)
          throw this.#stale(id, expected, stored.version);
        pk ??= this.#map.partitionKeyOf(stored.item);
        if (expected !== null) etag ??= current._etag;
      }
      try {
        await this.#send(m, false, options.signal, () =>
          this.container.item(docId, pk).delete({
            ...(etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {}),
            abortSignal: options.signal,
          }),
        );
      } catch (err) {
        throw await this.#writeConflict(m, err, id, pk, expected ?? 0, options.signal);
      }
    });
  }

  #stale(id: Id, expected: number, actual: number | undefined): ConcurrencyError {
    return new ConcurrencyError(
      `${this.entity.name} "${id}" is at version ${actual ?? '(deleted)'}, not ${expected}`,
      { entity: this.entity.name, id, expectedVersion: expected, actualVersion: actual },
    );
  }

  /** 412 -> ConcurrencyError (with the version now stored), 404 -> NotFoundError, else mapped. */
  async #writeConflict(
    m: Meter,
    err: unknown,
    id: Id,
    pk: string | number | boolean,
    expected: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const status = (err as { code?: unknown } | null)?.code;
    if (status === 412) {
      const now = await this.#readDoc(m, id, pk, signal).catch(() => undefined);
      return this.#stale(id, expected, now ? this.#map.fromDoc(now).version : undefined);
    }
    return mapCosmosError(err, { entity: this.entity.name, id, signal, notFound: 'item' });
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted)
      return reject(new AbortedError('the operation was aborted', { cause: signal.reason }));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError('the operation was aborted', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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
