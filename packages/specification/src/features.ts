/**
 * What a query needs from a backend, so a compiler with a reduced capability profile (e.g. the
 * Cosmos DB emulator `@vercel/cosmosdb-server`) can refuse a spec up front, with a precise reason,
 * instead of returning a different answer.
 */
import type { FieldRef, Node, QueryNode } from './ast.js';
import { walk } from './walk.js';

/**
 * A query construct a backend may lack (see {@link featuresOf}): each names an operator, a kind of
 * order or paging.
 */
export type Feature =
  /** Case-insensitive (ASCII-folded) string comparison. */
  | 'ignoreCase'
  /** LIKE patterns (including search groups). */
  | 'like'
  | 'startsWith'
  | 'endsWith'
  | 'contains'
  | 'arrayContains'
  | 'in'
  | 'between'
  /** lt/lte/gt/gte/between or ordering on a string/date field (code point order matters). */
  | 'stringOrder'
  /** lt/lte/gt/gte/between or ordering on a bigint field (numeric order of decimal strings). */
  | 'bigintOrder'
  /** Any field below the top level (e.g. `profile.country`). */
  | 'nestedFields'
  | 'not'
  | 'or'
  /** Keyset (seek) paging. */
  | 'keyset'
  | 'skip'
  | 'take'
  | 'select'
  /** More than one order key (including the implicit id tiebreaker when another key is given). */
  | 'multiOrder'
  | 'descending';

function ordered(field: FieldRef, out: Set<Feature>): void {
  if (field.type === 'string' || field.type === 'date' || field.type === null)
    out.add('stringOrder');
  if (field.type === 'bigint' || field.type === null) out.add('bigintOrder');
}

/** The features `query` uses. Fields of unknown type count as both string and bigint ordered. */
export function featuresOf(query: QueryNode): Set<Feature> {
  const out = new Set<Feature>();
  if (query.after) out.add('keyset');
  if (query.skip > 0) out.add('skip');
  if (query.take !== null) out.add('take');
  if (query.select) out.add('select');
  if (
    query.orderBy.length > 0 &&
    !(
      query.orderBy.length === 1 &&
      query.orderBy[0]!.field.path.join('.') === query.idField.path.join('.')
    )
  ) {
    out.add('multiOrder');
  }
  walk(query, (n: Node) => {
    switch (n.kind) {
      case 'field':
        if (n.path.length > 1) out.add('nestedFields');
        break;
      case 'order':
        ordered(n.field, out);
        if (n.direction === 'desc') out.add('descending');
        break;
      case 'compare':
        if (n.ignoreCase) out.add('ignoreCase');
        if (n.op !== 'eq' && n.op !== 'ne') ordered(n.field, out);
        break;
      case 'between':
        out.add('between');
        ordered(n.field, out);
        break;
      case 'in':
        out.add('in');
        if (n.ignoreCase) out.add('ignoreCase');
        break;
      case 'stringMatch':
        out.add(n.op);
        if (n.ignoreCase) out.add('ignoreCase');
        break;
      case 'like':
        out.add('like');
        if (n.ignoreCase) out.add('ignoreCase');
        break;
      case 'arrayContains':
        out.add('arrayContains');
        break;
      case 'not':
        out.add('not');
        break;
      case 'or':
        out.add('or');
        break;
    }
  });
  return out;
}
