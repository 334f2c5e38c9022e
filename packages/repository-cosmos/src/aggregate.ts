/**
 * Aggregate queries on Cosmos DB, per capability profile:
 *
 * - `azure` (`aggregates: true`): one `SELECT ... GROUP BY` whose rows are partial groups
 *   (`compileAggregate` gives its golden SQL), finished by the shared rules of
 *   `@mystira/specification` (`finishAggregate`): the service keeps missing and null keys in two
 *   groups, and may return a partial row per partition, and finishing merges both. Every term is
 *   type-guarded, so values of another type (data that breaks the schema) and absent values are
 *   skipped as the rules say: `count(field)` is `SUM(present ? 1 : 0)`, `sum`/`avg` send
 *   `SUM(IS_NUMBER(x) ? 1 : 0)` and `SUM(IS_NUMBER(x) ? x : 0)`, `min`/`max` take
 *   `IS_NUMBER(x) ? x : undefined` (`IS_STRING` for dates). Pushed down only when the filter is
 *   exact on the server and every aggregate is one of those: bigints (strings to the service),
 *   string min/max (UTF-16 order, not code points) and relaxed filters are streamed instead.
 *   The service adds doubles in its own order: sums of integers below 2^53 are exact, sums with
 *   fractions may differ from the exact rule in the last bits (the README says so).
 * - `cosmosdb-server` (no GROUP BY) and any profile without `aggregates`: the matching rows are
 *   streamed through the plan of the filter (re-checked in memory when relaxed) into the
 *   specification's own in-memory aggregation, which is the rules by definition.
 */
import {
  type AggregateNode,
  type AggregateQueryNode,
  dateUnitPrefix,
  type FieldRef,
  type GroupKey,
  type PartialGroup,
} from '@mystira/specification';
import { type CompileOptions, compilePredicate } from './compiler.js';
import { resolveProfile } from './profile.js';
import { Params, propertyPath, type SqlQuerySpec } from './sql.js';

/** How an aggregate runs on Cosmos DB, from {@link compileAggregate}. */
export interface CosmosAggregatePlan {
  /** The GROUP BY query whose rows are partial groups, or null when the rows are streamed. */
  readonly query: SqlQuerySpec | null;
  /** Why the aggregate is streamed (empty when pushed down). */
  readonly notes: readonly string[];
}

const present = (x: string) => `(IS_DEFINED(${x}) AND NOT IS_NULL(${x}))`;

/** The select items of one aggregate (aliases `a<i>`, `a<i>_n`, `a<i>_s`), or a reason it cannot be pushed. */
function aggregateItems(
  x: (f: FieldRef) => string,
  node: AggregateNode,
  i: number,
): string[] | string {
  const field = node.field;
  if (field === null) return [`COUNT(1) AS a${i}`];
  const v = x(field);
  switch (node.fn) {
    case 'count':
      return [`SUM(${present(v)} ? 1 : 0) AS a${i}`];
    case 'sum':
    case 'avg':
      if (field.type !== 'number') return `${node.fn} of a ${field.type} field`;
      return [
        `SUM(IS_NUMBER(${v}) ? 1 : 0) AS a${i}_n`,
        `SUM(IS_NUMBER(${v}) ? ${v} : 0) AS a${i}_s`,
      ];
    case 'min':
    case 'max': {
      const guard =
        field.type === 'number' ? 'IS_NUMBER' : field.type === 'date' ? 'IS_STRING' : null;
      if (guard === null) return `${node.fn} of a ${field.type} field`;
      return [`${node.fn.toUpperCase()}(${guard}(${v}) ? ${v} : undefined) AS a${i}`];
    }
  }
}

/** Compiles a (bound) aggregate query for the profile: a GROUP BY query, or streaming. */
export function compileAggregate(
  node: AggregateQueryNode,
  options: CompileOptions = {},
): CosmosAggregatePlan {
  const profile = resolveProfile(options.profile);
  const stored = options.storedPath ?? ((p: readonly string[]) => p);
  const x = (f: FieldRef) => propertyPath(stored(f.path));
  if (profile.aggregates !== true)
    return {
      query: null,
      notes: [`the ${profile.name} profile has no GROUP BY: rows are streamed`],
    };
  const params = new Params();
  const filter = node.source.where
    ? compilePredicate(node.source.where, params, { ...options, profile })
    : null;
  const notes: string[] = [];
  if (filter && !filter.exact) notes.push('the filter is relaxed on the server: rows are streamed');
  // A date bucket is its ISO string's prefix and the rest of the bucket's first instant, bound
  // as parameters (GROUP BY repeats the same expression).
  const key = (k: GroupKey): string => {
    if (k.kind !== 'dateBucket') return x(k);
    const { keep, rest } = dateUnitPrefix(k.unit);
    return `CONCAT(LEFT(${x(k.field)}, ${Number(keep)}), ${params.add(rest)})`;
  };
  const keys = node.groupBy.map(key);
  const items: string[] = keys.map((k, i) => `${k} AS k${i}`);
  node.aggregates.forEach((n, i) => {
    const made = aggregateItems(x, n.aggregate, i);
    if (typeof made === 'string')
      notes.push(`${made} is not exact on the service: rows are streamed`);
    else items.push(...made);
  });
  if (notes.length > 0) return { query: null, notes };
  const where = filter && filter.sql !== 'true' ? ` WHERE ${filter.sql}` : '';
  const group = keys.length ? ` GROUP BY ${keys.join(', ')}` : '';
  const list = items.length ? items.join(', ') : 'COUNT(1) AS n';
  const query = `SELECT ${list} FROM c${where}${group}`;
  return { query: { query, parameters: params.usedIn(query) }, notes: [] };
}

/** The partial groups of the GROUP BY query's rows, for `finishAggregate`. */
export function partialGroups(
  node: AggregateQueryNode,
  rows: readonly Record<string, unknown>[],
): PartialGroup[] {
  return rows.map((row) => ({
    keys: node.groupBy.map((_, i) => row[`k${i}`]),
    partials: node.aggregates.map((n, i) =>
      n.aggregate.fn === 'sum' || n.aggregate.fn === 'avg'
        ? {
            n: (row[`a${i}_n`] as number | undefined) ?? 0,
            sum: (row[`a${i}_s`] as number | undefined) ?? null,
          }
        : (row[`a${i}`] ?? null),
    ),
  }));
}
