/**
 * Specification predicates -> parameterized Cosmos DB SQL filters, for a capability profile.
 *
 * Identifiers come only from the bound query (schema-validated segments, bracket-quoted by
 * `propertyPath`); every value is a `@pN` parameter; operators and functions come from the fixed
 * spellings below, never from input.
 *
 * How the semantics table of `@mystira/specification` maps to Cosmos SQL:
 *
 * - Three-valued logic without trusting the engine's. Every node compiles to TWO boolean
 *   expressions: `sql` ("the node is TRUE") and `negated` ("the node is FALSE"). `not` swaps them,
 *   `and`/`or` combine them by De Morgan, and leaves guard their operand's type (`IS_STRING(x) AND
 *   x != @p0`), so the generated SQL never applies NOT to something that may be undefined and
 *   never depends on how an engine compares values of different types (the real service and
 *   cosmosdb-server disagree there: `null = "x"` is undefined on one and false on the other).
 *   A row matches when `sql` is true, which is exactly "the predicate is TRUE" (UNKNOWN rows
 *   match neither `sql` nor `negated`).
 * - Absent is missing or null: `isNull` is `(NOT IS_DEFINED(x) OR IS_NULL(x))`.
 * - Exact or relaxed. A construct the profile cannot express exactly compiles to a *superset*
 *   (`sql` true for at least every TRUE row, `negated` for at least every FALSE row) and the plan
 *   is marked inexact; running the plan (plan.ts) then re-checks every fetched row with the
 *   specification's own evaluator, so the answer is still exact. Relaxations: ignore-case
 *   comparisons (Cosmos folds Unicode, the table folds ASCII only), LIKE on cosmosdb-server
 *   (decomposed into STARTSWITH/ENDSWITH/CONTAINS of its literal runs, see like.ts), LIKE with `_`
 *   on azure (`_` widened to `%`, since one code point may be two UTF-16 units), and string range
 *   comparisons whose literal holds a code unit >= U+D800 (where UTF-16 order and code point
 *   order can disagree).
 * - bigint (canonical decimal strings) compares numerically through sign and LENGTH tests.
 *
 * How the compiled filters become server queries, ordered and paged, is the plan's job (plan.ts).
 */
import {
  type CompareNode,
  type EntityDef,
  type Field,
  foldAscii,
  type Literal,
  type Predicate,
  type ScalarType,
  visit,
} from '@mystira/specification';
import { compileLike } from './like.js';
import { type CapabilityProfile, resolveProfile } from './profile.js';
import { Params, propertyPath } from './sql.js';
import {
  and,
  type Ctx,
  cross,
  exact,
  FALSE,
  type Halves,
  or,
  relaxed,
  render,
  renderDnf,
  renderNested,
  type Sql,
  TRUE,
  toDnf,
} from './sql-expr.js';

/** The two halves of a compiled predicate (see the module comment). */
export interface CompiledPredicate {
  /** True exactly for (or, when not `exact`, at least for) the rows where the predicate is TRUE. */
  readonly sql: string;
  /** True exactly for (or at least for) the rows where the predicate is FALSE. */
  readonly negated: string;
  /** False when `sql`/`negated` are supersets and the rows must be re-checked in memory. */
  readonly exact: boolean;
}

/** Options of {@link compileQuery}. */
export interface CompileOptions {
  /** Target capabilities. Default `azure`. */
  profile?: CapabilityProfile | 'azure' | 'cosmosdb-server';
  /**
   * The entity, to know which order keys can be absent and how (missing, null or both). Without
   * it every key but the id is assumed to be possibly both.
   */
  entity?: EntityDef;
  /** Maps an entity field path to its path in the stored document (default: the same). */
  storedPath?: (path: readonly string[]) => readonly string[];
  /** The partition key's entity path, to detect queries pinned to one partition. */
  partitionKey?: readonly string[] | null;
}

const COMPARE_SQL: Readonly<Record<CompareNode['op'], string>> = Object.freeze({
  eq: '=',
  ne: '!=',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
});

/** The complement of each range operator over values of one type. */
const COMPLEMENT: Readonly<Record<CompareNode['op'], CompareNode['op']>> = Object.freeze({
  eq: 'ne',
  ne: 'eq',
  lt: 'gte',
  lte: 'gt',
  gt: 'lte',
  gte: 'lt',
});

const TYPE_GUARD: Readonly<Record<ScalarType, string>> = Object.freeze({
  string: 'IS_STRING',
  date: 'IS_STRING',
  bigint: 'IS_STRING',
  number: 'IS_NUMBER',
  boolean: 'IS_BOOL',
});

/** A code unit where UTF-16 order and code point order can disagree (surrogates, U+E000-U+FFFF). */
const HIGH = /[\uD800-\uFFFF]/;
const ASCII = /^[^\u0080-\uFFFF]*$/;

function literalParam(ctx: Ctx, lit: Literal): string {
  return ctx.params.add(lit.value);
}

