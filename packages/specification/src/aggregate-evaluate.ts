/**
 * Running aggregates: in memory (`evaluateAggregate`, the reference), and finishing the partial
 * results an adapter's database returns (`finishAggregate`). Both end in the same code, so the
 * rules of aggregate.ts (null of no values, one null group for missing and null, group order,
 * exact sums, number types) are applied once, here, whatever computed the partials.
 */
import { groupKeyField, truncateDate } from './aggregate.js';
import type {
  AggregateNode,
  AggregateQueryNode,
  FieldRef,
  GroupKey,
  NamedAggregate,
  OrderNode,
  ScalarType,
} from './ast.js';
import { coerce, compileComparator, type EvaluateOptions, getter, plan } from './evaluate.js';
import {
  addDecimal,
  type Decimal,
  decimalToIntegerString,
  decimalToNumber,
  divideToNumber,
  ExactSum,
  toDecimal,
  ZERO,
} from './exact.js';
import { isCanonicalBigint } from './schema.js';

/** Anything that yields an aggregate query: an `AggregateSpecification` or its node. */
export type AggregateSource<T = unknown, R = unknown> =
  | AggregateQueryNode
  | {
      /** The aggregate query AST. */
      build(): AggregateQueryNode;
      /** Phantom: carries the item and result types; never set. */
      readonly __aggregate?: {
        /** The entity type. */
        readonly item: T;
        /** The result type. */
        readonly result: R;
      };
    };

/** The aggregate query node of a source. */
export function aggregateQueryOf(source: AggregateSource<unknown, unknown>): AggregateQueryNode {
  if (source && typeof source === 'object' && 'kind' in source && source.kind === 'aggregateQuery')
    return source;
  return (source as { build(): AggregateQueryNode }).build();
}

/**
 * What a backend computed for one aggregate of one group, before the rules are applied:
 * - `count`: the count (a number, or the decimal text of a SQL bigint);
 * - `sum`/`avg`: `n`, how many values were added, and `sum`, their exact sum (a Decimal, a
 *   decimal numeral such as PostgreSQL `numeric` text, a JS number, or null when n is 0);
 * - `min`/`max`: the value, or null/undefined when there was none.
 */
export type AggregatePartial =
  | number
  | string
  | {
      /** How many values were summed. */
      readonly n: number | string;
      /** Their exact sum. */
      readonly sum: Decimal | number | string | null;
    }
  | unknown;

/** One group as a backend returned it: its raw key values and one partial per aggregate. */
export interface PartialGroup {
  /** The group's key values, in `groupBy` order (null or undefined: absent). */
  readonly keys: readonly unknown[];
  /** One partial per aggregate, in the query's order. */
  readonly partials: readonly AggregatePartial[];
}

/** A stored key or min/max value in the field's canonical form, or null when absent. */
export function canonicalValue(field: FieldRef, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  const type = field.type;
  if (type === null || type === 'array' || type === 'object') {
    return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
      ? raw
      : null;
  }
  if (type === 'number' && typeof raw === 'string') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : null;
  }
  if (type === 'bigint' && typeof raw === 'string' && !isCanonicalBigint(raw)) {
    // `numeric` text of an integer may carry a scale (`5.0`): read it exactly.
    return decimalToIntegerString(toDecimal(raw));
  }
  const v = coerce(type, raw);
  return v === undefined ? null : v;
}

function count(p: AggregatePartial): number {
  return typeof p === 'number' ? p : typeof p === 'string' ? Number(p) : 0;
}

interface SumState {
  n: number;
  sum: Decimal;
}

function sumState(p: AggregatePartial): SumState {
  const s = p as { n?: number | string; sum?: Decimal | number | string | null } | null;
  const n = Number(s?.n ?? 0);
  return { n, sum: n === 0 || s?.sum == null ? ZERO : toDecimal(s.sum) };
}

/** Merges two partials of one aggregate (the groups a backend keeps apart, e.g. null and missing). */
function mergePartial(node: AggregateNode, a: unknown, b: unknown, cmp: Cmp): unknown {
  switch (node.fn) {
    case 'count':
      return count(a) + count(b);
    case 'sum':
    case 'avg': {
      const x = sumState(a);
      const y = sumState(b);
      return { n: x.n + y.n, sum: addDecimal(x.sum, y.sum) };
    }
    case 'min':
    case 'max': {
      const x = canonicalValue(node.field!, a);
      const y = canonicalValue(node.field!, b);
      if (x === null) return y;
      if (y === null) return x;
      const c = cmp(x, y);
      return node.fn === 'min' ? (c <= 0 ? x : y) : c >= 0 ? x : y;
    }
  }
}

