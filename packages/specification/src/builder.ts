/**
 * The typed builder. `spec(Account)` (or `spec<Account>()` without a runtime schema) returns an
 * immutable `Specification`: every method returns a new one, so a base spec can be shared and
 * extended. Field paths are checked by the compiler (`'profile.country'`), operand types follow the
 * field's type, and with a schema every path and operand is also checked at runtime.
 */

import {
  type AggregateOf,
  type AggregateRow,
  AggregateSpecification,
  type Aggregates,
  aggregateQuery,
  aggregates,
  checkGroupKey,
  GroupedSpecification,
  namedAggregates,
} from './aggregate.js';
import {
  AST_VERSION,
  type DateUnit,
  type FieldRef,
  type GroupKey,
  type KeysetNode,
  type LikeNode,
  type Literal,
  type OrderNode,
  type Predicate,
  type QueryNode,
  queryNode,
  type StringOp,
} from './ast.js';
import { InvalidValueError, UnsupportedOperatorError } from './errors.js';
import { isSatisfiedBy } from './evaluate.js';
import { deepFreeze, hashQuery } from './normalize.js';
import {
  checkIgnoreCase,
  checkOperator,
  checkOrderedLiteral,
  checkSameType,
  type OperatorName,
  orderable,
  resolveField,
} from './rules.js';
import type { EntityDef, InferShape, Shape } from './schema.js';
import { compileLike, toLiteral } from './values.js';

// ---------------------------------------------------------------------------------------------
// Type-level paths

type Prev = [never, 0, 1, 2, 3, 4, 5];
/**
 * Values `Path` does not descend into.
 *
 * @inline
 */
type Leafy = readonly unknown[] | Date | bigint;

/** Every dotted path into `T` (objects are descended up to 5 levels; arrays and Dates are leaves). */
export type Path<T, D extends number = 5> = [D] extends [never]
  ? never
  : unknown extends T
    ? string
    : T extends object
      ? {
          [K in keyof T & string]-?: NonNullable<T[K]> extends Leafy
            ? K
            : NonNullable<T[K]> extends object
              ? K | `${K}.${Path<NonNullable<T[K]>, Prev[D]>}`
              : K;
        }[keyof T & string]
      : never;

/** The (non-null) type at a dotted path. */
export type PathValue<T, P extends string> = unknown extends T
  ? unknown
  : P extends `${infer H}.${infer R}`
    ? H extends keyof T
      ? unknown extends T[H]
        ? unknown
        : PathValue<NonNullable<T[H]>, R>
      : never
    : P extends keyof T
      ? unknown extends T[P]
        ? unknown
        : NonNullable<T[P]>
      : never;

/**
 * A value a scalar field can be compared with.
 *
 * @inline
 */
type Scalar = string | number | boolean | Date | bigint;
/** The paths of `T` whose value type is `V` (or not known). */
type PathsWhere<T, V> = {
  [P in Path<T>]: unknown extends PathValue<T, P> ? P : PathValue<T, P> extends V ? P : never;
}[Path<T>];

/** Paths to scalar fields (comparable, orderable). */
export type ScalarPath<T> = PathsWhere<T, Scalar>;
/** Paths to string fields (string operators). */
export type StringPath<T> = PathsWhere<T, string>;
/** Paths to array fields. */
export type ArrayPath<T> = PathsWhere<T, readonly unknown[]>;

/**
 * What an operand may be for a field of type V: dates and bigints are strings in the entity type
 * (JSON has neither), so a string field also accepts a `Date` or a `bigint`, converted according
 * to the declared field type (and rejected at runtime when it does not fit).
 */
export type Operand<V> = unknown extends V
  ? Scalar
  : V extends string
    ? string | Date | bigint
    : V extends number
      ? number
      : V extends boolean
        ? boolean
        : V extends Date
          ? Date | string
          : V extends bigint
            ? bigint | string
            : never;

/**
 * The element type of an array type.
 *
 * @inline
 */
type ElementOf<V> = V extends readonly (infer E)[] ? E : unknown;

