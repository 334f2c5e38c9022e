/**
 * The specification AST: plain, immutable, JSON-serializable data with a `kind` on every node.
 *
 * The builder produces it, `fromJSON` validates it, the normalising passes rewrite it, and each
 * backend (in-memory evaluator here; PostgreSQL and Cosmos DB compilers in their adapters) walks
 * it. Identifiers (`FieldRef.path`, a list of validated segments) and values (`Literal.value`)
 * live in different node kinds, so a compiler quotes the one and binds the other and can never
 * confuse them. The normative meaning of every node is the semantics table in the README.
 */

/** Bumped on any change a v1 reader could misread. `fromJSON` rejects other versions. */
export const AST_VERSION = 1 as const;

/**
 * The value types a field can hold. `date` is an ISO 8601 UTC string (`Date#toISOString()`
 * form); `bigint` is a canonical decimal integer string. Both travel as JSON strings.
 */
export type ScalarType = 'string' | 'number' | 'boolean' | 'date' | 'bigint';
/** The declared type of a field: a scalar, an array (of scalars), or a nested object. */
export type FieldType = ScalarType | 'array' | 'object';

/**
 * A reference to an entity field. `path` is the list of property names from the document root
 * (`['profile', 'country']`); every segment matches `IDENTIFIER` and is never a reserved key.
 * `type` is the declared type when the spec was built against an entity schema (compilers use it
 * to choose casts, e.g. `::numeric` for bigint), or `null` when it is not known.
 * For arrays, `type` is `'array'` and `element` is the element's scalar type when known.
 */
export interface FieldRef {
  /** Tags a field reference. */
  readonly kind: 'field';
  /** Property names from the document root, e.g. `['profile', 'country']`. */
  readonly path: readonly string[];
  /** The declared type, or null when the spec was built without a schema. */
  readonly type: FieldType | null;
  /** For an array field: its elements' scalar type, when known. */
  readonly element?: ScalarType | null;
}

/** A constant operand, always bound as a parameter by SQL compilers. Never null. */
export interface Literal {
  /** Tags a literal. */
  readonly kind: 'value';
  /** The value's type; decides how compilers cast it. */
  readonly type: ScalarType;
  /** string for string/date/bigint, finite number (never -0) for number, boolean for boolean. */
  readonly value: string | number | boolean;
}

/** The comparison operators: equal, not equal, less than, at most, greater than, at least. */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
/** The substring tests of {@link StringMatchNode}. */
export type StringOp = 'startsWith' | 'endsWith' | 'contains';

/** `field <op> value`. `ignoreCase` is only allowed for `eq`/`ne` on string literals. */
export interface CompareNode {
  /** Tags a comparison. */
  readonly kind: 'compare';
  /** The operator. */
  readonly op: CompareOp;
  /** The compared field. */
  readonly field: FieldRef;
  /** The value it is compared with. */
  readonly value: Literal;
  /** Compare strings ignoring ASCII case (A-Z and a-z match; other letters do not fold). */
  readonly ignoreCase: boolean;
}

/** `field IN (values)` / `field NOT IN (values)`: defined as the OR of `eq` / AND of `ne`. */
export interface InNode {
  /** Tags a membership test. */
  readonly kind: 'in';
  /** `in` (any value matches) or `notIn` (none does). */
  readonly op: 'in' | 'notIn';
  /** The tested field. */
  readonly field: FieldRef;
  /** The values; an empty list makes `in` false and `notIn` true. */
  readonly values: readonly Literal[];
  /** Compare strings ignoring ASCII case. */
  readonly ignoreCase: boolean;
}

/** `low <= field <= high` (both inclusive): defined as `gte(low) AND lte(high)`. */
export interface BetweenNode {
  /** Tags a range test. */
  readonly kind: 'between';
  /** The tested field. */
  readonly field: FieldRef;
  /** The lower bound, inclusive. */
  readonly low: Literal;
  /** The upper bound, inclusive. */
  readonly high: Literal;
}

/** True when the field is null or missing. Never unknown. */
export interface IsNullNode {
  /** Tags a null test. */
  readonly kind: 'isNull';
  /** The tested field. */
  readonly field: FieldRef;
}

/** True when the field is present and not null (the negation of `isNull`). Never unknown. */
export interface ExistsNode {
  /** Tags a presence test. */
  readonly kind: 'exists';
  /** The tested field. */
  readonly field: FieldRef;
}

