/**
 * Specification AST -> parameterized Cosmos DB SQL (`SqlQuerySpec`), for a capability profile.
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
 *   is marked inexact; the repository then re-checks every fetched row with the specification's
 *   own evaluator, so the answer is still exact. Relaxations: ignore-case comparisons (Cosmos
 *   folds Unicode, the table folds ASCII only), LIKE on cosmosdb-server (decomposed into
 *   STARTSWITH/ENDSWITH/CONTAINS of its literal runs), LIKE with `_` on azure (`_` widened to `%`,
 *   since one code point may be two UTF-16 units), and string range comparisons whose literal holds
 *   a code unit >= U+D800 (where UTF-16 order and code point order can disagree).
 * - bigint (canonical decimal strings) compares numerically through sign and LENGTH tests.
 * - ORDER BY: `normalize()` appends the id tiebreaker. Absent values sort first ascending and last
 *   descending, as ties: a leading key that may be absent is split into two sub-queries (absent
 *   rows, then present rows, or the reverse for desc) run one after the other, because Cosmos
 *   orders missing before null (they are distinct there) and cosmosdb-server drops rows with a
 *   missing single sort key. A later key that can be missing splits too, into sub-queries whose
 *   rows are merged by the comparator (absent rows leave the key out of their ORDER BY): no server
 *   query orders by a key that can be missing, because a continuation token resumes after the
 *   last sort values and cosmosdb-server's stores them as JSON, where missing becomes null (the
 *   scan then skips or repeats rows). Ordering by a bigint key is done in memory after an
 *   unordered server query (`memorySort`).
 * - Strings order by code point in the table; an engine that orders by UTF-16 code units differs
 *   only between rows whose keys both contain a code unit >= U+D800, and such rows are always
 *   adjacent in server order, so the repository re-sorts those runs as they stream (`stringKeys`).
 * - Paging is `TOP` + continuation tokens (no OFFSET/LIMIT, which cosmosdb-server lacks and which
 *   Cosmos bills for skipped rows anyway); skip is applied while streaming.
 */
import {
  type CompareNode,
  type EntityDef,
  type Field,
  foldAscii,
  type Literal,
  normalize,
  type OrderNode,
  type Predicate,
  type QueryNode,
  type ScalarType,
  visit,
} from '@mystira/specification';
import { azureProfile, type CapabilityProfile, resolveProfile } from './profile.js';
import { Params, propertyPath, type SqlQuerySpec } from './sql.js';

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

interface Ctx {
  readonly profile: CapabilityProfile;
  readonly params: Params;
  readonly path: (path: readonly string[]) => string;
}

const TRUE = 'true';
/** Most server queries merged for one group (2 per later order key that can be missing). */
const MAX_MERGED_PARTS = 16;
const FALSE = 'false';

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

/**
 * A boolean SQL expression under construction: an atom (no top-level AND/OR; may start with NOT)
 * or an AND/OR of expressions. Kept as a tree until the end so it can be rendered for the profile:
 * nested with parentheses (azure), or flattened to OR-of-ANDs without any (cosmosdb-server,
 * whose query parser takes exponential time in parenthesis depth).
 */
type Sql = string | { readonly op: 'and' | 'or'; readonly parts: readonly Sql[] };

function combine(op: 'and' | 'or', parts: readonly Sql[]): Sql {
  const absorb = op === 'and' ? FALSE : TRUE;
  const unit = op === 'and' ? TRUE : FALSE;
  const kept: Sql[] = [];
  for (const p of parts) {
    if (p === absorb) return absorb;
    if (p === unit) continue;
    if (typeof p !== 'string' && p.op === op) kept.push(...p.parts);
    else kept.push(p);
  }
  if (kept.length === 0) return unit;
  return kept.length === 1 ? kept[0]! : { op, parts: kept };
}

function and(...parts: Sql[]): Sql {
  return combine('and', parts);
}

function or(...parts: Sql[]): Sql {
  return combine('or', parts);
}

