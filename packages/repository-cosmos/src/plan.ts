/**
 * The query plan: how a specification runs on Cosmos DB (`compileQuery`), and running it
 * (`runPlan`, a pure async generator over a page fetcher: it knows nothing of the SDK, retries or
 * request charges, so it runs the same against Cosmos DB and against a fake in a unit test).
 *
 * - ORDER BY: `normalize()` appends the id tiebreaker; keys that can be absent split the query
 *   into groups run one after the other, and groups into parts merged by the comparator, so that
 *   no server query orders by a key that can be missing (see order-split.ts). A bigint key is
 *   sorted in memory after an unordered server query (`memorySort`).
 * - Strings order by code point in the table; an engine that orders by UTF-16 code units differs
 *   only between rows whose keys both contain a code unit >= U+D800, and such rows are always
 *   adjacent in server order, so `runPlan` re-sorts those runs as they stream (`stringKeys`).
 * - Paging is `TOP` + continuation tokens (no OFFSET/LIMIT, which cosmosdb-server lacks and which
 *   Cosmos bills for skipped rows anyway); skip is applied while streaming. `TOP` is pushed down
 *   when the filter is exact, and a part is read again without it when the row at the boundary
 *   may be misplaced.
 * - A relaxed filter (a superset on the server) is re-checked on every row with the
 *   specification's own evaluator (`residual`).
 * - Rows that come back out of order, which is what a continuation that resumes at an earlier
 *   row looks like, fail the read instead of looping for ever.
 */
import { UnavailableError } from '@mystira/repository';
import {
  compileComparator,
  compilePredicate as compileInMemory,
  normalize,
  type OrderNode,
  type Predicate,
  type QueryNode,
} from '@mystira/specification';
import {
  type Absence,
  ALL_ROWS,
  absenceOf,
  type CompileOptions,
  compilePredicate,
  compileWhere,
  NO_ROWS,
} from './compiler.js';
import { UnsupportedQueryError } from './errors.js';
import { mergeOrdered } from './merge.js';
import { MAX_MERGED_PARTS, splitOrder } from './order-split.js';
import { azureProfile, type CapabilityProfile, resolveProfile } from './profile.js';
import { Params, propertyPath, type SqlQuerySpec } from './sql.js';

/**
 * One server query of a plan. Parts of one `group` are merged by the plan's order; groups run one
 * after the other and their results concatenate.
 */
export interface CosmosQueryPart {
  /** The WHERE clause (the spec's filter plus this part's absence conditions). */
  readonly where: string;
  /**
   * What `where` selects, as a specification predicate (the spec's filter AND this part's
   * absence conditions), before any relaxation: for diagnostics and in-memory fakes.
   */
  readonly filter: Predicate;
  /** The values of the `@p0`, `@p1` ... parameters of `where`. */
  readonly parameters: SqlQuerySpec['parameters'];
  /** ORDER BY keys as stored paths (empty: unordered). Two or more need a composite index. */
  readonly orderBy: readonly {
    /** The stored path of the key. */
    readonly path: readonly string[];
    /** Ascending or descending. */
    readonly direction: 'asc' | 'desc';
  }[];
  /**
   * The merge group: parts of one group hold disjoint rows, each part in the plan's order, and
   * are merged by it; groups are numbered in the order their rows come.
   */
  readonly group: number;
  /** The query, with `TOP n` when `top` is given. */
  sql(top?: number): SqlQuerySpec;
}

/**
 * How a query runs on Cosmos DB: the server queries, and what is left to do in memory (re-check a
 * relaxed filter, sort), from {@link compileQuery}.
 */
