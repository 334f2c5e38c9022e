/**
 * Specification reads: a spec bound to the entity, compiled to a plan (plan.ts), run over this
 * repository's round trips, windowed by skip/take and projected; counts as `SELECT VALUE
 * COUNT(1)` when the filter is exact on the server, else by counting the plan's rows.
 */
import type { CursorCodec } from '@mystira/repository';
import { bindAggregate, bindQuery, queryOf, specErrors } from '@mystira/repository';
import {
  type AggregateQueryNode,
  type AggregateSource,
  evaluateAggregate,
  finishAggregate,
  projector,
  type QueryNode,
  type SpecSource,
} from '@mystira/specification';
import { compileAggregate, partialGroups } from './aggregate.js';
import { type CosmosQueryPlan, compileQuery, runPlan } from './plan.js';
import type { CapabilityProfile } from './profile.js';
import type { Meter, RoundTrips } from './round-trips.js';

/** Read options the query runner takes from a repository call. */
interface ReadOptions {
  batchSize?: number;
  signal?: AbortSignal;
}

/** The specification reads of one repository. */
export class QueryRunner<T> {
  readonly #trips: RoundTrips;
  readonly #profile: CapabilityProfile;
  readonly #pageSize: number;
  readonly #maxInMemoryRows: number;
  /** Signs and checks page cursors. */
  readonly cursors: CursorCodec;

  constructor(
    trips: RoundTrips,
    options: {
      profile: CapabilityProfile;
      pageSize: number;
      maxInMemoryRows: number;
      cursors: CursorCodec;
    },
  ) {
    this.#trips = trips;
    this.#profile = options.profile;
    this.#pageSize = options.pageSize;
    this.#maxInMemoryRows = options.maxInMemoryRows;
    this.cursors = options.cursors;
  }

  /** The spec as a query bound to the entity (spec errors become `ValidationError`). */
  bind(spec: SpecSource<unknown, unknown>): QueryNode {
    const entity = this.#trips.entity;
    return specErrors(entity.name, () => bindQuery(entity, queryOf(spec)));
  }

  /** The aggregate query bound to the entity (errors become `ValidationError`). */
  bindAggregate(spec: AggregateSource<unknown, unknown>): AggregateQueryNode {
    return bindAggregate(this.#trips.entity, spec);
  }

  /**
   * Runs a bound aggregate: the profile's GROUP BY query finished by the shared rules, or the
   * matching rows streamed into the in-memory aggregation (see aggregate.ts).
   */
  async aggregate<R>(
    meter: Meter,
    operation: string,
    node: AggregateQueryNode,
    signal: AbortSignal | undefined,
  ): Promise<R> {
    const { entity, map } = this.#trips;
    const compiled = specErrors(entity.name, () =>
      compileAggregate(node, { profile: this.#profile, entity, storedPath: map.storedPath }),
    );
    const source: QueryNode = { ...node.source, orderBy: [], select: null };
    if (compiled.query === null) {
      const rows = this.window(meter, operation, source, { signal });
      return evaluateAggregate<T, R>(node, rows, { signal });
    }
    const plan = this.plan(source);
    const rows: Record<string, unknown>[] = [];
    for await (const page of this.#pages(
      meter,
      operation,
      plan,
      compiled.query,
      this.#pageSize,
      signal,
    ))
      rows.push(...page);
    return finishAggregate<R>(node, partialGroups(node, rows));
  }

  /** The plan of a bound query. */
  plan(query: QueryNode): CosmosQueryPlan {
    const { entity, map } = this.#trips;
    return specErrors(entity.name, () =>
      compileQuery(query, {
        profile: this.#profile,
        entity,
        storedPath: map.storedPath,
        partitionKey: map.partitionKeyField ?? [entity.id],
      }),
    );
  }

  /** Pages of one server query of `plan` (pinned to its partition when the filter fixes one). */
  #pages(
    meter: Meter,
    operation: string,
    plan: CosmosQueryPlan,
    spec: Parameters<RoundTrips['pages']>[2],
    batchSize: number,
    signal: AbortSignal | undefined,
  ) {
    // When the document id is the partition key, its value is the id as a string.
    const partitionKey =
      plan.partitionKey === undefined || this.#trips.map.partitionKeyField
        ? plan.partitionKey
        : String(plan.partitionKey);
    return this.#trips.pages(meter, operation, spec, { partitionKey, batchSize, signal });
  }

  /**
   * The rows of a plan in final order, before skip/take (see `runPlan`). `limit` (skip + take)
   * lets exact plans push `TOP` to the server.
   */
  #rows(
    meter: Meter,
    operation: string,
    plan: CosmosQueryPlan,
    options: ReadOptions & { limit?: number },
  ): AsyncGenerator<T> {
    return runPlan<T>(plan, {
      fetch: (part, top, batchSize) =>
        this.#pages(meter, operation, plan, part.sql(top), batchSize, options.signal),
      toItem: (doc) => this.#trips.map.fromDoc<T>(doc).item,
      batchSize: Math.max(1, Math.min(options.batchSize ?? this.#pageSize, 1000)),
      limit: options.limit,
      maxInMemoryRows: this.#maxInMemoryRows,
      entity: this.#trips.entity.name,
    });
  }

  /** The window (skip/take) of a bound query's rows, whole items. */
  async *window(
    meter: Meter,
    operation: string,
    query: QueryNode,
    options: ReadOptions,
  ): AsyncGenerator<T> {
    if (query.take === 0) return;
    const plan = this.plan(query);
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

  /** The window of a bound query, projected, as an array. */
  async collect<R>(
    meter: Meter,
    operation: string,
    query: QueryNode,
    signal: AbortSignal | undefined,
  ): Promise<R[]> {
    const project = projector(query.select);
    const out: R[] = [];
    for await (const item of this.window(meter, operation, query, { signal }))
      out.push(project(item) as R);
    return out;
  }

  /** How many items match the query's filter (order, keyset, skip, take ignored). */
  async count(
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
    const plan = this.plan(countQuery);
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
}