/** Substring tests on a string field. `value` is a plain string (no wildcards). */
export interface StringMatchNode {
  /** Tags a substring test. */
  readonly kind: 'stringMatch';
  /** Which end (or anywhere) `value` must appear at. */
  readonly op: StringOp;
  /** The string field tested. */
  readonly field: FieldRef;
  /** The substring. */
  readonly value: string;
  /** Match ignoring ASCII case. */
  readonly ignoreCase: boolean;
}

/**
 * SQL-style LIKE with exactly two wildcards: `%` (any run of code points) and `_` (exactly one
 * code point). `\` escapes `%`, `_` and `\`; every other character (including `[`) is literal.
 */
export interface LikeNode {
  /** Tags a LIKE test. */
  readonly kind: 'like';
  /** The string field tested. */
  readonly field: FieldRef;
  /** The pattern, with `%` and `_` wildcards and `\` escapes. */
  readonly pattern: string;
  /** Match ignoring ASCII case. */
  readonly ignoreCase: boolean;
}

/** The array field contains at least one element equal to one of `values`. */
export interface ArrayContainsNode {
  /** Tags an array test. */
  readonly kind: 'arrayContains';
  /** The array field tested. */
  readonly field: FieldRef;
  /** Any one of these found among the elements makes the test true. */
  readonly values: readonly Literal[];
}

/** The conjunction of its operands, in three-valued logic like SQL's; with none it is true. */
export interface AndNode {
  /** Tags a conjunction. */
  readonly kind: 'and';
  /** The conjuncts. */
  readonly operands: readonly Predicate[];
}

/** The disjunction of its operands, in three-valued logic like SQL's; with none it is false. */
export interface OrNode {
  /** Tags a disjunction. */
  readonly kind: 'or';
  /** The disjuncts. */
  readonly operands: readonly Predicate[];
}

/** The negation of a predicate. */
export interface NotNode {
  /** Tags a negation. */
  readonly kind: 'not';
  /** The negated predicate. */
  readonly operand: Predicate;
}

/** A constant truth value (produced by folding, e.g. `in []` is `false`). */
export interface ConstNode {
  /** Tags a constant. */
  readonly kind: 'const';
  /** The truth value. */
  readonly value: boolean;
}

/** A predicate on one field (every predicate node but the connectives and constants). */
export type LeafPredicate =
  | CompareNode
  | InNode
  | BetweenNode
  | IsNullNode
  | ExistsNode
  | StringMatchNode
  | LikeNode
  | ArrayContainsNode;

/** A filter: a tree of leaf tests combined by AND, OR and NOT. */
export type Predicate = LeafPredicate | AndNode | OrNode | NotNode | ConstNode;

/** One sort key. */
export interface OrderNode {
  /** Tags a sort key. */
  readonly kind: 'order';
  /** The field sorted on. */
  readonly field: FieldRef;
  /** Ascending or descending. */
  readonly direction: 'asc' | 'desc';
}

/**
 * "Start after this row" for keyset paging: one entry per effective order key (the spec's orders
 * followed by the id tiebreaker), `null` where the row's value was absent. Produced by decoding a
 * cursor; `normalize()` turns it into an ordinary predicate so compilers never see it.
 */
export interface KeysetNode {
  /** Tags a keyset position. */
  readonly kind: 'keyset';
  /** The row's value for each effective order key, null where it was absent. */
  readonly values: readonly (Literal | null)[];
}

/** Result-cache hint for cache decorators. Not part of the hash: it does not change the answer. */
export interface CacheHint {
  /** Tags a cache hint. */
  readonly kind: 'cache';
  /** How long a cached result may be served, in ms. */
  readonly ttlMs: number;
  /** Tags to invalidate the cached result by. */
  readonly tags: readonly string[];
}

/** The root node. */
export interface QueryNode {
  /** Tags the root. */
  readonly kind: 'query';
  /** The AST version ({@link AST_VERSION}). */
  readonly version: typeof AST_VERSION;
  /** Entity (container/table) name when built against an entity schema, else null. */
  readonly entity: string | null;
  /** The unique id field, used as the final ordering tiebreaker. */
  readonly idField: FieldRef;
  /** The filter, or null for every item. */
  readonly where: Predicate | null;
  /** The sort keys, most significant first; the id field breaks the remaining ties. */
  readonly orderBy: readonly OrderNode[];
  /** Keyset paging: start after this row, or null to start at the beginning. */
  readonly after: KeysetNode | null;
  /** Items skipped before the first one returned (offset paging). */
  readonly skip: number;
  /** Most items returned, or null for no limit. */
  readonly take: number | null;
  /** Projection: only these fields (with their parents) appear in results; null = whole item. */
  readonly select: readonly FieldRef[] | null;
  /** A result-cache hint, or null. */
  readonly cache: CacheHint | null;
}

