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
export type FieldType = ScalarType | 'array' | 'object';

/**
 * A reference to an entity field. `path` is the list of property names from the document root
 * (`['profile', 'country']`); every segment matches `IDENTIFIER` and is never a reserved key.
 * `type` is the declared type when the spec was built against an entity schema (compilers use it
 * to choose casts, e.g. `::numeric` for bigint), or `null` when it is not known.
 * For arrays, `type` is `'array'` and `element` is the element's scalar type when known.
 */
export interface FieldRef {
  readonly kind: 'field';
  readonly path: readonly string[];
  readonly type: FieldType | null;
  readonly element?: ScalarType | null;
}

/** A constant operand, always bound as a parameter by SQL compilers. Never null. */
export interface Literal {
  readonly kind: 'value';
  readonly type: ScalarType;
  /** string for string/date/bigint, finite number (never -0) for number, boolean for boolean. */
  readonly value: string | number | boolean;
}

export type CompareOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
export type StringOp = 'startsWith' | 'endsWith' | 'contains';

/** `field <op> value`. `ignoreCase` is only allowed for `eq`/`ne` on string literals. */
export interface CompareNode {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly field: FieldRef;
  readonly value: Literal;
  readonly ignoreCase: boolean;
}

/** `field IN (values)` / `field NOT IN (values)`: defined as the OR of `eq` / AND of `ne`. */
export interface InNode {
  readonly kind: 'in';
  readonly op: 'in' | 'notIn';
  readonly field: FieldRef;
  readonly values: readonly Literal[];
  readonly ignoreCase: boolean;
}

/** `low <= field <= high` (both inclusive): defined as `gte(low) AND lte(high)`. */
export interface BetweenNode {
  readonly kind: 'between';
  readonly field: FieldRef;
  readonly low: Literal;
  readonly high: Literal;
}

/** True when the field is null or missing. Never unknown. */
export interface IsNullNode {
  readonly kind: 'isNull';
  readonly field: FieldRef;
}

/** True when the field is present and not null (the negation of `isNull`). Never unknown. */
export interface ExistsNode {
  readonly kind: 'exists';
  readonly field: FieldRef;
}

/** Substring tests on a string field. `value` is a plain string (no wildcards). */
export interface StringMatchNode {
  readonly kind: 'stringMatch';
  readonly op: StringOp;
  readonly field: FieldRef;
  readonly value: string;
  readonly ignoreCase: boolean;
}

/**
 * SQL-style LIKE with exactly two wildcards: `%` (any run of code points) and `_` (exactly one
 * code point). `\` escapes `%`, `_` and `\`; every other character (including `[`) is literal.
 */
export interface LikeNode {
  readonly kind: 'like';
  readonly field: FieldRef;
  readonly pattern: string;
  readonly ignoreCase: boolean;
}

/** The array field contains at least one element equal to one of `values`. */
export interface ArrayContainsNode {
  readonly kind: 'arrayContains';
  readonly field: FieldRef;
  readonly values: readonly Literal[];
}

export interface AndNode {
  readonly kind: 'and';
  readonly operands: readonly Predicate[];
}

export interface OrNode {
  readonly kind: 'or';
  readonly operands: readonly Predicate[];
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: Predicate;
}

/** A constant truth value (produced by folding, e.g. `in []` is `false`). */
export interface ConstNode {
  readonly kind: 'const';
  readonly value: boolean;
}

export type LeafPredicate =
  | CompareNode
  | InNode
  | BetweenNode
  | IsNullNode
  | ExistsNode
  | StringMatchNode
  | LikeNode
  | ArrayContainsNode;

export type Predicate = LeafPredicate | AndNode | OrNode | NotNode | ConstNode;

export interface OrderNode {
  readonly kind: 'order';
  readonly field: FieldRef;
  readonly direction: 'asc' | 'desc';
}

/**
 * "Start after this row" for keyset paging: one entry per effective order key (the spec's orders
 * followed by the id tiebreaker), `null` where the row's value was absent. Produced by decoding a
 * cursor; `normalize()` turns it into an ordinary predicate so compilers never see it.
 */
export interface KeysetNode {
  readonly kind: 'keyset';
  readonly values: readonly (Literal | null)[];
}

/** Result-cache hint for cache decorators. Not part of the hash: it does not change the answer. */
export interface CacheHint {
  readonly kind: 'cache';
  readonly ttlMs: number;
  readonly tags: readonly string[];
}

/** The root node. */
export interface QueryNode {
  readonly kind: 'query';
  readonly version: typeof AST_VERSION;
  /** Entity (container/table) name when built against an entity schema, else null. */
  readonly entity: string | null;
  /** The unique id field, used as the final ordering tiebreaker. */
  readonly idField: FieldRef;
  readonly where: Predicate | null;
  readonly orderBy: readonly OrderNode[];
  readonly after: KeysetNode | null;
  readonly skip: number;
  readonly take: number | null;
  /** Projection: only these fields (with their parents) appear in results; null = whole item. */
  readonly select: readonly FieldRef[] | null;
  readonly cache: CacheHint | null;
}

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

export function fieldName(ref: FieldRef | readonly string[]): string {
  return ('kind' in ref ? ref.path : ref).join('.');
}
