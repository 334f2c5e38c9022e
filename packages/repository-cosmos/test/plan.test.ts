/**
 * The plan and its execution without a server: `runPlan` over a fake page fetcher that answers
 * each server query the way Cosmos DB does (the part's filter, its ORDER BY in Cosmos' type order
 * and UTF-16 string order, TOP, pages of at most `batchSize` rows that may also be short or
 * empty). One property covers every ordering, page size, limit and filter: the rows come out as
 * the specification's own evaluator orders them. And a fetcher that resumes at an earlier row, as
 * cosmosdb-server's continuation did for a missing sort value, makes the read fail, not loop.
 */
import { memoryRepository, UnavailableError } from '@mystira/repository';
import {
  compilePredicate,
  entity,
  field,
  type Infer,
  type Specification,
  spec,
} from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absenceOf } from '../src/compiler.js';
import { mergeOrdered } from '../src/merge.js';
import {
  type CosmosPage,
  type CosmosQueryPart,
  compileQuery,
  type PageFetcher,
  runPlan,
} from '../src/plan.js';
import { absentKeysEntity } from './absent-keys.js';

const Items = absentKeysEntity('plan_items');
type Item = Infer<typeof Items>;
type Doc = Record<string, unknown>;

const FIELDS = ['flag', 'title', 'n', 'meta.deep.code', 'label', 'id'] as const;
const str = fc.constantFrom('a', 'B', 'b', '\u{1f600}', '\ue000', 'a\u{1f600}', '');

const rowsArb: fc.Arbitrary<Item[]> = fc
  .array(
    fc.record(
      {
        n: fc.option(fc.integer({ min: -2, max: 2 }), { nil: null }),
        flag: fc.boolean(),
        title: str,
        label: fc.option(str, { nil: null }),
        meta: fc.option(
          fc.record({ deep: fc.record({ code: str }, { requiredKeys: [] }) }, { requiredKeys: [] }),
          { nil: null },
        ),
      },
      { requiredKeys: ['label'] },
    ),
    { maxLength: 30 },
  )
  .map((rows) => rows.map((r, i) => ({ id: `r${String(i).padStart(2, '0')}`, ...r }) as Item));

const orderingArb = fc.array(
  fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom('asc' as const, 'desc' as const)),
  { minLength: 0, maxLength: 3 },
);

/** Filters: none, exact ones, and one the server can only relax (re-checked in memory). */
const filterArb = fc.constantFrom<((s: Specification<Item, Item>) => Specification<Item, Item>)[]>(
  (s) => s,
  (s) => s.where((w) => w.gte('n', 0)),
  (s) => s.where((w) => w.or(w.eq('flag', true), w.isNull('title'))),
  (s) => s.where((w) => w.eq('title', 'b', { ignoreCase: true })),
);

/** Cosmos DB's order of values of different types: undefined, null, false, true, numbers, strings. */
function cosmosRank(v: unknown): number {
  if (v === undefined) return 0;
  if (v === null) return 1;
  if (typeof v === 'boolean') return 2;
  if (typeof v === 'number') return 3;
  return 4;
}

function cosmosCompare(a: unknown, b: unknown): number {
  const ra = cosmosRank(a);
  const rb = cosmosRank(b);
  if (ra !== rb) return ra - rb;
  // Strings by UTF-16 code units, as JavaScript compares them.
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function read(doc: Doc, path: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const k of path) cur = (cur as Doc | null | undefined)?.[k];
  return cur;
}

/** The server queries answered in memory, paged by `pageSizes` (short and empty pages too). */
function fakeCosmos(docs: readonly Doc[], pageSizes: readonly number[] = []): PageFetcher {
  return async function* (part: CosmosQueryPart, top, batchSize) {
    const matches = compilePredicate(part.filter);
    let rows = docs.filter((d) => matches(d) === 1);
    rows = [...rows].sort((x, y) => {
      for (const k of part.orderBy) {
        const c = cosmosCompare(read(x, k.path), read(y, k.path));
        if (c !== 0) return k.direction === 'asc' ? c : -c;
      }
      return 0;
    });
    if (top !== undefined) rows = rows.slice(0, top);
    let i = 0;
    for (let p = 0; i < rows.length; p++) {
      const size = Math.min(
        batchSize,
        pageSizes.length ? pageSizes[p % pageSizes.length]! : batchSize,
      );
      yield rows.slice(i, i + size) as CosmosPage;
      i += size;
    }
  };
}

async function take<T>(it: AsyncIterable<T>, limit?: number): Promise<T[]> {
  const out: T[] = [];
  if (limit === 0) return out;
  for await (const x of it) {
    out.push(x);
    if (limit !== undefined && out.length >= limit) break;
  }
  return out;
}

function specOf(ordering: readonly (readonly [string, 'asc' | 'desc'])[]) {
  let s = spec(Items) as unknown as Specification<Item, Item>;
  ordering.forEach(([f, d], i) => {
    s = i === 0 ? s.orderBy(f as never, d) : s.thenBy(f as never, d);
  });
  return s;
}