/** `x > L` (etc.) for canonical decimal integer strings, as sign and length tests. */
function bigintCompare(ctx: Ctx, x: string, op: 'lt' | 'lte' | 'gt' | 'gte', value: string): Sql {
  const p = ctx.params.add(value);
  const neg = `STARTSWITH(${x}, "-")`;
  const n = value.length;
  const literalNegative = value.startsWith('-');
  const sameLength = (cmp: string) => and(`LENGTH(${x}) = ${n}`, `${x} ${cmp} ${p}`);
  // Same sign, same length: string order is numeric order for non-negatives, reversed for negatives.
  const strict = op === 'gt' || op === 'lt';
  if (op === 'gt' || op === 'gte') {
    const eq = strict ? '' : '=';
    return literalNegative
      ? and(`IS_STRING(${x})`, or(`NOT ${neg}`, `LENGTH(${x}) < ${n}`, sameLength(`<${eq}`)))
      : and(`IS_STRING(${x})`, `NOT ${neg}`, or(`LENGTH(${x}) > ${n}`, sameLength(`>${eq}`)));
  }
  const eq = strict ? '' : '=';
  return literalNegative
    ? and(`IS_STRING(${x})`, neg, or(`LENGTH(${x}) > ${n}`, sameLength(`>${eq}`)))
    : and(`IS_STRING(${x})`, or(neg, `LENGTH(${x}) < ${n}`, sameLength(`<${eq}`)));
}

function compileCompare(ctx: Ctx, node: CompareNode): Halves {
  const x = ctx.path(node.field.path);
  const lit = node.value;
  const guard = `${TYPE_GUARD[lit.type]}(${x})`;
  if (node.ignoreCase) {
    // eq/ne only (the builder allows nothing else). Cosmos folds case per Unicode; the table folds
    // ASCII only, so this is a superset that the repository re-checks.
    const v = lit.value as string;
    let match: string;
    if (ctx.profile.ignoreCaseFunctions) match = `STRINGEQUALS(${x}, ${ctx.params.add(v)}, true)`;
    else if (ASCII.test(v)) match = `LOWER(${x}) = ${ctx.params.add(foldAscii(v))}`;
    else match = `IS_STRING(${x})`;
    const isString = `IS_STRING(${x})`;
    return node.op === 'eq' ? relaxed(match, isString) : relaxed(isString, match);
  }
  const op = node.op;
  if (lit.type === 'bigint' && op !== 'eq' && op !== 'ne') {
    const v = lit.value as string;
    return exact(
      bigintCompare(ctx, x, op, v),
      bigintCompare(ctx, x, COMPLEMENT[op] as typeof op, v),
    );
  }
  if (lit.type === 'string' && op !== 'eq' && op !== 'ne' && HIGH.test(lit.value as string)) {
    const isString = `IS_STRING(${x})`;
    return relaxed(isString, isString);
  }
  const p = literalParam(ctx, lit);
  const t = op === 'eq' ? `${x} = ${p}` : and(guard, `${x} ${COMPARE_SQL[op]} ${p}`);
  const f =
    COMPLEMENT[op] === 'eq'
      ? `${x} = ${p}`
      : and(guard, `${x} ${COMPARE_SQL[COMPLEMENT[op]]} ${p}`);
  return exact(t, f);
}

const absent = (x: string): Sql => or(`NOT IS_DEFINED(${x})`, `IS_NULL(${x})`);
const present = (x: string): Sql => and(`IS_DEFINED(${x})`, `NOT IS_NULL(${x})`);

