/**
 * Random aggregate specifications over the differential row entity (test-support's
 * documentRowEntity / columnsRowEntity): a random filter-free or simple filter, zero to two group
 * keys, and one to four aggregates of every function over the fields they apply to.
 */
import {
  type AggregateQueryNode,
  type EntityDef,
  type Predicate,
  type predicates,
  spec,
} from '@mystira/specification';
import fc from 'fast-check';

type Key = string | readonly [string, 'year' | 'month' | 'day' | 'hour'];
const GROUP_KEYS: readonly Key[] = [
  's',
  'n',
  'b',
  'd',
  'big',
  'o.s',
  'o.n',
  ['d', 'year'],
  ['d', 'month'],
  ['d', 'day'],
  ['d', 'hour'],
];
const keyPath = (k: Key) => (typeof k === 'string' ? k : k[0]);
const COUNTED = ['s', 'n', 'b', 'd', 'big', 'tags', 'o', 'o.s', 'o.n'] as const;
const SUMMED = ['n', 'big', 'o.n'] as const;
const ORDERED = ['s', 'n', 'd', 'big', 'o.s', 'o.n'] as const;

type Made = { fn: 'count' | 'sum' | 'avg' | 'min' | 'max'; path?: string };

const aggregateArb: fc.Arbitrary<Made> = fc.oneof(
  fc.constant<Made>({ fn: 'count' }),
  fc.constantFrom(...COUNTED).map((path): Made => ({ fn: 'count', path })),
  fc
    .tuple(fc.constantFrom('sum' as const, 'avg' as const), fc.constantFrom(...SUMMED))
    .map(([fn, path]): Made => ({ fn, path })),
  fc
    .tuple(fc.constantFrom('min' as const, 'max' as const), fc.constantFrom(...ORDERED))
    .map(([fn, path]): Made => ({ fn, path })),
);

const filterArb = fc.constantFrom<((w: ReturnType<typeof predicates>) => Predicate) | null>(
  null,
  (w) => w.exists('n' as never),
  (w) => w.eq('b' as never, true as never),
  (w) => w.or(w.isNull('s' as never), w.gt('n' as never, 0 as never)),
);

/** A random aggregate query node for the row entity `def`. */
export function aggregateSpecArb(def: EntityDef): fc.Arbitrary<AggregateQueryNode> {
  return fc
    .record({
      filter: filterArb,
      keys: fc.uniqueArray(fc.constantFrom(...GROUP_KEYS), { maxLength: 2, selector: keyPath }),
      aggs: fc.array(aggregateArb, { minLength: 1, maxLength: 4 }),
      shape: fc.constantFrom('rows', 'scalar', 'distinct'),
    })
    .map(({ filter, keys, aggs, shape }) => {
      let base = spec(def);
      if (filter) base = base.where(filter as never);
      const make = (a: Record<string, (p?: string) => unknown>) =>
        Object.fromEntries(aggs.map((m, i) => [`v${i}`, a[m.fn]!(m.path)]));
      if (shape === 'distinct' && typeof keys[0] === 'string')
        return base.distinct(keys[0] as never).build();
      if (shape === 'scalar' && keys.length === 0) {
        const m = aggs[0]!;
        const b = base as unknown as Record<
          string,
          (p?: string) => { build(): AggregateQueryNode }
        >;
        return b[m.fn]!.call(base, m.path).build();
      }
      if (keys.length === 0) return base.aggregate(make as never).build();
      return (
        base.groupBy as (...k: Key[]) => {
          aggregate(f: unknown): { build(): AggregateQueryNode };
        }
      )
        .apply(base, keys)
        .aggregate(make)
        .build();
    });
}
