/**
 * Specification AST -> parameterized PostgreSQL, in the Kysely manner: the tree is walked by an
 * exhaustive visitor; identifiers come only from the table mapping (built from the entity schema,
 * always quoted); every value becomes a bound parameter (`$n`); operators come from fixed tables
 * below, never from input. The result is `{ text, values }` for `pg`.
 *
 * How the README semantics table of `@mystira/specification` maps to SQL:
 * - absent (missing or JSON null) is SQL NULL: `->>` yields NULL for both, and typed columns
 *   store NULL; comparisons with an absent field are then UNKNOWN, exactly the three-valued
 *   logic of the evaluator (NOT UNKNOWN stays UNKNOWN; only TRUE rows match).
 * - strings (and ISO dates in jsonb) compare with `COLLATE "C"`, which in a UTF-8 database is
 *   code point order, including astral (non-BMP) characters.
 * - `ignoreCase` folds ASCII only: `lower()` under `COLLATE "C"` folds only A-Z, and the operand
 *   is folded the same way (`foldAscii`) before binding.
 * - numbers compare as `numeric` (jsonb) or `double precision` (columns): both order doubles
 *   exactly; bigints as `numeric`.
 * - order: ascending puts absent first (`NULLS FIRST`), descending last (`NULLS LAST`); the id
 *   tiebreaker is appended by `normalize()`, and keyset cursors are expanded there too.
 * - LIKE: the same two wildcards and `\` escape as PostgreSQL's default `LIKE ... ESCAPE '\'`.
 */

import { ValidationError } from '@mystira/repository';
import {
  type ArrayContainsNode,
  type CompareNode,
  escapeLike,
  foldAscii,
  type Literal,
  normalize,
  normalizePredicate,
  type Predicate,
  type QueryNode,
  visit,
} from '@mystira/specification';
import type { FieldAccess, TableMapping } from './mapping.js';
import { type CompiledQuery, isWellFormed, Params } from './sql.js';

/** The whitelist: AST comparison operators and their SQL spelling. Nothing else is emitted. */
const COMPARE_SQL: Readonly<Record<CompareNode['op'], string>> = Object.freeze({
  eq: '=',
  ne: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
});

/**
 * PostgreSQL text cannot hold U+0000 or lone surrogates; such an operand is rejected before
 * reaching the server.
 */
function checkText(s: string): string {
  if (s.includes('\u0000')) {
    throw new ValidationError('PostgreSQL text cannot contain U+0000 (NUL)', {
      issues: [{ field: '', message: 'string operand contains U+0000' }],
    });
  }
  if (!isWellFormed(s)) {
    // No UTF-8 encoding exists; pg would silently send U+FFFD and match the wrong rows.
    throw new ValidationError('PostgreSQL text must be well-formed Unicode (lone surrogate)', {
      issues: [{ field: '', message: 'string operand has a lone surrogate' }],
    });
  }
  return s;
}

/** A literal as the text a parameter carries (the SQL casts it: `$n::numeric`, ...). */
function paramValue(lit: Literal): string {
  switch (lit.type) {
    case 'string':
      return checkText(lit.value as string);
    case 'number':
      return String(lit.value);
    case 'boolean':
      return lit.value ? 'true' : 'false';
    default:
      return lit.value as string;
  }
}

function scalarOf(a: FieldAccess): string {
  if (a.scalar === null) {
    throw new ValidationError(`field "${a.info.name}" is not a scalar`, {
      issues: [{ field: a.info.name, message: 'not a scalar' }],
    });
  }
  return a.scalar;
}

/**
 * Compiles a predicate to a SQL boolean expression, adding its parameters to `params`.
 * `negated`: the predicate sits under an odd number of NOTs, where FALSE and NULL (UNKNOWN) no
 * longer select the same rows (see `arrayContains`).
 */