/** Options of the string predicates that can ignore case. */
export interface CaseOptions {
  /** Compare ASCII letters case-insensitively (A-Z = a-z; nothing else is folded). */
  ignoreCase?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Predicate factory

/** Builds predicate nodes for entity type `T`. Passed to `Specification#where(w => ...)`. */
export interface Where<T> {
  /** `field = value`. A date or bigint field also takes a `Date` or a `bigint`. */
  eq<P extends ScalarPath<T>>(
    path: P,
    value: Operand<PathValue<T, P>>,
    options?: CaseOptions,
  ): Predicate;
  /**
   * `field != value`. Like every comparison it never matches an absent field: write
   * `or(ne(f, v), isNull(f))` to include those.
   */
  ne<P extends ScalarPath<T>>(
    path: P,
    value: Operand<PathValue<T, P>>,
    options?: CaseOptions,
  ): Predicate;
  /** `field < value` (never matches an absent field). */
  lt<P extends ScalarPath<T>>(path: P, value: Operand<PathValue<T, P>>): Predicate;
  /** `field <= value` (never matches an absent field). */
  lte<P extends ScalarPath<T>>(path: P, value: Operand<PathValue<T, P>>): Predicate;
  /** `field > value` (never matches an absent field). */
  gt<P extends ScalarPath<T>>(path: P, value: Operand<PathValue<T, P>>): Predicate;
  /** `field >= value` (never matches an absent field). */
  gte<P extends ScalarPath<T>>(path: P, value: Operand<PathValue<T, P>>): Predicate;
  /** The field equals one of `values` (an empty list matches nothing). */
  in<P extends ScalarPath<T>>(
    path: P,
    values: readonly Operand<PathValue<T, P>>[],
    options?: CaseOptions,
  ): Predicate;
  /**
   * The field is present and equals none of `values` (an empty list matches every item, absent
   * fields included).
   */
  notIn<P extends ScalarPath<T>>(
    path: P,
    values: readonly Operand<PathValue<T, P>>[],
    options?: CaseOptions,
  ): Predicate;
  /** Inclusive at both ends. */
  between<P extends ScalarPath<T>>(
    path: P,
    low: Operand<PathValue<T, P>>,
    high: Operand<PathValue<T, P>>,
  ): Predicate;
  /** True when the field is null or missing. */
  isNull(path: Path<T>): Predicate;
  /** True when the field is present and not null. */
  exists(path: Path<T>): Predicate;
  /** Alias of `exists`. */
  isDefined(path: Path<T>): Predicate;
  /** The string field starts with `value` (a plain string, no wildcards). */
  startsWith(path: StringPath<T>, value: string, options?: CaseOptions): Predicate;
  /** The string field ends with `value`. */
  endsWith(path: StringPath<T>, value: string, options?: CaseOptions): Predicate;
  /** Substring test (not array membership; see `arrayContains`). */
  contains(path: StringPath<T>, value: string, options?: CaseOptions): Predicate;
  /** `%` = any run, `_` = one character, `\` escapes. */
  like(path: StringPath<T>, pattern: string, options?: CaseOptions): Predicate;
  /** The array field has an element equal to `value`. */
  arrayContains<P extends ArrayPath<T>>(
    path: P,
    value: Operand<ElementOf<PathValue<T, P>>>,
  ): Predicate;
  /** The array field has an element equal to one of `values` (none: false). */
  arrayContainsAny<P extends ArrayPath<T>>(
    path: P,
    values: readonly Operand<ElementOf<PathValue<T, P>>>[],
  ): Predicate;
  /** All of `operands` (none: true). */
  and(...operands: Predicate[]): Predicate;
  /** Any of `operands` (none: false). */
  or(...operands: Predicate[]): Predicate;
  /** The negation of `operand`. */
  not(operand: Predicate): Predicate;
  /** The constant `true` (matches every item). */
  always(): Predicate;
  /** The constant `false` (matches nothing). */
  never(): Predicate;
}

function checkPredicate(p: unknown): Predicate {
  if (typeof p !== 'object' || p === null || typeof (p as { kind?: unknown }).kind !== 'string') {
    throw new InvalidValueError('expected a predicate node (build it with the Where helpers)');
  }
  return p as Predicate;
}

/** A predicate factory for `T`; with an entity, paths and operands are checked against its schema. */
export function predicates<S extends Shape>(entity: EntityDef<S>): Where<InferShape<S>>;
export function predicates<T = Record<string, unknown>>(entity?: null): Where<T>;
// biome-ignore lint/suspicious/noExplicitAny: implementation signature of typed overloads
export function predicates(entity: EntityDef<any> | null = null): Where<any> {
  const ref = (path: string, op: OperatorName): FieldRef => {
    const f = resolveField(entity, path);
    checkOperator(op, f);
    return f;
  };
  const compare =
    (op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte') =>
    (path: string, value: unknown, options: CaseOptions = {}): Predicate => {
      const field = ref(path, op);
      const lit = toLiteral(value, field);
      if (op !== 'eq' && op !== 'ne') checkOrderedLiteral(lit, field);
      const ignoreCase = options.ignoreCase === true;
      checkIgnoreCase(ignoreCase, [lit], field);
      return deepFreeze({ kind: 'compare', op, field, value: lit, ignoreCase });
    };
  const list =
    (op: 'in' | 'notIn') =>
    (path: string, values: readonly unknown[], options: CaseOptions = {}): Predicate => {
      const field = ref(path, op);
      if (!Array.isArray(values))
        throw new InvalidValueError(`${op} expects an array of values`, { field: path });
      const lits = values.map((v) => toLiteral(v, field));
      checkSameType(lits, field);
      const ignoreCase = options.ignoreCase === true;
      checkIgnoreCase(ignoreCase, lits, field);
      return deepFreeze({ kind: 'in', op, field, values: lits, ignoreCase });
    };
  const str =
    (op: StringOp) =>
    (path: string, value: string, options: CaseOptions = {}): Predicate => {
      const field = ref(path, op);
      if (typeof value !== 'string')
        throw new InvalidValueError(`${op} expects a string`, { field: path });
      return deepFreeze({
        kind: 'stringMatch',
        op,
        field,
        value,
        ignoreCase: options.ignoreCase === true,
      });
    };
  const contains = (path: string, values: readonly unknown[]): Predicate => {
    const field = ref(path, 'arrayContains');
    const elementRef: FieldRef = {
      ...field,
      type: field.type === 'array' ? (field.element ?? null) : null,
    };
    const lits = values.map((v) => toLiteral(v, elementRef));
    checkSameType(lits, field);
    return deepFreeze({ kind: 'arrayContains', field, values: lits });
  };
  const exists = (path: string): Predicate =>
    deepFreeze({ kind: 'exists', field: ref(path, 'exists') });
  return {
    eq: compare('eq'),
    ne: compare('ne'),
    lt: compare('lt'),
    lte: compare('lte'),
    gt: compare('gt'),
    gte: compare('gte'),
    in: list('in'),
    notIn: list('notIn'),
    between: (path: string, low: unknown, high: unknown) => {
      const field = ref(path, 'between');
      const lo = toLiteral(low, field, 'low');
      const hi = toLiteral(high, field, 'high');
      checkOrderedLiteral(lo, field);
      checkSameType([lo, hi], field);
      return deepFreeze({ kind: 'between', field, low: lo, high: hi });
    },
    isNull: (path: string) => deepFreeze({ kind: 'isNull', field: ref(path, 'isNull') }),
    exists,
    isDefined: exists,
    startsWith: str('startsWith'),
    endsWith: str('endsWith'),
    contains: str('contains'),
    like: (path: string, pattern: string, options: CaseOptions = {}) => {
      const field = ref(path, 'like');
      if (typeof pattern !== 'string')
        throw new InvalidValueError('like expects a string pattern', { field: path });
      compileLike(pattern, false); // validates escapes now rather than at evaluation
      return deepFreeze({ kind: 'like', field, pattern, ignoreCase: options.ignoreCase === true });
    },
    arrayContains: (path: string, value: unknown) => contains(path, [value]),
    arrayContainsAny: (path: string, values: readonly unknown[]) => contains(path, values),
    and: (...operands: Predicate[]) =>
      deepFreeze({ kind: 'and', operands: operands.map(checkPredicate) }),
    or: (...operands: Predicate[]) =>
      deepFreeze({ kind: 'or', operands: operands.map(checkPredicate) }),
    not: (operand: Predicate) => deepFreeze({ kind: 'not', operand: checkPredicate(operand) }),
    always: () => deepFreeze({ kind: 'const', value: true }),
    never: () => deepFreeze({ kind: 'const', value: false }),
    // biome-ignore lint/suspicious/noExplicitAny: implementation signature of typed overloads
  } as unknown as Where<any>;
}

// ---------------------------------------------------------------------------------------------
// Specification

/** What a specification holds: the query node's parts, with the filter still in pieces. */
interface State
  extends Pick<QueryNode, 'orderBy' | 'after' | 'skip' | 'take' | 'select' | 'cache'> {
  readonly wheres: readonly Predicate[];
  readonly search: ReadonlyMap<number, readonly LikeNode[]>;
}

/** Options of {@link spec} without an entity schema. */
export interface SpecOptions {
  /** Id field (tiebreaker) when no entity schema is given. Default `'id'`. */
  id?: string;
}

/** Options of {@link Specification.cache}. */
export interface CacheOptions {
  /** Time to live in milliseconds (a positive integer). */
  ttl: number;
  /** Invalidation tags. */
  tags?: readonly string[];
}

/**
 * Ascending or descending.
 *
 * @inline
 */
type Direction = 'asc' | 'desc';

function checkCount(name: string, n: unknown, min: number): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new InvalidValueError(`${name} must be an integer >= ${min}`);
  }
  return n;
}