/** The final value of one aggregate from its partial. */
function finalValue(node: AggregateNode, p: unknown): unknown {
  switch (node.fn) {
    case 'count':
      return count(p);
    case 'sum': {
      const s = sumState(p);
      if (s.n === 0) return null;
      return node.field?.type === 'bigint' ? decimalToIntegerString(s.sum) : decimalToNumber(s.sum);
    }
    case 'avg': {
      const s = sumState(p);
      return s.n === 0 ? null : divideToNumber(s.sum, s.n);
    }
    case 'min':
    case 'max':
      return canonicalValue(node.field!, p);
  }
}

type Cmp = (a: unknown, b: unknown) => number;

/** Compares two present values of a field by the order `orderBy` gives. */
function valueComparator(field: FieldRef): Cmp {
  const c = compileComparator([
    { kind: 'order', field: { ...field, path: ['v'] }, direction: 'asc' },
  ]);
  return (a, b) => c({ v: a }, { v: b });
}

function setPath(row: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let dst = row;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (typeof dst[k] !== 'object' || dst[k] === null) dst[k] = {};
    dst = dst[k] as Record<string, unknown>;
  }
  dst[path[path.length - 1]!] = value;
}

/**
 * Applies the aggregate rules to the groups a backend computed: keys made canonical, groups with
 * equal keys merged, the single group of an ungrouped query made up when no row matched, groups
 * ordered by key (null first), values finished (exact sums rounded once, averages divided, null
 * of no values), and the result shaped (`rows`, `scalar` or `values`).
 */
export function finishAggregate<R = unknown>(
  query: AggregateQueryNode,
  groups: Iterable<PartialGroup>,
): R {
  const named = query.aggregates;
  const cmps = named.map((n) => (n.aggregate.field ? valueComparator(n.aggregate.field) : null));
  const merged = new Map<string, { keys: unknown[]; partials: unknown[] }>();
  for (const g of groups) {
    const keys = query.groupBy.map((k, i) => canonicalValue(groupKeyField(k), g.keys[i]));
    const id = JSON.stringify(keys);
    const known = merged.get(id);
    if (!known) merged.set(id, { keys, partials: [...g.partials] });
    else
      known.partials = known.partials.map((p, i) =>
        mergePartial(named[i]!.aggregate, p, g.partials[i], cmps[i]!),
      );
  }
  if (query.groupBy.length === 0 && merged.size === 0)
    merged.set('[]', { keys: [], partials: named.map(() => null) });
  const rows = [...merged.values()].map((g) => {
    const row: Record<string, unknown> = {};
    query.groupBy.forEach((k, i) => {
      setPath(row, groupKeyField(k).path, g.keys[i]);
    });
    named.forEach((n, i) => {
      row[n.name] = finalValue(n.aggregate, g.partials[i]);
    });
    return row;
  });
  if (query.groupBy.length > 0) {
    const orders: OrderNode[] = query.groupBy.map((k) => ({
      kind: 'order',
      field: groupKeyField(k),
      direction: 'asc',
    }));
    rows.sort(compileComparator(orders));
  }
  switch (query.shape) {
    case 'scalar':
      return rows[0]![named[0]!.name] as R;
    case 'values': {
      const read = getter(groupKeyField(query.groupBy[0]!).path);
      return rows.map((r) => read(r) ?? null) as R;
    }
    default:
      return (query.groupBy.length === 0 ? rows[0] : rows) as R;
  }
}

/** Accumulates one aggregate over the rows of one group, in memory. */
interface Accumulator {
  add(item: unknown): void;
  readonly partial: unknown;
}

