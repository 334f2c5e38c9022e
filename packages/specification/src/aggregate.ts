/**
 * Aggregates: count, sum, avg, min, max, group by and distinct over the rows a specification's
 * `where` selects. The builder half (the in-memory evaluation and the rules every adapter's
 * results are finished by live in aggregate-evaluate.ts). The rules, the same on every backend
 * (the README's semantics table has them as rows):
 *
 * - `count()` counts rows (`count(*)`); `count(field)` counts rows where the field is present
 *   (not missing, not null).
 * - `sum`/`avg` read number and bigint fields and skip absent values; `min`/`max` read string,
 *   number, date and bigint fields (code point order for strings, numeric for bigints) and skip
 *   absent values. A value of another type than the declared one (data that breaks the schema)
 *   is skipped too.
 * - Of no values (no rows, or only absent ones) `sum`, `avg`, `min` and `max` are null, `count`
 *   is 0.
 * - Number types: `count` is a number; `sum` of numbers is the exact sum of the stored values
 *   rounded once to the nearest double (not the order-dependent float sum: see exact.ts), `sum`
 *   of bigints an exact canonical decimal string; `avg` is always a number, the exact sum divided
 *   by the count rounded once (so the average of integers is fractional when it has to be);
 *   `min`/`max` have the field's own type (bigints and dates as strings).
 * - Group by: scalar fields, or dates by UTC year, month, day or hour (`[path, 'day']`: the key is
 *   the bucket's first instant as an ISO date); missing and null are one group (key null); groups come in ascending
 *   key order with the null group first (the order `orderBy` gives), no group is empty, and no
 *   rows means no groups. Without a group by there is exactly one group, even of no rows.
 * - `distinct(field)` is the group keys of `groupBy(field)`: every distinct value once, null
 *   (absent) included, in that order.
 */
import {
  type AggregateFn,
  type AggregateNode,
  type AggregateQueryNode,
  type AggregateShape,
  AST_VERSION,
  type DateUnit,
  type FieldRef,
  type FieldType,
  FORBIDDEN_KEYS,
  type GroupKey,
  IDENTIFIER,
  type NamedAggregate,
  type QueryNode,
} from './ast.js';
import type { Path, PathValue, ScalarPath } from './builder.js';
import { InvalidValueError, UnsupportedOperatorError } from './errors.js';
import { deepFreeze } from './freeze.js';
import { canonicalJson, hashQuery } from './normalize.js';
import { resolveField } from './rules.js';
import type { EntityDef } from './schema.js';
import { sha256Hex } from './sha256.js';

/** An aggregate node carrying (as a phantom) the type of its value. */
export type AggregateOf<V> = AggregateNode & {
  /** Phantom: the aggregate's value type; never set. */
  readonly __value?: V;
};

/** The value type of an aggregate. */
export type AggregateValue<A> = A extends AggregateOf<infer V> ? V : unknown;

/**
 * The value of `sum` over a field of type V: a number for number fields, an exact decimal
 * string for bigint fields (which are strings in the entity type), null of no values.
 *
 * @inline
 */
type SumOf<V> = unknown extends V
  ? number | string | null
  : V extends number
    ? number | null
    : string | null;

/** Builds aggregate nodes for entity type `T`. Passed to `aggregate(a => ...)`. */
export interface Aggregates<T> {
  /** Rows counted (`count(*)`), or with a field, rows where it is present (not null). */
  count(path?: Path<T>): AggregateOf<number>;
  /** Exact sum of a number or bigint field's present values; null of none. */
  sum<P extends ScalarPath<T>>(path: P): AggregateOf<SumOf<PathValue<T, P>>>;
  /** Exact mean of a number or bigint field's present values, as a number; null of none. */
  avg<P extends ScalarPath<T>>(path: P): AggregateOf<number | null>;
  /** Least present value of a string, number, date or bigint field; null of none. */
  min<P extends ScalarPath<T>>(path: P): AggregateOf<PathValue<T, P> | null>;
  /** Greatest present value of a string, number, date or bigint field; null of none. */
  max<P extends ScalarPath<T>>(path: P): AggregateOf<PathValue<T, P> | null>;
}