/** Nested rendering: every compound in parentheses. */
function renderNested(s: Sql): string {
  if (typeof s === 'string') return s;
  return `(${s.parts.map(renderNested).join(s.op === 'and' ? ' AND ' : ' OR ')})`;
}

/** Most OR terms a flattened filter may have; beyond it parts of the filter are relaxed away. */
const DNF_CAP = 48;

interface Dnf {
  /** OR of ANDs of atoms; `[]` is FALSE, a term `[]` is TRUE. */
  readonly terms: readonly (readonly string[])[];
  readonly relaxed: boolean;
}

const DNF_TRUE: Dnf = { terms: [[]], relaxed: false };

function cross(a: Dnf, b: Dnf): Dnf {
  const terms: string[][] = [];
  for (const x of a.terms) for (const y of b.terms) terms.push([...new Set([...x, ...y])]);
  return { terms, relaxed: a.relaxed || b.relaxed };
}

/**
 * The expression as an OR of ANDs. The expression is monotone over its atoms (NOT appears only
 * inside atoms), so replacing a sub-expression by TRUE yields a superset: that is how an
 * expression too large to flatten is relaxed (and the plan marked inexact, so rows are re-checked).
 */
function toDnf(s: Sql): Dnf {
  if (typeof s === 'string')
    return s === TRUE
      ? DNF_TRUE
      : s === FALSE
        ? { terms: [], relaxed: false }
        : { terms: [[s]], relaxed: false };
  const kids = s.parts.map(toDnf);
  const relaxed = kids.some((k) => k.relaxed);
  if (s.op === 'or') {
    const terms = kids.flatMap((k) => k.terms);
    if (terms.some((t) => t.length === 0)) return { terms: [[]], relaxed };
    if (terms.length > DNF_CAP) return { terms: [[]], relaxed: true };
    return { terms, relaxed };
  }
  let list = [...kids];
  let dropped = false;
  const size = () => list.reduce((n, k) => n * k.terms.length, 1);
  while (size() > DNF_CAP) {
    let widest = 0;
    list.forEach((k, i) => {
      if (k.terms.length > list[widest]!.terms.length) widest = i;
    });
    list = list.filter((_, i) => i !== widest);
    dropped = true;
  }
  const out = list.reduce(cross, DNF_TRUE);
  return { terms: out.terms, relaxed: relaxed || dropped || out.relaxed };
}

function renderDnf(d: Dnf): string {
  if (d.terms.length === 0) return FALSE;
  if (d.terms.some((t) => t.length === 0)) return TRUE;
  return d.terms.map((t) => t.join(' AND ')).join(' OR ');
}

/** Renders for the profile; `relaxed` when flattening had to widen the expression. */
function render(s: Sql, profile: CapabilityProfile): { text: string; relaxed: boolean } {
  if (!profile.flatWhere) return { text: renderNested(s), relaxed: false };
  const d = toDnf(s);
  return { text: renderDnf(d), relaxed: d.relaxed };
}

interface Halves {
  readonly sql: Sql;
  readonly negated: Sql;
  readonly exact: boolean;
}

const exact = (sql: Sql, negated: Sql): Halves => ({ sql, negated, exact: true });
const relaxed = (sql: Sql, negated: Sql): Halves => ({ sql, negated, exact: false });

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

type Token = { wild: '%' | '_' } | { char: string };

function likeTokens(pattern: string): Token[] {
  const out: Token[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\') out.push({ char: chars[++i] ?? '' });
    else if (ch === '%' || ch === '_') out.push({ wild: ch });
    else out.push({ char: ch });
  }
  return out;
}