describe('runPlan over a fake page fetcher', () => {
  it('returns the rows in the specification order, for any ordering, page size, limit, filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        rowsArb,
        orderingArb,
        filterArb,
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat({ max: 4 }), { maxLength: 4 }),
        fc.option(fc.nat({ max: 12 }), { nil: undefined }),
        fc.constantFrom('azure' as const, 'cosmosdb-server' as const),
        async (rows, ordering, filter, batchSize, pageSizes, limit, profile) => {
          const s = filter(specOf(ordering));
          const expected = (await memoryRepository<Item>(Items, { seed: rows }).list(s)).map(
            (r) => r.id,
          );
          const plan = compileQuery(s.build(), { profile, entity: Items, partitionKey: ['id'] });
          // Empty pages (size 0) only between others, so every query still ends.
          const sizes = pageSizes.some((x) => x > 0) ? pageSizes : [];
          const got = await take(
            runPlan<Item>(plan, {
              fetch: fakeCosmos(rows as Doc[], sizes),
              toItem: (d) => d as Item,
              batchSize,
              limit,
              maxInMemoryRows: 1000,
              entity: 'plan_items',
            }),
            limit,
          );
          expect(got.map((r) => r.id)).toEqual(
            limit === undefined ? expected : expected.slice(0, limit),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('no server query orders by a key that can be missing in its rows', () => {
    fc.assert(
      fc.property(orderingArb, (ordering) => {
        const plan = compileQuery(specOf(ordering).build(), {
          entity: Items,
          partitionKey: ['id'],
        });
        for (const part of plan.parts) {
          const conds = part.filter.kind === 'and' ? part.filter.operands : [part.filter];
          const present = conds.flatMap((c) =>
            c.kind === 'exists' ? [c.field.path.join('.')] : [],
          );
          for (const key of part.orderBy)
            if (absenceOf(Items, key.path).missing) expect(present).toContain(key.path.join('.'));
        }
      }),
    );
  });

  it('a continuation that resumes at an earlier row fails the read instead of looping', async () => {
    const rows: Item[] = Array.from({ length: 20 }, (_, i) => ({
      id: `r${String(i).padStart(2, '0')}`,
      label: `l${i % 4}`,
    }));
    const plan = compileQuery(spec(Items).orderBy('label').build(), { entity: Items });
    // Every second page starts again from the first row, for ever.
    const restarting: PageFetcher = async function* (_part, _top, batchSize) {
      const sorted = [...rows].sort((a, b) =>
        a.label! < b.label! ? -1 : a.label! > b.label! ? 1 : a.id < b.id ? -1 : 1,
      );
      for (let page = 0; ; page++) {
        const from = (page % 2) * batchSize;
        yield sorted.slice(from, from + batchSize) as CosmosPage;
      }
    };
    const run = take(
      runPlan<Item>(plan, {
        fetch: restarting,
        toItem: (d) => d as Item,
        batchSize: 3,
        maxInMemoryRows: 1000,
        entity: 'plan_items',
      }),
    );
    await expect(run).rejects.toBeInstanceOf(UnavailableError);
    await expect(run).rejects.toThrow(/out of order/);
  });

  it('an in-memory sort past maxInMemoryRows is refused', async () => {
    const BigItems = entity('big_items', { id: field.string(), amount: field.bigint() });
    const plan = compileQuery(spec(BigItems).orderBy('amount').build(), { entity: BigItems });
    expect(plan.memorySort).toBe(true);
    const docs = Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, amount: String(5 - i) }));
    const run = take(
      runPlan(plan, {
        fetch: fakeCosmos(docs),
        toItem: (d) => d,
        batchSize: 2,
        maxInMemoryRows: 3,
        entity: 'big_items',
      }),
    );
    await expect(run).rejects.toThrow(/maxInMemoryRows \(3\)/);
  });
});

describe('mergeOrdered', () => {
  async function* from<T>(xs: readonly T[], closed: { count: number }) {
    try {
      yield* xs;
    } finally {
      closed.count++;
    }
  }

  it('merges sorted streams into one sorted stream, ties in stream order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.nat({ max: 9 }), fc.nat()), { maxLength: 8 }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (lists) => {
          const sorted = lists.map((l) => [...l].sort((a, b) => a[0] - b[0]));
          const tagged = sorted.map((l, s) => l.map(([k, v]) => ({ k, s, v })));
          const closed = { count: 0 };
          const got = await take(
            mergeOrdered(
              tagged.map((l) => from(l, closed)),
              (a, b) => a.k - b.k,
            ),
          );
          const expected = tagged.flat().sort((a, b) => a.k - b.k || a.s - b.s);
          expect(got).toEqual(expected);
          expect(closed.count).toBe(lists.length);
        },
      ),
    );
  });

  it('closes every stream when the reader stops early', async () => {
    const closed = { count: 0 };
    const got = await take(
      mergeOrdered(
        [from([1, 4, 7], closed), from([2, 5], closed), from([3, 6], closed)],
        (a, b) => a - b,
      ),
      2,
    );
    expect(got).toEqual([1, 2]);
    expect(closed.count).toBe(3);
  });
});