function accumulator(node: AggregateNode): () => Accumulator {
  const field = node.field;
  if (field === null) {
    return () => {
      let n = 0;
      return {
        add: () => {
          n++;
        },
        get partial() {
          return n;
        },
      };
    };
  }
  const read = getter(field.path);
  const type = field.type as ScalarType | null;
  switch (node.fn) {
    case 'count':
      return () => {
        let n = 0;
        return {
          add: (item) => {
            if (read(item) !== undefined) n++;
          },
          get partial() {
            return n;
          },
        };
      };
    case 'sum':
    case 'avg':
      if (type === 'bigint') {
        return () => {
          let n = 0;
          let sum = 0n;
          return {
            add: (item) => {
              const v = coerce('bigint', read(item));
              if (v === undefined) return;
              n++;
              sum += BigInt(v as string);
            },
            get partial() {
              return { n, sum: { coef: sum, exp: 0 } };
            },
          };
        };
      }
      return () => {
        let n = 0;
        const sum = new ExactSum();
        return {
          add: (item) => {
            const v = read(item);
            if (typeof v !== 'number' || !Number.isFinite(v)) return;
            n++;
            sum.add(v);
          },
          get partial() {
            return { n, sum: sum.value };
          },
        };
      };
    case 'min':
    case 'max': {
      const cmp = valueComparator(field);
      const wantMin = node.fn === 'min';
      return () => {
        let best: unknown = null;
        return {
          add: (item) => {
            const v = canonicalValue(field, read(item));
            if (v === null) return;
            if (best === null) best = v;
            else {
              const c = cmp(v, best);
              if (wantMin ? c < 0 : c > 0) best = v;
            }
          },
          get partial() {
            return best;
          },
        };
      };
    }
  }
}

/** Reads a group key of an item: the field's canonical value, truncated for a date bucket. */
function groupKeyReader(key: GroupKey): (item: unknown) => unknown {
  const field = groupKeyField(key);
  const read = getter(field.path);
  if (key.kind !== 'dateBucket') return (item) => canonicalValue(field, read(item));
  const unit = key.unit;
  return (item) => {
    const v = canonicalValue(field, read(item));
    return typeof v === 'string' ? truncateDate(v, unit) : null;
  };
}

/** Groups and accumulates items in memory (the matching test is the source's `where`). */
class MemoryAggregation {
  readonly #query: AggregateQueryNode;
  readonly #test: (item: unknown) => number;
  readonly #keys: ((item: unknown) => unknown)[];
  readonly #makers: (() => Accumulator)[];
  readonly #groups = new Map<string, { keys: unknown[]; accs: Accumulator[] }>();

  constructor(query: AggregateQueryNode) {
    this.#query = query;
    this.#test = plan(query.source).countTest;
    this.#keys = query.groupBy.map(groupKeyReader);
    this.#makers = query.aggregates.map((n: NamedAggregate) => accumulator(n.aggregate));
  }

  add(item: unknown): void {
    if (this.#test(item) !== 1) return;
    const keys = this.#keys.map((k) => k(item));
    const id = keys.length === 0 ? '' : JSON.stringify(keys);
    let g = this.#groups.get(id);
    if (!g) {
      g = { keys, accs: this.#makers.map((m) => m()) };
      this.#groups.set(id, g);
    }
    for (const a of g.accs) a.add(item);
  }

  finish<R>(): R {
    const groups = [...this.#groups.values()].map((g) => ({
      keys: g.keys,
      partials: g.accs.map((a) => a.partial),
    }));
    return finishAggregate<R>(this.#query, groups);
  }
}

/**
 * Runs an aggregate query over items in memory: the reference every adapter is compared with.
 * Accepts an array/iterable (synchronous) or an async iterable (a repository stream).
 */
export function evaluateAggregate<T, R>(spec: AggregateSource<T, R>, items: Iterable<T>): R;
export function evaluateAggregate<T, R>(
  spec: AggregateSource<T, R>,
  items: AsyncIterable<T>,
  options?: EvaluateOptions,
): Promise<R>;
export function evaluateAggregate<T, R>(
  spec: AggregateSource<T, R>,
  items: Iterable<T> | AsyncIterable<T>,
  options: EvaluateOptions = {},
): R | Promise<R> {
  const agg = new MemoryAggregation(aggregateQueryOf(spec));
  if (typeof (items as Iterable<T>)[Symbol.iterator] === 'function') {
    for (const item of items as Iterable<T>) agg.add(item);
    return agg.finish<R>();
  }
  return (async () => {
    options.signal?.throwIfAborted();
    let seen = 0;
    for await (const item of items as AsyncIterable<T>) {
      if ((++seen & 255) === 0) options.signal?.throwIfAborted();
      agg.add(item);
    }
    options.signal?.throwIfAborted();
    return agg.finish<R>();
  })();
}
