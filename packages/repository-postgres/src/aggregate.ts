/**
 * Aggregate queries -> one parameterized `SELECT ... GROUP BY` (the filter compiled as for
 * `list`, identifiers only from the table mapping, values only as parameters), and its rows back
 * into the partial groups `finishAggregate` of `@mystira/specification` turns into the answer.
 * What the database computes and what is left to the shared rules:
 *
 * - `count(*)` is `count(*)`; `count(field)` is `count(<presence>)`, which is NULL exactly when
 *   the field is absent (missing or JSON null).
 * - `sum`/`avg` send `count(x)` and `sum(x)` over `numeric`, which is exact: document fields are
 *   `numeric` already (jsonb holds the shortest decimal of each double), and double precision
 *   columns go through their text form (`x::text::numeric`: PostgreSQL 12+ prints the shortest
 *   decimal that round-trips, where `x::numeric` would keep 15 digits). The exact sum is rounded
 *   once, and `avg` divided, by the shared rules, never by `numeric` division's chosen scale.
 * - `min`/`max` run on the typed expression (`COLLATE "C"`: code point order; `numeric` for
 *   bigints), timestamptz columns printed back in `toISOString()` form.
 * - Each key and field expression is computed once per row in a fenced inner query (see
 *   `compileAggregate`).
 * - Group keys are the typed expressions (absent is NULL: one group); the group order, the row of
 *   an ungrouped aggregate of no rows and the null results of no values are the shared rules'.
 */
import { ValidationError } from '@mystira/repository';
import {
  type AggregateNode,
  type AggregateQueryNode,
  dateUnitPrefix,
  type FieldRef,
  type GroupKey,
  groupKeyField,
  normalizePredicate,
  type PartialGroup,
} from '@mystira/specification';
import { compilePredicate } from './compiler.js';
import type { TableMapping } from './mapping.js';
import { type CompiledQuery, Params } from './sql.js';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The typed expression of a scalar field, dates as ISO text. */
function valueExpr(mapping: TableMapping, field: FieldRef): string {
  const a = mapping.access(field.path);
  if (a.scalar === null) {
    throw new ValidationError(`field "${a.info.name}" is not a scalar`, {
      issues: [{ field: a.info.name, message: 'not a scalar' }],
    });
  }
  return a.scalar;
}

/** Prints a timestamptz expression (columns layout dates) as `toISOString()` text. */
function isoText(mapping: TableMapping, field: FieldRef, expr: string): string {
  const column = mapping.columns.find((c) => c.field?.name === field.path.join('.'));
  return column?.sqlType === 'timestamptz' && field.path.length === 1
    ? `to_char(${expr} AT TIME ZONE 'UTC', ${ISO})`
    : expr;
}

/**
 * A group key's expression: the typed field expression, or for a date bucket its ISO text's
 * prefix followed by the rest of the bucket's first instant (`left(d, 10) || 'T00:00:00.000Z'`).
 * The appended text is one of the specification's fixed strings, never the caller's.
 */
function keyExpr(mapping: TableMapping, key: GroupKey): string {
  const field = groupKeyField(key);
  const iso = isoText(mapping, field, valueExpr(mapping, field));
  if (key.kind !== 'dateBucket') return iso;
  const { keep, rest } = dateUnitPrefix(key.unit);
  if (!/^[-0-9T:.Z]+$/.test(rest)) throw new ValidationError('unexpected date bucket suffix');
  return `(left(${iso}, ${Number(keep)}) || '${rest}')`;
}

/** A number expression as exact `numeric` (double precision through its shortest text). */
function exactNumeric(mapping: TableMapping, field: FieldRef, expr: string): string {
  const column = mapping.columns.find((c) => c.field?.name === field.path.join('.'));
  return column?.sqlType === 'double precision' && field.path.length === 1
    ? `(${expr}::text::numeric)`
    : expr;
}

/**
 * The expressions an aggregate reads, computed once per row in the inner query (`"v<i>"`, shared
 * by every aggregate of the same field and function family), and its items over them.
 */
class Inputs {
  readonly #aliases = new Map<string, string>();
  readonly items: string[] = [];
  /** The alias of `expr` in the inner query, adding it the first time. */
  of(expr: string): string {
    let alias = this.#aliases.get(expr);
    if (!alias) {
      alias = `"v${this.#aliases.size}"`;
      this.#aliases.set(expr, alias);
      this.items.push(`${expr} AS ${alias}`);
    }
    return alias;
  }
}

/** The outer select-list items of one aggregate (`a<i>`, or `a<i>_n`, `a<i>_s` for sum/avg). */
function aggregateItems(
  mapping: TableMapping,
  inputs: Inputs,
  node: AggregateNode,
  i: number,
): string[] {
  const field = node.field;
  if (field === null) return [`count(*) AS "a${i}"`];
  switch (node.fn) {
    case 'count':
      return [`count(${inputs.of(mapping.access(field.path).presence)}) AS "a${i}"`];
    case 'sum':
    case 'avg': {
      const x = inputs.of(exactNumeric(mapping, field, valueExpr(mapping, field)));
      return [`count(${x}) AS "a${i}_n"`, `sum(${x}) AS "a${i}_s"`];
    }
    case 'min':
    case 'max': {
      const x = inputs.of(valueExpr(mapping, field));
      return [`${isoText(mapping, field, `${node.fn}(${x})`)} AS "a${i}"`];
    }
  }
}

/**
 * The statement of a (bound) aggregate query: an inner query computes each group key (`k<i>`)
 * and each field expression the aggregates read (`v<i>`) once per matching row, behind `OFFSET 0`
 * so the planner does not fold it back into the outer query (which would evaluate a jsonb
 * extraction and cast again in every aggregate that reads it: about 1.5x the scan time over
 * 1M documents); the outer query groups (`GROUP BY 1, 2`) and aggregates. No ORDER BY: the
 * shared rules order the groups.
 */
export function compileAggregate(mapping: TableMapping, node: AggregateQueryNode): CompiledQuery {
  const params = new Params();
  const inputs = new Inputs();
  const keys = node.groupBy.map((k, i) => `${keyExpr(mapping, k)} AS "k${i}"`);
  const values = node.aggregates.flatMap((n, i) => aggregateItems(mapping, inputs, n.aggregate, i));
  const outer = [...node.groupBy.map((_, i) => `"k${i}"`), ...values];
  const inner = [...keys, ...inputs.items];
  let from = `SELECT ${inner.length ? inner.join(', ') : '1'} FROM ${mapping.qualified}`;
  const where = node.source.where ? normalizePredicate(node.source.where) : null;
  if (where && !(where.kind === 'const' && where.value))
    from += ` WHERE ${compilePredicate(mapping, where, params)}`;
  let text = `SELECT ${outer.length ? outer.join(', ') : 'count(*) AS "n"'} FROM (${from} OFFSET 0) AS "rows"`;
  if (keys.length > 0) text += ` GROUP BY ${keys.map((_, i) => i + 1).join(', ')}`;
  return { text, values: params.values };
}

/** The partial groups of the statement's rows, for `finishAggregate`. */
export function partialGroups(
  node: AggregateQueryNode,
  rows: readonly Record<string, unknown>[],
): PartialGroup[] {
  return rows.map((row) => ({
    keys: node.groupBy.map((_, i) => row[`k${i}`]),
    partials: node.aggregates.map((n, i) =>
      n.aggregate.fn === 'sum' || n.aggregate.fn === 'avg'
        ? { n: row[`a${i}_n`] as string, sum: (row[`a${i}_s`] ?? null) as string | null }
        : row[`a${i}`],
    ),
  }));
}
