/**
 * Splitting an order into server queries none of which orders by a key that can be missing.
 *
 * Absent values sort first ascending and last descending, as ties (missing and null alike).
 * Cosmos orders missing before null (they are distinct there), cosmosdb-server drops rows with a
 * missing single sort key, and a continuation token resumes after the last row's sort values,
 * which cosmosdb-server keeps as JSON, where missing becomes null (the next page then skips or
 * repeats rows, or the scan restarts for ever). So:
 *
 * - a leading key that can be absent splits the query into groups run one after the other:
 *   absent rows (where the next key leads), then present rows, or the reverse for desc;
 * - a later key that can be missing splits a group into parts whose rows are merged by the
 *   comparator: one where it is absent (and left out of the ORDER BY: all ties there), one where
 *   it is present. A later key that can only be null stays in the ORDER BY (null survives JSON).
 */
import type { OrderNode, Predicate } from '@mystira/specification';
import type { Absence } from './compiler.js';

/** Most server queries merged for one group (2 per later order key that can be missing). */
export const MAX_MERGED_PARTS = 16;

/** One server query: the absence conditions that select its rows, its ORDER BY, its group. */
export interface OrderBranch {
  /** Conditions (`isNull`/`exists` of order keys) ANDed to the filter. */
  readonly conds: Predicate[];
  /** The ORDER BY keys, none of which can be missing in these rows. */
  readonly keys: OrderNode[];
  /** Branches of one group are merged; groups run one after the other, in number order. */
  readonly group: number;
}

/**
 * The branches of `orders`; `tooMany` when a group would merge more than `MAX_MERGED_PARTS`
 * queries (the caller then sorts in memory instead).
 */
export function splitOrder(
  orders: readonly OrderNode[],
  absence: (o: OrderNode) => Absence,
): { branches: OrderBranch[]; tooMany: boolean } {
  const branches: OrderBranch[] = [];
  let tooMany = false;
  let groups = 0;
  /** The parts of one merged group: every later key that can be missing, absent or present. */
  const merged = (conds: Predicate[], keys: readonly OrderNode[]): void => {
    const group = groups++;
    let combos: OrderBranch[] = [{ conds, keys: keys.slice(0, 1), group }];
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
    if (combos.length > MAX_MERGED_PARTS) tooMany = true;
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
  return { branches, tooMany };
}