/**
 * A query node that matches `where` (every item when null) with every other clause empty: no
 * ordering beyond the id, no paging, no projection, no cache hint. For code that builds or
 * translates ASTs directly (a specification's `build()` is the usual way to get one); `parts`
 * overrides any clause.
 */
export function queryNode(
  where: Predicate | null,
  parts: Partial<Omit<QueryNode, 'kind' | 'version' | 'where'>> = {},
): QueryNode {
  return {
    kind: 'query',
    version: AST_VERSION,
    entity: null,
    idField: { kind: 'field', path: ['id'], type: null },
    where,
    orderBy: [],
    after: null,
    skip: 0,
    take: null,
    select: null,
    cache: null,
    ...parts,
  };
}

/** Any node of the AST. */
export type Node = QueryNode | Predicate | OrderNode | KeysetNode | CacheHint | FieldRef | Literal;

/** Property names a segment may use: conservative, so every backend can quote it safely. */
export const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;

/** Keys that can reach `Object.prototype` through naive property writes; never valid anywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/** `Date#toISOString()` form, the only accepted date representation (fixed width, so ordered). */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Canonical decimal integer: no leading zeros, no plus sign, no `-0`. */
export const CANONICAL_BIGINT = /^(?:0|-?[1-9]\d*)$/;

/** The dotted name of a field reference or path, e.g. `profile.country`. */
export function fieldName(ref: FieldRef | readonly string[]): string {
  return ('kind' in ref ? ref.path : ref).join('.');
}

// ---------------------------------------------------------------------------------------------
// Aggregates (the semantics are the README's aggregate rows; aggregate.ts states them in full)

/** The aggregate functions. `count` with a null field is `count(*)`. */
export type AggregateFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** One aggregate: a function of a field's values over the rows of a group. */
export interface AggregateNode {
  /** Tags an aggregate. */
  readonly kind: 'aggregate';
  /** The function. */
  readonly fn: AggregateFn;
  /** The field aggregated; null only for `count` (every row: `count(*)`). */
  readonly field: FieldRef | null;
}

/** A named aggregate of an {@link AggregateQueryNode}: the result row's property `name`. */
export interface NamedAggregate {
  /** The result property (an identifier, unique in the query). */
  readonly name: string;
  /** What is computed. */
  readonly aggregate: AggregateNode;
}

/** A calendar unit a date is grouped by, in UTC. */
export type DateUnit = 'year' | 'month' | 'day' | 'hour';

/**
 * A group key of a date field truncated to the start of its UTC year, month, day or hour: the key
 * is that instant as an ISO date (`2024-05-01T00:00:00.000Z` for a day), so it orders like dates.
 */
export interface DateBucketNode {
  /** Tags a date bucket. */
  readonly kind: 'dateBucket';
  /** The date field. */
  readonly field: FieldRef;
  /** The unit the date is truncated to. */
  readonly unit: DateUnit;
}

/** A group key: a scalar field, or a date field's calendar bucket. */
export type GroupKey = FieldRef | DateBucketNode;

/**
 * How a result is shaped: `rows` (one object per group: the group keys at their paths plus one
 * property per aggregate; without a group by, the one row itself rather than a list), `scalar` (the only aggregate's value of the only row: no group by),
 * `values` (the group keys' values of a one-key group by: `distinct`).
 */
export type AggregateShape = 'rows' | 'scalar' | 'values';

/**
 * An aggregate query: the rows matching `source.where`, grouped by `groupBy` (none: one group of
 * every row, present even when no row matches), each group reduced by `aggregates`. The source's
 * order, keyset, paging and projection must be unset (the builder refuses them).
 */
export interface AggregateQueryNode {
  /** Tags an aggregate query. */
  readonly kind: 'aggregateQuery';
  /** The AST version ({@link AST_VERSION}). */
  readonly version: typeof AST_VERSION;
  /** The query whose `where` selects the rows. */
  readonly source: QueryNode;
  /** The group keys (scalar fields or date buckets), most significant first; groups come in their order. */
  readonly groupBy: readonly GroupKey[];
  /** The aggregates computed per group, in result property order. */
  readonly aggregates: readonly NamedAggregate[];
  /** The result's shape. */
  readonly shape: AggregateShape;
}
