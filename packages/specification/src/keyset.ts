/**
 * Keyset values of a row: what a cursor stores so the next page starts strictly after that row.
 * Kept in the core (no crypto) so any backend can compute them from a row it fetched; the opaque,
 * signed cursor string is built by `@mystira/specification/cursor`.
 */
import type { KeysetNode, Literal, QueryNode } from './ast.js';
import { InvalidValueError } from './errors.js';
import { getter, type SpecSource } from './evaluate.js';
import { effectiveOrder } from './normalize.js';
import { toLiteral } from './values.js';

/** The keyset (one value per effective order key, `null` when absent) of `item` under `spec`'s order. */
export function keysetOf<T>(spec: SpecSource<T, unknown>, item: T): KeysetNode {
  const query: QueryNode =
    'kind' in spec && spec.kind === 'query' ? spec : (spec as { build(): QueryNode }).build();
  const values: (Literal | null)[] = effectiveOrder(query).map((o) => {
    const v = getter(o.field.path)(item);
    if (v === undefined) return null;
    try {
      // toLiteral also accepts a JS bigint / Date where the schema says bigint / date.
      return toLiteral(v, o.field, 'keyset value');
    } catch (e) {
      throw new InvalidValueError(
        `cannot build a keyset from a row whose "${o.field.path.join('.')}" does not match its declared type`,
        { field: o.field.path.join('.'), cause: e },
      );
    }
  });
  return Object.freeze({ kind: 'keyset', values: Object.freeze(values) });
}