/**
 * An immutable specification of a query over entities of type `T`, producing results of type `R`
 * (`T` unless projected with `select`).
 */
export class Specification<T, R = T> {
  /** Phantom for type inference in `evaluate` & co; never set. */
  declare readonly __types?: {
    /** The entity type. */
    readonly item: T;
    /** The result type (the entity, or its projection). */
    readonly result: R;
  };
  readonly #state: State;
  readonly #entity: EntityDef | null;
  readonly #idField: FieldRef;
  #built: QueryNode | undefined;

  /** @internal use `spec()` */
  constructor(entity: EntityDef | null, idField: FieldRef, state: State) {
    this.#entity = entity;
    this.#idField = idField;
    this.#state = state;
  }

  /** The entity schema this spec was built against, if any. */
  get entity(): EntityDef | null {
    return this.#entity;
  }

  #with<R2 = R>(patch: Partial<State>): Specification<T, R2> {
    const next = new Specification<T, R2>(this.#entity, this.#idField, {
      ...this.#state,
      ...patch,
    });
    this.#entity?.checkQuery?.(next.build());
    return next;
  }

  /** Adds a filter; several `where` calls are ANDed. */
  where(predicate: Predicate | ((w: Where<T>) => Predicate)): Specification<T, R> {
    const p =
      typeof predicate === 'function'
        ? predicate(predicates(this.#entity as never) as unknown as Where<T>)
        : predicate;
    return this.#with({ wheres: [...this.#state.wheres, checkPredicate(p)] });
  }

  #order(path: string, direction: Direction): OrderNode {
    if (direction !== 'asc' && direction !== 'desc')
      throw new InvalidValueError('direction must be "asc" or "desc"');
    const field = resolveField(this.#entity, path);
    if (!orderable(field.type)) {
      throw new UnsupportedOperatorError(`cannot order by ${field.type} field "${path}"`, {
        field: path,
      });
    }
    return deepFreeze({ kind: 'order', field, direction });
  }

  /** Starts the ordering (replacing any previous one). The id tiebreaker is always appended. */
  orderBy(path: ScalarPath<T>, direction: Direction = 'asc'): Specification<T, R> {
    return this.#with({ orderBy: [this.#order(path, direction)] });
  }

  /** `orderBy(path, 'desc')`. */
  orderByDescending(path: ScalarPath<T>): Specification<T, R> {
    return this.orderBy(path, 'desc');
  }

  /** Adds a secondary order key. */
  thenBy(path: ScalarPath<T>, direction: Direction = 'asc'): Specification<T, R> {
    return this.#with({ orderBy: [...this.#state.orderBy, this.#order(path, direction)] });
  }

  /** `thenBy(path, 'desc')`. */
  thenByDescending(path: ScalarPath<T>): Specification<T, R> {
    return this.thenBy(path, 'desc');
  }

  /**
   * Orders by a field name that arrived as a string (e.g. `?sort=profile.country`), validated at
   * runtime against the schema: throws `UnknownFieldError` for undeclared or malformed names.
   * Appends to the current ordering (`thenBy`) when `append` is true.
   */
  orderByField(name: string, direction: Direction = 'asc', append = false): Specification<T, R> {
    const o = this.#order(name, direction);
    return this.#with({ orderBy: append ? [...this.#state.orderBy, o] : [o] });
  }

  /** Offset paging: skips `count` items (after ordering). */
  skip(count: number): Specification<T, R> {
    return this.#with({ skip: checkCount('skip', count, 0) });
  }

  /** Returns at most `count` items. */
  take(count: number): Specification<T, R> {
    return this.#with({ take: checkCount('take', count, 0) });
  }

  /** Offset paging: 1-based page number and page size. */
  page(pageNumber: number, pageSize: number): Specification<T, R> {
    checkCount('pageNumber', pageNumber, 1);
    checkCount('pageSize', pageSize, 1);
    return this.#with({ skip: checkCount('skip', (pageNumber - 1) * pageSize, 0), take: pageSize });
  }

  /**
   * Keyset paging: results start strictly after the row described by `keyset` (decode one from
   * an opaque cursor with `@mystira/specification/cursor`). `null` clears it.
   */
  after(keyset: KeysetNode | null): Specification<T, R> {
    if (keyset !== null && (typeof keyset !== 'object' || keyset.kind !== 'keyset')) {
      throw new InvalidValueError('after() expects a keyset node');
    }
    return this.#with({ after: keyset });
  }

  /**
   * Projection to a subset of fields. The result type keeps the selected top-level properties
   * (a nested path keeps its whole top-level property in the type, but only the path at runtime).
   */
  select<P extends Path<T>>(...paths: P[]): Specification<T, Pick<T, Extract<TopKey<P>, keyof T>>> {
    if (paths.length === 0) throw new InvalidValueError('select() needs at least one field');
    const refs = paths.map((p) => resolveField(this.#entity, p));
    return this.#with({ select: refs });
  }

  /**
   * Ardalis-style search: `pattern` is a LIKE pattern matched against `path`. Terms in one group
   * are ORed, groups are ANDed (and ANDed with `where`).
   */
  search(
    path: StringPath<T>,
    pattern: string,
    group = 1,
    options: CaseOptions = {},
  ): Specification<T, R> {
    checkCount('search group', group, 0);
    const like = predicates(this.#entity as never).like(
      path as never,
      pattern,
      options,
    ) as LikeNode;
    const search = new Map(this.#state.search);
    search.set(group, [...(search.get(group) ?? []), like]);
    return this.#with({ search });
  }

  /** A hint for cache decorators; does not change the result or the hash. */
  cache(options: CacheOptions): Specification<T, R> {
    const ttl = checkCount('cache ttl', options.ttl, 1);
    const tags = [...(options.tags ?? [])];
    for (const t of tags) {
      if (typeof t !== 'string' || t.length === 0 || t.length > 256) {
        throw new InvalidValueError(
          'cache tags must be non-empty strings of at most 256 characters',
        );
      }
    }
    return this.#with({ cache: deepFreeze({ kind: 'cache', ttlMs: ttl, tags }) });
  }

  // ---- aggregates (rules: aggregate.ts and the README's semantics table) -------------------

  /**
   * Groups the rows `where` selects by these scalar fields (missing and null: one null group); a
   * `[path, unit]` key groups a date field by its UTC `year`, `month`, `day` or `hour` (the key is
   * the bucket's first instant, e.g. `2024-05-01T00:00:00.000Z`).
   */
  groupBy<K extends ScalarPath<T>>(
    ...keys: (K | readonly [K, DateUnit])[]
  ): GroupedSpecification<T, K> {
    if (keys.length === 0) throw new InvalidValueError('groupBy() needs at least one field');
    const nodes = keys.map((k): GroupKey => {
      if (typeof k === 'string') return checkGroupKey(resolveField(this.#entity, k));
      if (!Array.isArray(k) || k.length !== 2)
        throw new InvalidValueError('a groupBy key is a path or a [path, unit] pair');
      const [path, unit] = k as readonly [string, DateUnit];
      return checkGroupKey(
        deepFreeze({ kind: 'dateBucket', field: resolveField(this.#entity, path), unit }),
      );
    });
    return new GroupedSpecification<T, K>(this.#entity, this.build(), nodes);
  }

  /** One row of the aggregates `make` returns over every row `where` selects (even of none). */
  aggregate<A extends Record<string, AggregateOf<unknown>>>(
    make: (a: Aggregates<T>) => A,
  ): AggregateSpecification<T, AggregateRow<T, never, A>> {
    const named = namedAggregates(make(aggregates<T>(this.#entity)));
    const node = aggregateQuery(this.build(), [], named, 'rows');
    return new AggregateSpecification(node, this.#entity) as unknown as AggregateSpecification<
      T,
      AggregateRow<T, never, A>
    >;
  }

  #scalar<V>(make: (a: Aggregates<T>) => AggregateOf<V>): AggregateSpecification<T, V> {
    const named = namedAggregates({ value: make(aggregates<T>(this.#entity)) });
    return new AggregateSpecification(
      aggregateQuery(this.build(), [], named, 'scalar'),
      this.#entity,
    );
  }

  /** Rows `where` selects (`count(*)`), or with a field, those where it is present. */
  count(path?: Path<T>): AggregateSpecification<T, number> {
    return this.#scalar((a) => a.count(path));
  }

  /** Exact sum of a number or bigint field (a number, or a bigint's decimal string); null of none. */
  sum<P extends ScalarPath<T>>(path: P) {
    return this.#scalar((a) => a.sum(path));
  }

  /** Exact mean of a number or bigint field, as a number; null of no values. */
  avg<P extends ScalarPath<T>>(path: P): AggregateSpecification<T, number | null> {
    return this.#scalar((a) => a.avg(path));
  }

  /** Least present value of a string, number, date or bigint field; null of none. */
  min<P extends ScalarPath<T>>(path: P): AggregateSpecification<T, PathValue<T, P> | null> {
    return this.#scalar((a) => a.min(path));
  }

  /** Greatest present value of a string, number, date or bigint field; null of none. */
  max<P extends ScalarPath<T>>(path: P): AggregateSpecification<T, PathValue<T, P> | null> {
    return this.#scalar((a) => a.max(path));
  }

  /** Every distinct value of a scalar field once, null (absent) first, then ascending. */
  distinct<P extends ScalarPath<T>>(
    path: P,
  ): AggregateSpecification<T, (PathValue<T, P> | null)[]> {
    const key = checkGroupKey(resolveField(this.#entity, path));
    return new AggregateSpecification(
      aggregateQuery(this.build(), [key], [], 'values'),
      this.#entity,
    );
  }

  /** The query AST (immutable, memoised). */
  build(): QueryNode {
    if (this.#built) return this.#built;
    const s = this.#state;
    const operands: Predicate[] = [...s.wheres];
    for (const group of [...s.search.keys()].sort((a, b) => a - b)) {
      operands.push({ kind: 'or', operands: s.search.get(group)! });
    }
    const where: Predicate | null =
      operands.length === 0
        ? null
        : operands.length === 1
          ? operands[0]!
          : { kind: 'and', operands };
    this.#built = deepFreeze({
      kind: 'query',
      version: AST_VERSION,
      entity: this.#entity?.name ?? null,
      idField: this.#idField,
      where,
      orderBy: s.orderBy,
      after: s.after,
      skip: s.skip,
      take: s.take,
      select: s.select,
      cache: s.cache,
    } satisfies QueryNode);
    return this.#built;
  }

  /** The AST as plain JSON data (`JSON.stringify(spec)` works too); read back with `fromJSON`. */
  toJSON(): QueryNode {
    return this.build();
  }

  /** Stable SHA-256 hex of the normalised query (cache hint excluded); see `hashQuery`. */
  hash(): string {
    return hashQuery(this.build());
  }

  /** Whether `item` matches the filter (order, paging and keyset are ignored). */
  isSatisfiedBy(item: T): boolean {
    return isSatisfiedBy(this.build(), item);
  }
}

/**
 * The top-level property of a dotted path.
 *
 * @inline
 */
type TopKey<P> = P extends `${infer H}.${string}` ? H : P;

const EMPTY: State = emptyState();

/** A new builder's state: no conditions yet, and every other clause as `queryNode` leaves it. */
function emptyState(): State {
  const { orderBy, after, skip, take, select, cache } = queryNode(null);
  return { wheres: [], search: new Map(), orderBy, after, skip, take, select, cache };
}

/** Starts a specification for an entity declared with `entity()` (runtime-checked paths and values). */
export function spec<S extends Shape>(entity: EntityDef<S>): Specification<InferShape<S>>;
/** Starts a specification for a TypeScript type only (paths type-checked; values typed by their JS type). */
export function spec<T = Record<string, unknown>>(options?: SpecOptions): Specification<T>;
// biome-ignore lint/suspicious/noExplicitAny: implementation signature of typed overloads
export function spec(arg?: EntityDef<any> | SpecOptions): Specification<any> {
  if (arg && (arg as EntityDef).kind === 'entity') {
    const e = arg as EntityDef;
    return new Specification(e, resolveField(e, e.id), EMPTY);
  }
  const id = (arg as SpecOptions | undefined)?.id ?? 'id';
  return new Specification(null, resolveField(null, id), EMPTY);
}

/** Wraps an existing query node (e.g. from `fromJSON`) back into a typed specification. */
export function fromQuery<T = Record<string, unknown>>(
  query: QueryNode,
  entity: EntityDef | null = null,
): Specification<T> {
  const wheres = query.where ? [query.where] : [];
  entity?.checkQuery?.(query);
  return new Specification<T>(entity, query.idField, {
    ...EMPTY,
    wheres,
    orderBy: query.orderBy,
    after: query.after,
    skip: query.skip,
    take: query.take,
    select: query.select,
    cache: query.cache,
  });
}

export type { Literal };