export interface CosmosQueryPlan {
  /** The capabilities the plan was compiled for. */
  readonly profile: CapabilityProfile;
  /** The normalised query (keyset expanded, id tiebreaker appended). */
  readonly query: QueryNode;
  /**
   * The server queries: the rows of each group's parts, merged by `orders`, then the groups
   * concatenated, are the answer in order.
   */
  readonly parts: readonly CosmosQueryPart[];
  /** False when the server filter is a superset and rows must be re-checked with `residual`. */
  readonly exact: boolean;
  /** The predicate to re-check in memory (null when exact or there is no filter). */
  readonly residual: Predicate | null;
  /** Rows are sorted in memory (bigint keys, or too many order keys that can be missing). */
  readonly memorySort: boolean;
  /** The effective order (the repository's in-memory comparator and cursor source). */
  readonly orders: readonly OrderNode[];
  /** Entity paths of string-typed order keys (UTF-16 vs code point fix-up while streaming). */
  readonly stringKeys: readonly (readonly string[])[];
  /** Whether `TOP` may be pushed to the server (exact filter, server-side order). */
  readonly pushTop: boolean;
  /** The partition key value when the filter pins one partition (an `eq` ANDed at the top). */
  readonly partitionKey: string | number | boolean | undefined;
  /** `SELECT VALUE COUNT(1)` over `where` (keyset ignored); exact only when `countExact`. */
  readonly count: SqlQuerySpec;
  /**
   * Whether `count` is the exact answer (false when its filter had to be relaxed to a superset).
   */
  readonly countExact: boolean;
  /** Reasons parts of the query run in memory, for diagnostics. */
  readonly notes: readonly string[];
}

function pinnedPartitionKey(where: Predicate | null, pk: readonly string[] | null | undefined) {
  if (!where || !pk) return undefined;
  const key = pk.join('.');
  const operands = where.kind === 'and' ? where.operands : [where];
  for (const o of operands) {
    if (o.kind === 'compare' && o.op === 'eq' && !o.ignoreCase && o.field.path.join('.') === key)
      return o.value.value;
  }
  return undefined;
}

/** Compiles a (bound) query into the server queries and in-memory steps that answer it. */
export function compileQuery(query: QueryNode, options: CompileOptions = {}): CosmosQueryPlan {
  const profile = resolveProfile(options.profile ?? azureProfile);
  const n = normalize(query);
  const orders = n.orderBy;
  const notes: string[] = [];
  const stored = options.storedPath ?? ((p: readonly string[]) => p);
  const idPath = n.idField.path.join('.');

  const base = compilePredicate(n.where ?? { kind: 'const', value: true }, new Params(), {
    ...options,
    profile,
  });
  if (!base.exact) notes.push('the filter is relaxed on the server and re-checked in memory');

  let memorySort = orders.some((o) => o.field.type === 'bigint');
  if (memorySort) notes.push('bigint order keys are sorted in memory');

  const absence = (o: OrderNode): Absence =>
    o.field.path.join('.') === idPath
      ? { missing: false, null: false }
      : absenceOf(options.entity, o.field.path);
  const split = memorySort ? null : splitOrder(orders, absence);
  if (split?.tooMany) {
    memorySort = true;
    notes.push(
      `more than ${MAX_MERGED_PARTS} server queries would be merged (order keys that can be missing): sorted in memory`,
    );
  }

  const makePart = (
    conds: Predicate[],
    keys: OrderNode[],
    group: number,
  ): CosmosQueryPart | null => {
    const params = new Params();
    const all: Predicate = n.where ?? { kind: 'const', value: true };
    const filter: Predicate = conds.length === 0 ? all : { kind: 'and', operands: [all, ...conds] };
    const where = compileWhere(all, conds, params, { ...options, profile });
    if (where === NO_ROWS) return null;
    const orderBy = keys.map((k) => ({ path: stored(k.field.path), direction: k.direction }));
    const orderSql =
      orderBy.length > 0
        ? ` ORDER BY ${orderBy.map((k) => `${propertyPath(k.path)} ${k.direction.toUpperCase()}`).join(', ')}`
        : '';
    const whereSql = where === ALL_ROWS ? '' : ` WHERE ${where}`;
    const parameters = params.usedIn(whereSql);
    return {
      where,
      filter,
      parameters,
      orderBy,
      group,
      sql: (top) =>
        top === undefined
          ? { query: `SELECT * FROM c${whereSql}${orderSql}`, parameters }
          : {
              query: `SELECT TOP @top * FROM c${whereSql}${orderSql}`,
              parameters: [...parameters, { name: '@top', value: top }],
            },
    };
  };

  const parts: CosmosQueryPart[] = [];
  if (memorySort) {
    const p = makePart([], [], 0);
    if (p) parts.push(p);
  } else {
    for (const b of split?.branches ?? []) {
      const p = makePart(b.conds, b.keys, b.group);
      if (p) parts.push(p);
    }
  }

  // count/any ignore the keyset position, order and paging: only `where`.
  const countParams = new Params();
  const countFilter = compilePredicate(
    normalize({ ...query, after: null, orderBy: [] }).where ?? { kind: 'const', value: true },
    countParams,
    { ...options, profile },
  );
  const countSql = `SELECT VALUE COUNT(1) FROM c${countFilter.sql === ALL_ROWS ? '' : ` WHERE ${countFilter.sql}`}`;
  const count: SqlQuerySpec = { query: countSql, parameters: countParams.usedIn(countSql) };

  return {
    profile,
    query: n,
    parts,
    exact: base.exact,
    residual: base.exact ? null : n.where,
    memorySort,
    orders,
    stringKeys: orders.filter((o) => o.field.type === 'string').map((o) => o.field.path),
    pushTop: base.exact && !memorySort,
    partitionKey: pinnedPartitionKey(n.where, options.partitionKey),
    count,
    countExact: countFilter.exact,
    notes,
  };
}