const TYPES: Readonly<Record<AggregateFn, ReadonlySet<FieldType>>> = {
  count: new Set<FieldType>(['string', 'number', 'boolean', 'date', 'bigint', 'array', 'object']),
  sum: new Set<FieldType>(['number', 'bigint']),
  avg: new Set<FieldType>(['number', 'bigint']),
  min: new Set<FieldType>(['string', 'number', 'date', 'bigint']),
  max: new Set<FieldType>(['string', 'number', 'date', 'bigint']),
};
const GROUPABLE: ReadonlySet<FieldType> = new Set([
  'string',
  'number',
  'boolean',
  'date',
  'bigint',
]);

/** Whether `fn` applies to a field of `type` (null = not known: accepted). */
export function aggregateApplies(fn: AggregateFn, type: FieldType | null): boolean {
  return type === null || TYPES[fn].has(type);
}

/** Checks an aggregate node against the rules above (the builder and the adapters' binding). */
export function checkAggregate(node: AggregateNode): AggregateNode {
  if (node?.kind !== 'aggregate' || typeof node.fn !== 'string' || !Object.hasOwn(TYPES, node.fn))
    throw new InvalidValueError('expected an aggregate node (build it with the aggregate helpers)');
  if (node.field === null) {
    if (node.fn !== 'count') throw new InvalidValueError(`${node.fn} needs a field`);
    return node;
  }
  if (!aggregateApplies(node.fn, node.field.type)) {
    const name = node.field.path.join('.');
    throw new UnsupportedOperatorError(
      `${node.fn} does not apply to ${node.field.type} field "${name}"`,
      { field: name },
    );
  }
  return node;
}

/** The field a group key reads. */
export function groupKeyField(key: GroupKey): FieldRef {
  return key.kind === 'dateBucket' ? key.field : key;
}

/** How a {@link DateUnit} truncates an ISO date (see {@link dateUnitPrefix}). */
export interface DateUnitPrefix {
  /** How many leading characters of the ISO date are kept. */
  readonly keep: number;
  /** What follows them: the rest of the bucket's first instant. */
  readonly rest: string;
}

const DATE_UNITS: Readonly<Record<DateUnit, DateUnitPrefix>> = {
  year: { keep: 4, rest: '-01-01T00:00:00.000Z' },
  month: { keep: 7, rest: '-01T00:00:00.000Z' },
  day: { keep: 10, rest: 'T00:00:00.000Z' },
  hour: { keep: 13, rest: ':00:00.000Z' },
};

/**
 * How a unit truncates an ISO date: keep its first `keep` characters, append `rest` (the same
 * fixed strings in every backend: ISO dates are fixed width, so truncation is a prefix).
 */
export function dateUnitPrefix(unit: DateUnit): DateUnitPrefix {
  if (typeof unit !== 'string' || !Object.hasOwn(DATE_UNITS, unit))
    throw new InvalidValueError(`unknown date unit "${String(unit)}"`);
  return DATE_UNITS[unit];
}

/** An ISO date truncated to the start of its UTC `unit`. */
export function truncateDate(iso: string, unit: DateUnit): string {
  const { keep, rest } = dateUnitPrefix(unit);
  return `${iso.slice(0, keep)}${rest}`;
}

/** Checks a group key: a scalar field, or a date bucket of a date field. */
export function checkGroupKey<K extends GroupKey>(key: K): K {
  const ref = groupKeyField(key);
  const name = ref.path.join('.');
  if (key.kind === 'dateBucket') {
    dateUnitPrefix(key.unit);
    if (ref.type !== null && ref.type !== 'date')
      throw new UnsupportedOperatorError(`cannot bucket ${ref.type} field "${name}" by date`, {
        field: name,
      });
    return key;
  }
  if (ref.type !== null && !GROUPABLE.has(ref.type)) {
    throw new UnsupportedOperatorError(`cannot group by ${ref.type} field "${name}"`, {
      field: name,
    });
  }
  return key;
}