export function compilePredicate(
  mapping: TableMapping,
  p: Predicate,
  params: Params,
  negated = false,
): string {
  const field = (path: readonly string[]) => mapping.access(path);
  const lower = (expr: string) => `lower(${expr})`;
  const sub = (o: Predicate, neg = negated) => compilePredicate(mapping, o, params, neg);
  return visit<string>(p, {
    const: (n) => (n.value ? 'TRUE' : 'FALSE'),
    and: (n) => `(${n.operands.map((o) => sub(o)).join(' AND ')})`,
    or: (n) => `(${n.operands.map((o) => sub(o)).join(' OR ')})`,
    not: (n) => `(NOT ${sub(n.operand, !negated)})`,
    compare: (n) => {
      const a = field(n.field.path);
      const op = COMPARE_SQL[n.op];
      if (op === undefined) throw new ValidationError(`unsupported operator "${String(n.op)}"`);
      if (n.ignoreCase) {
        return `(${lower(scalarOf(a))} ${op} ${param(params.add(foldAscii(paramValue(n.value))), a.cast)})`;
      }
      return `(${scalarOf(a)} ${op} ${param(params.add(paramValue(n.value)), a.cast)})`;
    },
    in: (n) => {
      const a = field(n.field.path);
      const values = n.values.map((v) => (n.ignoreCase ? foldAscii(paramValue(v)) : paramValue(v)));
      const expr = n.ignoreCase ? lower(scalarOf(a)) : scalarOf(a);
      // One array parameter whatever the list length: the statement text does not grow with it.
      const arr = param(params.add(values), arrayCast(a.cast));
      return n.op === 'in' ? `(${expr} = ANY(${arr}))` : `(${expr} <> ALL(${arr}))`;
    },
    between: (n) => {
      const a = field(n.field.path);
      return `(${scalarOf(a)} BETWEEN ${param(params.add(paramValue(n.low)), a.cast)} AND ${param(params.add(paramValue(n.high)), a.cast)})`;
    },
    isNull: (n) => `(${field(n.field.path).presence} IS NULL)`,
    exists: (n) => `(${field(n.field.path).presence} IS NOT NULL)`,
    stringMatch: (n) => {
      const a = field(n.field.path);
      const needle = escapeLike(checkText(n.ignoreCase ? foldAscii(n.value) : n.value));
      const pattern =
        n.op === 'startsWith' ? `${needle}%` : n.op === 'endsWith' ? `%${needle}` : `%${needle}%`;
      const expr = n.ignoreCase ? lower(scalarOf(a)) : scalarOf(a);
      return `(${expr} LIKE ${param(params.add(pattern), '::text COLLATE "C"')})`;
    },
    like: (n) => {
      const a = field(n.field.path);
      const pattern = checkText(n.ignoreCase ? foldAscii(n.pattern) : n.pattern);
      const expr = n.ignoreCase ? lower(scalarOf(a)) : scalarOf(a);
      return `(${expr} LIKE ${param(params.add(pattern), '::text COLLATE "C"')})`;
    },
    arrayContains: (n: ArrayContainsNode) => {
      const a = field(n.field.path);
      if (a.json === null) throw new ValidationError(`field "${a.info.name}" is not an array`);
      // `[v]` containment: true when some element equals v (jsonb equality: numeric for numbers,
      // exact for strings); NULL when the array is absent, as the evaluator's UNKNOWN.
      const probes = n.values.map((v) =>
        JSON.stringify([v.type === 'string' ? checkText(v.value as string) : v.value]),
      );
      const contains = `(${a.json} @> ANY(${params.add(probes)}::jsonb[]))`;
      // A value that is not an array (JSON null, as another application may write) is UNKNOWN
      // too, but `@>` answers FALSE for it. Outside a NOT both leave the row out, and the bare
      // `@>` keeps the GIN index usable; under a NOT only the CASE keeps the row out.
      return negated
        ? `(CASE WHEN jsonb_typeof(${a.json}) = 'array' THEN ${contains} END)`
        : contains;
    },
  });
}

/**
 * A placeholder with its cast, parenthesised: `($1::text COLLATE "C")`. The parentheses matter
 * where the grammar only takes a restricted expression, e.g. the bounds of BETWEEN, which
 * reject a bare COLLATE clause.
 */
function param(placeholder: string, cast: string): string {
  return cast ? `(${placeholder}${cast})` : placeholder;
}

function arrayCast(cast: string): string {
  // `::numeric` -> `::numeric[]`; `::text COLLATE "C"` -> `::text[] COLLATE "C"`
  const m = /^::(\w+)(.*)$/.exec(cast);
  return m ? `::${m[1]}[]${m[2]}` : cast;
}

/** `ORDER BY` of a normalised query (id tiebreaker included). */
export function compileOrder(mapping: TableMapping, query: QueryNode): string {
  return query.orderBy
    .map((o) => {
      const a = mapping.access(o.field.path);
      const expr = scalarOf(a);
      // The id is never absent, so its NULLS clause is moot; leaving it at the default lets the
      // `(expr NULLS FIRST, id)` indexes of ddl.ts deliver the whole order without a sort.
      if (a.info.name === mapping.entity.id)
        return `${expr} ${o.direction === 'desc' ? 'DESC' : 'ASC'}`;
      return o.direction === 'desc' ? `${expr} DESC NULLS LAST` : `${expr} ASC NULLS FIRST`;
    })
    .join(', ');
}

/** Select-list expressions that read a row back into an item (see `rowToItem`). */
export function selectList(mapping: TableMapping): string {
  if (mapping.layout === 'document') return '"id", "version", "data"';
  return mapping.columns
    .map((c) => {
      const q = `"${c.name}"`;
      // timestamptz -> the exact `toISOString()` form, whatever the session TimeZone.
      if (c.sqlType === 'timestamptz')
        return `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${q}`;
      return q;
    })
    .join(', ');
}

/**
 * `SELECT` for a (bound) query: normalised, filtered, ordered, skipped and taken. Projection is
 * applied after reading (the same projector as the evaluator), so rows are always whole items.
 */
export function compileSelect(mapping: TableMapping, query: QueryNode): CompiledQuery {
  const n = normalize(query);
  const params = new Params();
  let text = `SELECT ${selectList(mapping)} FROM ${mapping.qualified}`;
  if (n.where) text += ` WHERE ${compilePredicate(mapping, n.where, params)}`;
  text += ` ORDER BY ${compileOrder(mapping, n)}`;
  if (n.take !== null) text += ` LIMIT ${params.add(n.take)}`;
  if (n.skip > 0) text += ` OFFSET ${params.add(n.skip)}`;
  return { text, values: params.values };
}

/** `SELECT count(*)` of the rows matching `where` (order, paging and keyset ignored). */
export function compileCount(mapping: TableMapping, query: QueryNode): CompiledQuery {
  const params = new Params();
  const where = query.where ? normalizePredicate(query.where) : null;
  let text = `SELECT count(*) AS n FROM ${mapping.qualified}`;
  if (where && !(where.kind === 'const' && where.value))
    text += ` WHERE ${compilePredicate(mapping, where, params)}`;
  return { text, values: params.values };
}

/** `SELECT EXISTS (...)` of the rows matching `where`. */
export function compileAny(mapping: TableMapping, query: QueryNode): CompiledQuery {
  const params = new Params();
  const where = query.where ? normalizePredicate(query.where) : null;
  let inner = `SELECT 1 FROM ${mapping.qualified}`;
  if (where && !(where.kind === 'const' && where.value))
    inner += ` WHERE ${compilePredicate(mapping, where, params)}`;
  return { text: `SELECT EXISTS (${inner}) AS found`, values: params.values };
}