// ---- running a plan ---------------------------------------------------------------------------

/** One page of documents, as the server returned it. */
export type CosmosPage = readonly Record<string, unknown>[];

/**
 * Runs one server query of a plan (`part.sql(top)`) and yields its pages in order, `batchSize`
 * documents at most each (pages may be short or empty while more remain).
 */
export type PageFetcher = (
  part: CosmosQueryPart,
  top: number | undefined,
  batchSize: number,
) => AsyncIterable<CosmosPage>;

/** Options of {@link runPlan}. */
export interface RunPlanOptions<T> {
  /** Where the pages come from. */
  readonly fetch: PageFetcher;
  /** The item a document stores. */
  readonly toItem: (doc: Record<string, unknown>) => T;
  /** Documents per page asked of the server. */
  readonly batchSize: number;
  /** Rows the caller will read at most (skip + take): lets an exact plan push `TOP`. */
  readonly limit?: number;
  /** Most rows an in-memory sort may hold. */
  readonly maxInMemoryRows: number;
  /** The entity's name, for errors. */
  readonly entity: string;
}

const EVAL_TRUE = 1;
const HIGH = /[\uD800-\uFFFF]/;

function readPath(item: unknown, path: readonly string[]): unknown {
  let cur = item;
  for (const k of path) cur = (cur as Record<string, unknown> | null | undefined)?.[k];
  return cur;
}

/** What the part streams share: the residual check, the comparator, the UTF-16 run test. */
interface Rules<T> {
  readonly matches: (item: T) => boolean;
  readonly compare: (a: T, b: T) => number;
  readonly high: (item: T) => boolean;
}

/**
 * The rows of a plan in final order (filter re-checked and order fixed up in memory where the
 * plan says), before skip/take.
 */