function compileNode(ctx: Ctx, node: Predicate): Halves {
  return visit<Halves>(node, {
    const: (n) => (n.value ? exact(TRUE, FALSE) : exact(FALSE, TRUE)),
    compare: (n) => compileCompare(ctx, n),
    between: (n) => {
      const lo = compileCompare(ctx, {
        kind: 'compare',
        op: 'gte',
        field: n.field,
        value: n.low,
        ignoreCase: false,
      });
      const hi = compileCompare(ctx, {
        kind: 'compare',
        op: 'lte',
        field: n.field,
        value: n.high,
        ignoreCase: false,
      });
      return {
        sql: and(lo.sql, hi.sql),
        negated: or(lo.negated, hi.negated),
        exact: lo.exact && hi.exact,
      };
    },
    in: (n) => {
      if (n.values.length === 0) return n.op === 'in' ? exact(FALSE, TRUE) : exact(TRUE, FALSE);
      const x = ctx.path(n.field.path);
      const type = n.values[0]!.type;
      let hit: Halves;
      if (n.ignoreCase) {
        const values = n.values.map((v) => v.value as string);
        const isString = `IS_STRING(${x})`;
        hit = values.every((v) => ASCII.test(v))
          ? relaxed(
              `ARRAY_CONTAINS(${ctx.params.add(values.map(foldAscii))}, LOWER(${x}))`,
              isString,
            )
          : relaxed(isString, isString);
      } else {
        const arr = ctx.params.add(n.values.map((v) => v.value));
        hit = exact(
          `ARRAY_CONTAINS(${arr}, ${x})`,
          and(`${TYPE_GUARD[type]}(${x})`, `NOT ARRAY_CONTAINS(${arr}, ${x})`),
        );
      }
      return n.op === 'in' ? hit : { sql: hit.negated, negated: hit.sql, exact: hit.exact };
    },
    isNull: (n) => {
      const x = ctx.path(n.field.path);
      return exact(absent(x), present(x));
    },
    exists: (n) => {
      const x = ctx.path(n.field.path);
      return exact(present(x), absent(x));
    },
    stringMatch: (n) => {
      const x = ctx.path(n.field.path);
      const fn =
        n.op === 'startsWith' ? 'STARTSWITH' : n.op === 'endsWith' ? 'ENDSWITH' : 'CONTAINS';
      const isString = `IS_STRING(${x})`;
      if (!n.ignoreCase) {
        const match = `${fn}(${x}, ${ctx.params.add(n.value)})`;
        return exact(match, and(isString, `NOT ${match}`));
      }
      if (ctx.profile.ignoreCaseFunctions)
        return relaxed(`${fn}(${x}, ${ctx.params.add(n.value)}, true)`, isString);
      if (ASCII.test(n.value))
        return relaxed(`${fn}(LOWER(${x}), ${ctx.params.add(foldAscii(n.value))})`, isString);
      return relaxed(isString, isString);
    },
    like: (n) => compileLike(ctx, ctx.path(n.field.path), n.pattern, n.ignoreCase),
    arrayContains: (n) => {
      if (n.values.length === 0) return exact(FALSE, TRUE);
      const x = ctx.path(n.field.path);
      const tests = n.values.map((v) => `ARRAY_CONTAINS(${x}, ${literalParam(ctx, v)})`);
      return exact(or(...tests), and(`IS_ARRAY(${x})`, ...tests.map((t) => `NOT ${t}`)));
    },
    and: (n) => {
      const ops = n.operands.map((o) => compileNode(ctx, o));
      return {
        sql: and(...ops.map((o) => o.sql)),
        negated: or(...ops.map((o) => o.negated)),
        exact: ops.every((o) => o.exact),
      };
    },
    or: (n) => {
      const ops = n.operands.map((o) => compileNode(ctx, o));
      return {
        sql: or(...ops.map((o) => o.sql)),
        negated: and(...ops.map((o) => o.negated)),
        exact: ops.every((o) => o.exact),
      };
    },
    not: (n) => {
      const op = compileNode(ctx, n.operand);
      return { sql: op.negated, negated: op.sql, exact: op.exact };
    },
  });
}

function makeCtx(options: CompileOptions, params: Params): Ctx {
  const stored = options.storedPath ?? ((p: readonly string[]) => p);
  return { profile: resolveProfile(options.profile), params, path: (p) => propertyPath(stored(p)) };
}

/** Compiles one predicate. Parameters are appended to `params`. */
export function compilePredicate(
  predicate: Predicate,
  params: Params = new Params(),
  options: CompileOptions = {},
): CompiledPredicate {
  const ctx = makeCtx(options, params);
  const h = compileNode(ctx, predicate);
  const sql = render(h.sql, ctx.profile);
  const negated = render(h.negated, ctx.profile);
  return {
    sql: sql.text,
    negated: negated.text,
    exact: h.exact && !sql.relaxed && !negated.relaxed,
  };
}

/** How a field can be absent, from the schema. */
export interface Absence {
  /** It can be missing: the field, or a parent, is optional, or a parent can be null. */
  readonly missing: boolean;
  /** It can be null. */
  readonly null: boolean;
}

/** Whether the value at `path` can be missing (itself or a parent optional, or a parent null) or null. */
export function absenceOf(entity: EntityDef | undefined, path: readonly string[]): Absence {
  if (!entity) return { missing: true, null: true };
  let shape: Record<string, Field> | undefined = entity.shape as Record<string, Field>;
  let missing = false;
  let nullable = false;
  for (let i = 0; i < path.length; i++) {
    const f: Field | undefined = shape?.[path[i]!];
    if (!f) return { missing: true, null: true };
    if (f.isOptional) missing = true;
    if (i < path.length - 1) {
      if (f.isNullable) missing = true; // a child of null reads as missing
      shape = f.shape as Record<string, Field> | undefined;
    } else nullable = f.isNullable;
  }
  return { missing, null: nullable };
}

/**
 * The WHERE text of one server query: `predicate` AND the `conditions` that split a plan's rows
 * between its parts (absence tests, always exact), rendered for the profile; its parameters are
 * appended to `params`. `FALSE` when no row can match.
 */
export function compileWhere(
  predicate: Predicate,
  conditions: readonly Predicate[],
  params: Params,
  options: CompileOptions,
): string {
  const ctx = makeCtx(options, params);
  const filter = compileNode(ctx, predicate).sql;
  const extra = and(...conditions.map((c) => compileNode(ctx, c).sql));
  if (ctx.profile.flatWhere) return renderDnf(cross(toDnf(filter), toDnf(extra)));
  return renderNested(and(filter, extra));
}

/** The expression that no row matches, as `compileWhere` returns it. */
export const NO_ROWS = FALSE;
/** The expression that every row matches, as `compileWhere` returns it. */
export const ALL_ROWS = TRUE;