/** Checks that the source of an aggregate only filters (see {@link AggregateQueryNode}). */
export function checkAggregateSource(source: QueryNode): QueryNode {
  if (
    source.orderBy.length > 0 ||
    source.after !== null ||
    source.skip !== 0 ||
    source.take !== null ||
    source.select !== null
  ) {
    throw new InvalidValueError(
      'an aggregate reads every row the filter selects: the spec must not order, page or select',
    );
  }
  return source;
}

/** Checks result names: identifiers, unique, and not the top-level key of a group path. */
export function checkAggregateNames(
  groupBy: readonly GroupKey[],
  aggregates: readonly NamedAggregate[],
): void {
  // Each key writes its field's path into the result row: two keys on one field (say, a date
  // and its day bucket), or on a field and a field inside it, would write the same property.
  const paths = groupBy.map((g) => groupKeyField(g).path.join('.'));
  for (const [i, a] of paths.entries()) {
    for (const b of paths.slice(i + 1)) {
      if (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`))
        throw new InvalidValueError(
          `group keys "${a}" and "${b}" would write the same result property: group by each field once`,
        );
    }
  }
  const taken = new Set(groupBy.map((g) => groupKeyField(g).path[0]!));
  for (const { name } of aggregates) {
    if (typeof name !== 'string' || !IDENTIFIER.test(name) || FORBIDDEN_KEYS.has(name))
      throw new InvalidValueError(`invalid aggregate name "${String(name)}"`);
    if (taken.has(name))
      throw new InvalidValueError(
        `aggregate name "${name}" is taken (a group key or another aggregate)`,
      );
    taken.add(name);
  }
}

/** An aggregate factory for a spec's entity (paths checked against its schema when it has one). */
export function aggregates<T>(entity: EntityDef | null): Aggregates<T> {
  const make =
    (fn: AggregateFn) =>
    (path?: string): AggregateNode =>
      checkAggregate(
        deepFreeze({
          kind: 'aggregate',
          fn,
          field: path === undefined ? null : resolveField(entity, path),
        }),
      );
  return {
    count: make('count'),
    sum: make('sum'),
    avg: make('avg'),
    min: make('min'),
    max: make('max'),
  } as unknown as Aggregates<T>;
}

/**
 * The group keys of a result row: top-level keys keep their type (null for the absent group);
 * nested keys are nested objects in the row.
 */
export type GroupColumns<T, K extends string> = {
  [P in K as P extends `${infer H}.${string}` ? H : P]: P extends `${string}.${string}`
    ? unknown
    : PathValue<T, P> | null;
};

/** The aggregate of `GroupedSpecification#count`. */
export interface GroupCount {
  /** The number of rows in the group. */
  readonly count: AggregateOf<number>;
}

/** A result row: the group keys at their paths, plus one property per aggregate. */
export type AggregateRow<T, K extends string, A> = GroupColumns<T, K> & {
  [N in keyof A]: AggregateValue<A[N]>;
};

/**
 * An immutable aggregate query over entities of type `T` whose result is `R` (rows, one value,
 * or a list of distinct values). Run it with a repository's `aggregate` or with
 * `evaluateAggregate` over items in memory.
 */
export class AggregateSpecification<T, R> {
  /** Phantom for type inference; never set. */
  declare readonly __aggregate?: {
    /** The entity type. */
    readonly item: T;
    /** The result type. */
    readonly result: R;
  };
  readonly #node: AggregateQueryNode;

  /** @internal use `Specification#aggregate` and friends */
  constructor(node: AggregateQueryNode, entity: EntityDef | null) {
    entity?.checkQuery?.(node);
    this.#node = node;
  }

  /** The aggregate query AST (immutable). */
  build(): AggregateQueryNode {
    return this.#node;
  }

  /** The AST as plain JSON data. */
  toJSON(): AggregateQueryNode {
    return this.#node;
  }

  /** Stable SHA-256 hex of the aggregate (see {@link hashAggregate}). */
  hash(): string {
    return hashAggregate(this.#node);
  }
}

const aggregateHashes = new WeakMap<AggregateQueryNode, string>();

/**
 * Stable SHA-256 hex of an aggregate query: its source's `hashQuery` (normalised, cache hint
 * excluded) with the canonical JSON of its keys, aggregates and shape. Equal meaning, equal hash,
 * in every process: a cache key for aggregate results.
 */
export function hashAggregate(node: AggregateQueryNode): string {
  const known = aggregateHashes.get(node);
  if (known !== undefined) return known;
  const hash = sha256Hex(
    canonicalJson({
      kind: node.kind,
      version: node.version,
      source: hashQuery(node.source),
      groupBy: node.groupBy,
      aggregates: node.aggregates,
      shape: node.shape,
    }),
  );
  if (Object.isFrozen(node)) aggregateHashes.set(node, hash);
  return hash;
}

/** Builds (and checks) an aggregate query node. */
export function aggregateQuery(
  source: QueryNode,
  groupBy: readonly GroupKey[],
  named: readonly NamedAggregate[],
  shape: AggregateShape,
): AggregateQueryNode {
  checkAggregateSource(source);
  for (const key of groupBy) checkGroupKey(key);
  for (const n of named) checkAggregate(n.aggregate);
  checkAggregateNames(groupBy, named);
  if (shape !== 'rows' && shape !== 'scalar' && shape !== 'values')
    throw new InvalidValueError(`unknown aggregate shape "${String(shape)}"`);
  if (shape === 'scalar' && (groupBy.length > 0 || named.length !== 1))
    throw new InvalidValueError('a scalar aggregate has one aggregate and no group by');
  if (shape === 'values' && (groupBy.length !== 1 || named.length > 0))
    throw new InvalidValueError('distinct has one group key and no aggregates');
  return deepFreeze({
    kind: 'aggregateQuery',
    version: AST_VERSION,
    source,
    groupBy,
    aggregates: named,
    shape,
  });
}

/** The named aggregates a builder callback returned, checked. */
export function namedAggregates(made: Record<string, AggregateNode>): NamedAggregate[] {
  if (typeof made !== 'object' || made === null)
    throw new InvalidValueError('aggregate() expects an object of aggregates');
  return Object.entries(made).map(([name, aggregate]) => ({
    name,
    aggregate: checkAggregate(aggregate),
  }));
}

/**
 * A specification grouped by some keys: `aggregate` computes per group, `count()` counts per
 * group. Created by `Specification#groupBy`.
 */
export class GroupedSpecification<T, K extends string> {
  readonly #entity: EntityDef | null;
  readonly #source: QueryNode;
  readonly #keys: readonly GroupKey[];

  /** @internal use `Specification#groupBy` */
  constructor(entity: EntityDef | null, source: QueryNode, keys: readonly GroupKey[]) {
    this.#entity = entity;
    this.#source = source;
    this.#keys = keys;
  }

  /** One row per group: its keys plus the aggregates `make` returns (named by their keys). */
  aggregate<A extends Record<string, AggregateOf<unknown>>>(
    make: (a: Aggregates<T>) => A,
  ): AggregateSpecification<T, AggregateRow<T, K, A>[]> {
    const named = namedAggregates(make(aggregates<T>(this.#entity)));
    return new AggregateSpecification(
      aggregateQuery(this.#source, this.#keys, named, 'rows'),
      this.#entity,
    );
  }

  /** One row per group: its keys plus `count`, the number of rows in it. */
  count(): AggregateSpecification<T, AggregateRow<T, K, GroupCount>[]> {
    return this.aggregate((a) => ({ count: a.count() }));
  }
}