export async function* runPlan<T>(
  plan: CosmosQueryPlan,
  options: RunPlanOptions<T>,
): AsyncGenerator<T> {
  const residual = plan.residual ? compileInMemory(plan.residual) : null;
  const rules: Rules<T> = {
    matches: (item) => residual === null || residual(item) === EVAL_TRUE,
    compare: compileComparator(plan.orders),
    high: (item) =>
      plan.stringKeys.some((p) => {
        const v = readPath(item, p);
        return typeof v === 'string' && HIGH.test(v);
      }),
  };
  if (plan.memorySort) {
    yield* sortedInMemory(plan, options, rules);
    return;
  }
  let emitted = 0;
  let previous: { item: T } | null = null;
  for (const group of groupsOf(plan.parts)) {
    const remaining = options.limit === undefined ? undefined : options.limit - emitted;
    if (remaining !== undefined && remaining <= 0) return;
    const top = plan.pushTop ? remaining : undefined;
    const streams = group.map((part) => partRows(part, top, options, rules));
    for await (const item of mergeOrdered(streams, rules.compare)) {
      if (previous !== null && rules.compare(previous.item, item) > 0) {
        throw new UnavailableError(
          `${options.entity}: Cosmos DB returned rows out of order (a query continuation resumed at an earlier row)`,
          { entity: options.entity, transient: false },
        );
      }
      previous = { item };
      emitted++;
      yield item;
    }
  }
}

/** The parts by group, groups in plan order. */
export function groupsOf(parts: readonly CosmosQueryPart[]): CosmosQueryPart[][] {
  const groups: CosmosQueryPart[][] = [];
  for (const part of parts) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.group === part.group) last.push(part);
    else groups.push([part]);
  }
  return groups;
}

async function* sortedInMemory<T>(
  plan: CosmosQueryPlan,
  options: RunPlanOptions<T>,
  rules: Rules<T>,
): AsyncGenerator<T> {
  const all: T[] = [];
  const batch = options.batchSize;
  for (const part of plan.parts) {
    for await (const docs of options.fetch(part, undefined, batch)) {
      for (const doc of docs) {
        const item = options.toItem(doc);
        if (!rules.matches(item)) continue;
        all.push(item);
        if (all.length > options.maxInMemoryRows) {
          throw new UnsupportedQueryError(
            `${options.entity}: this order (${plan.notes.join('; ')}) is sorted in memory and the result exceeds maxInMemoryRows (${options.maxInMemoryRows})`,
            { entity: options.entity },
          );
        }
      }
    }
  }
  all.sort(rules.compare);
  yield* all;
}

/**
 * Holds runs of rows with a high string key (adjacent in server order, possibly misordered among
 * themselves) and releases them sorted when a row without one, or the end, comes.
 */
class HighRuns<T> {
  #run: T[] = [];
  constructor(readonly rules: Rules<T>) {}
  *push(item: T): Generator<T> {
    if (this.rules.high(item)) {
      this.#run.push(item);
      return;
    }
    yield* this.end();
    yield item;
  }
  *end(): Generator<T> {
    if (this.#run.length === 0) return;
    const run = this.#run.sort(this.rules.compare);
    this.#run = [];
    yield* run;
  }
}

/** One server query's matching rows, in the plan's order. */
async function* partRows<T>(
  part: CosmosQueryPart,
  initialTop: number | undefined,
  options: RunPlanOptions<T>,
  rules: Rules<T>,
): AsyncGenerator<T> {
  let top = initialTop;
  for (;;) {
    const runs = new HighRuns(rules);
    // With TOP, rows are held until the boundary check; without, they stream.
    const held: T[] | null = top === undefined ? null : [];
    let count = 0;
    let last: T | undefined;
    for await (const docs of options.fetch(part, top, options.batchSize)) {
      for (const doc of docs) {
        const item = options.toItem(doc);
        count++;
        last = item;
        if (!rules.matches(item)) continue;
        if (held) held.push(item);
        else yield* runs.push(item);
      }
    }
    if (held && top !== undefined) {
      if (count >= top && last !== undefined && rules.high(last)) {
        top = undefined; // the boundary row may be misplaced: read the part in full
        continue;
      }
      for (const item of held) yield* runs.push(item);
    }
    yield* runs.end();
    return;
  }
}