/** LIKE: native on azure (`[` escaped, `_` widened), decomposed on cosmosdb-server. */
function compileLike(ctx: Ctx, x: string, pattern: string, ignoreCase: boolean): Halves {
  const isString = `IS_STRING(${x})`;
  const tokens = likeTokens(pattern);
  const literalChars = tokens.flatMap((t) => ('char' in t ? [t.char] : []));
  if (ignoreCase && !ASCII.test(literalChars.join(''))) return relaxed(isString, isString);
  const fold = (s: string) => (ignoreCase ? foldAscii(s) : s);
  const subject = ignoreCase ? `LOWER(${x})` : x;
  const hasOne = tokens.some((t) => 'wild' in t && t.wild === '_');
  if (ctx.profile.like) {
    let cosmos = '';
    for (const t of tokens) {
      if ('wild' in t)
        cosmos += '%'; // `_` widened: exactness is restored by the re-check
      else cosmos += /[%_[\]\\]/.test(t.char) ? `\\${fold(t.char)}` : fold(t.char);
    }
    const match = `${subject} LIKE ${ctx.params.add(cosmos)} ESCAPE "\\\\"`;
    if (hasOne || ignoreCase) return relaxed(match, isString);
    return exact(match, and(isString, `NOT (${match})`));
  }
  // No LIKE: segments between `%`, each split at `_` into literal runs.
  const segments: Token[][] = [[]];
  for (const t of tokens) {
    if ('wild' in t && t.wild === '%') segments.push([]);
    else segments[segments.length - 1]!.push(t);
  }
  const text = (seg: Token[]) => fold(seg.map((t) => ('char' in t ? t.char : '')).join(''));
  if (!hasOne && !ignoreCase) {
    if (segments.length === 1) {
      const p = ctx.params.add(text(segments[0]!));
      return exact(`${x} = ${p}`, and(isString, `${x} != ${p}`));
    }
    if (segments.length === 2) {
      const pre = text(segments[0]!);
      const suf = text(segments[1]!);
      const yes: string[] = [];
      const no: string[] = [];
      if (pre) {
        const p = ctx.params.add(pre);
        yes.push(`STARTSWITH(${x}, ${p})`);
        no.push(`NOT STARTSWITH(${x}, ${p})`);
      }
      if (suf) {
        const p = ctx.params.add(suf);
        yes.push(`ENDSWITH(${x}, ${p})`);
        no.push(`NOT ENDSWITH(${x}, ${p})`);
      }
      if (pre && suf) {
        yes.push(`LENGTH(${x}) >= ${pre.length + suf.length}`);
        no.push(`LENGTH(${x}) < ${pre.length + suf.length}`);
      }
      // `%` alone (no literal at either end) matches every string.
      return exact(and(isString, ...yes), no.length === 0 ? FALSE : and(isString, or(...no)));
    }
    if (segments.length === 3 && segments[0]!.length === 0 && segments[2]!.length === 0) {
      const match = `CONTAINS(${x}, ${ctx.params.add(text(segments[1]!))})`;
      return exact(match, and(isString, `NOT ${match}`));
    }
  }
  // A superset: the literal runs must appear (anchored at the ends when no `%` is there).
  const parts: Sql[] = [isString];
  const runs: string[] = [];
  for (const seg of segments) {
    let run = '';
    for (const t of seg) {
      if ('char' in t) run += t.char;
      else {
        if (run) runs.push(run);
        run = '';
      }
    }
    if (run) runs.push(run);
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const leading = first.findIndex((t) => 'wild' in t);
  const prefix = text(leading < 0 ? first : first.slice(0, leading));
  if (prefix) parts.push(`STARTSWITH(${subject}, ${ctx.params.add(prefix)})`);
  const trailing = [...last].reverse().findIndex((t) => 'wild' in t);
  const suffix = text(trailing < 0 ? last : last.slice(last.length - trailing));
  if (suffix) parts.push(`ENDSWITH(${subject}, ${ctx.params.add(suffix)})`);
  for (const run of runs) parts.push(`CONTAINS(${subject}, ${ctx.params.add(fold(run))})`);
  return relaxed(and(...parts), isString);
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
 * One server query of a plan. Parts of one `group` are merged by the plan's order; groups run one
 * after the other and their results concatenate.
 */
export interface CosmosQueryPart {
  /** The WHERE clause (the spec's filter plus this part's absence conditions). */
  readonly where: string;
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

  // A key that may be absent splits the query (see the module comment): a leading one into
  // sub-queries run one after the other, a later one into sub-queries merged by the comparator.
  // No ORDER BY key of a part is ever missing, so no continuation token has to carry a missing
  // sort value (cosmosdb-server's resumes a missing value as null and skips or repeats rows).
  type Branch = { conds: Predicate[]; keys: OrderNode[]; group: number };
  const branches: Branch[] = [];
  if (!memorySort) {
    const absence = (o: OrderNode): Absence =>
      o.field.path.join('.') === idPath
        ? { missing: false, null: false }
        : absenceOf(options.entity, o.field.path);
    let groups = 0;
    /** The parts of one merged group: every later key that can be missing, absent or present. */
    const merged = (conds: Predicate[], keys: OrderNode[]): void => {
      const group = groups++;
      let combos: Branch[] = [{ conds, keys: keys.slice(0, 1), group }];
      for (const o of keys.slice(1)) {
        if (!absence(o).missing) {
          combos = combos.map((c) => ({ ...c, keys: [...c.keys, o] }));
          continue;
        }
        combos = combos.flatMap((c) => [
          { ...c, conds: [...c.conds, { kind: 'isNull', field: o.field }] },
          { ...c, conds: [...c.conds, { kind: 'exists', field: o.field }], keys: [...c.keys, o] },
        ]);
      }
      if (combos.length > MAX_MERGED_PARTS) memorySort = true;
      branches.push(...combos);
    };
    const split = (i: number, conds: Predicate[]): void => {
      if (i >= orders.length) {
        branches.push({ conds, keys: [], group: groups++ });
        return;
      }
      const o = orders[i]!;
      const a = absence(o);
      if (!a.missing && !a.null) {
        merged(conds, orders.slice(i));
        return;
      }
      const absent = () => split(i + 1, [...conds, { kind: 'isNull', field: o.field }]);
      const present = () => merged([...conds, { kind: 'exists', field: o.field }], orders.slice(i));
      if (o.direction === 'asc') {
        absent();
        present();
      } else {
        present();
        absent();
      }
    };
    split(0, []);
    if (memorySort)
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
    const ctx: Ctx = { ...makeCtx(options, params), profile };
    const filter = compileNode(ctx, n.where ?? { kind: 'const', value: true }).sql;
    // The absence conditions partition the rows between parts: never relaxed.
    const extra = and(...conds.map((c) => compileNode(ctx, c).sql));
    let where: string;
    if (profile.flatWhere) {
      const d = cross(toDnf(filter), toDnf(extra));
      where = renderDnf(d);
    } else where = renderNested(and(filter, extra));
    if (where === FALSE) return null;
    const orderBy = keys.map((k) => ({ path: stored(k.field.path), direction: k.direction }));
    const orderSql =
      orderBy.length > 0
        ? ` ORDER BY ${orderBy.map((k) => `${propertyPath(k.path)} ${k.direction.toUpperCase()}`).join(', ')}`
        : '';
    const whereSql = where === TRUE ? '' : ` WHERE ${where}`;
    const parameters = params.usedIn(whereSql);
    return {
      where,
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
    for (const b of branches) {
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
  const countSql = `SELECT VALUE COUNT(1) FROM c${countFilter.sql === TRUE ? '' : ` WHERE ${countFilter.sql}`}`;
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

/** The ORDER BY lists (stored paths) with two or more keys a spec needs composite indexes for. */
export function compositeIndexesOf(plan: CosmosQueryPlan): {
  /** The stored path as a JSON pointer, e.g. `/profile/city`. */
  path: string;
  /** The key's direction. */
  order: 'ascending' | 'descending';
}[][] {
  return plan.parts
    .filter((p) => p.orderBy.length >= 2)
    .map((p) =>
      p.orderBy.map((k) => ({
        path: `/${k.path.join('/')}`,
        order: k.direction === 'asc' ? 'ascending' : 'descending',
      })),
    );
}
