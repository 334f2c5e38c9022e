/**
 * Reads that span many server pages, for every ordering over keys that can be missing, null or
 * both (also nested under a parent that can be either): `list` at page sizes 7, 1 and 50, `stream`
 * in batches of 5, a skip/take window, and keyset cursor walks of 7, each against the in-memory
 * repository (the specification's evaluator) on the same 200 rows.
 *
 * These once failed on cosmosdb-server: a server continuation token carries the last row's sort
 * values as JSON, where a missing value becomes null, so the next page resumed in the wrong place
 * (rows lost, rows repeated, or a scan that restarted for ever). The adapter now never orders a
 * server query by a key that can be missing (see the compiler), and a read that still comes back
 * out of order fails instead of looping.
 */
import { memoryRepository, type Repository } from '@mystira/repository';
import { CosmosRepository } from '@mystira/repository-cosmos';
import { type Infer, type Specification, spec } from '@mystira/specification';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { absentKeysEntity } from './absent-keys.js';
import { useCosmos } from './cosmos.js';

const Items = absentKeysEntity('items');
type Item = Infer<typeof Items>;

/** Keys with every kind of absence: optional, nullable, both, and nested under either. */
const FIELDS = ['flag', 'title', 'n', 'meta.deep.code', 'label'] as const;
type Key = (typeof FIELDS)[number];
type Ordering = readonly (readonly [Key, 'asc' | 'desc'])[];

// Titles collide, and two of them hold code units >= U+D800 (UTF-16 order differs from code
// point order there).
const TITLES = ['alpha', 'beta', '\u{1f600}x', '\ue000y', 'Beta'];

/** 200 rows whose absences do not line up with each other (coprime periods). */
const rows: Item[] = Array.from({ length: 200 }, (_, i) => {
  const row: Record<string, unknown> = { id: `i${String(i).padStart(3, '0')}` };
  if (i % 5 === 1) row.n = null;
  else if (i % 5 !== 0) row.n = (i * 7) % 4;
  if (i % 3 !== 0) row.flag = i % 2 === 0;
  if (i % 7 >= 3) row.title = TITLES[i % 5];
  row.label = i % 4 === 0 ? null : `l${i % 3}`;
  const m = i % 6;
  if (m === 1) row.meta = null;
  else if (m === 2) row.meta = {};
  else if (m === 3) row.meta = { deep: {} };
  else if (m >= 4) row.meta = { deep: { code: `c${i % 3}` } };
  return row as Item;
});

const S = () => spec(Items) as unknown as Specification<Item, Item>;

function specOf(ordering: Ordering): Specification<Item, Item> {
  let s = S();
  ordering.forEach(([f, d], i) => {
    s = i === 0 ? s.orderBy(f as never, d) : s.thenBy(f as never, d);
  });
  return s;
}

/** Every ordering of one key, and of two different keys, in both directions. */
const ORDERINGS: Ordering[] = FIELDS.flatMap((f1) =>
  (['asc', 'desc'] as const).flatMap((d1) => [
    [[f1, d1]] as Ordering,
    ...FIELDS.filter((f2) => f2 !== f1).flatMap((f2) =>
      (['asc', 'desc'] as const).map((d2) => [[f1, d1] as const, [f2, d2] as const] as Ordering),
    ),
  ]),
);

const label = (o: Ordering) => o.map(([f, d]) => `${f} ${d}`).join(', ');
const ids = (items: readonly Item[]) => items.map((i) => i.id);

async function walk(repo: Repository<Item>, s: Specification<Item, Item>, take: number) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages <= rows.length + 1; pages++) {
    const page: Awaited<ReturnType<typeof repo.page<Item>>> = await repo.page(s.take(take), {
      cursor,
    });
    seen.push(...ids(page.items));
    cursor = page.cursor;
    if (!cursor) return seen;
  }
  throw new Error('the cursor walk did not end');
}

async function streamed(repo: Repository<Item>, s: Specification<Item, Item>, batchSize: number) {
  const seen: string[] = [];
  for await (const item of repo.stream(s, { batchSize })) seen.push(item.id);
  return seen;
}

/** One multi-page way to read an ordering, checked against the in-memory rows. */
type Variant =
  | { kind: 'list'; pageSize: 1 | 7 | 50 }
  | { kind: 'stream'; batchSize: 5 }
  | { kind: 'window'; pageSize: 7; skip: number; take: number }
  | { kind: 'walk'; take: 7 };

const variantArb: fc.Arbitrary<Variant> = fc.oneof(
  fc.constantFrom(1 as const, 7 as const, 50 as const).map((pageSize) => ({
    kind: 'list' as const,
    pageSize,
  })),
  fc.constant({ kind: 'stream' as const, batchSize: 5 as const }),
  fc
    .tuple(fc.nat({ max: 20 }), fc.integer({ min: 1, max: 30 }))
    .map(([skip, take]) => ({ kind: 'window' as const, pageSize: 7 as const, skip, take })),
  fc.constant({ kind: 'walk' as const, take: 7 as const }),
);

describe('multi-page reads on every ordering', () => {
  const cosmos = useCosmos();
  /** 200 rows, by page size. */
  const full = new Map<number, CosmosRepository<Item>>();
  /** The first 60 rows, by page size: the sweeps over every ordering. */
  const small = new Map<number, CosmosRepository<Item>>();
  const memory = memoryRepository<Item>(Items, { seed: rows });
  const memorySmall = memoryRepository<Item>(Items, { seed: rows.slice(0, 60) });
  const cosmosAt = (pageSize: number) => full.get(pageSize)!;
  const smallAt = (pageSize: number) => small.get(pageSize)!;

  beforeAll(async () => {
    for (const [repos, seed] of [
      [full, rows],
      [small, rows.slice(0, 60)],
    ] as const) {
      const container = await cosmos.container(Items, 'pages', ORDERINGS.map(specOf));
      for (const pageSize of [1, 7, 50])
        repos.set(
          pageSize,
          new CosmosRepository<Item>(Items, { container, profile: cosmos.profile, pageSize }),
        );
      await repos.get(50)!.addMany(seed);
    }
  });

  it('orderBy(flag).thenBy(title) at page size 7 keeps the rows with flag false and no title', async () => {
    const s = S().orderBy('flag').thenBy('title');
    const got = ids(await cosmosAt(7).list(s));
    expect(got).toHaveLength(200);
    expect(got).toEqual(ids(await memory.list(s)));
  });

  it('orderBy(n).thenBy(meta.deep.code): every row once, at page sizes 7, 1 and 50', async () => {
    const s = S().orderBy('n').thenBy('meta.deep.code');
    const expected = ids(await memory.list(s));
    for (const pageSize of [7, 1, 50]) {
      const got = ids(await cosmosAt(pageSize).list(s));
      expect({ pageSize, got }).toEqual({ pageSize, got: expected });
    }
  });

  it('orderBy(flag, desc).thenBy(title, desc) returns, in lists, a stream and a cursor walk of 7', async () => {
    const s = S().orderBy('flag', 'desc').thenBy('title', 'desc');
    const expected = ids(await memory.list(s));
    expect(ids(await cosmosAt(7).list(s))).toEqual(expected);
    expect(await streamed(cosmosAt(50), s, 5)).toEqual(expected);
    expect(await walk(cosmosAt(50), s, 7)).toEqual(expected);
  });

  it('every ordering, at page size 7 and streamed in batches of 5', async () => {
    for (const ordering of ORDERINGS) {
      const s = specOf(ordering);
      const expected = ids(await memorySmall.list(s));
      const name = label(ordering);
      expect({ name, list7: ids(await smallAt(7).list(s)) }).toEqual({ name, list7: expected });
      expect({ name, stream5: await streamed(smallAt(50), s, 5) }).toEqual({
        name,
        stream5: expected,
      });
    }
  });

  it('any ordering, any multi-page read: page sizes 1, 7, 50, stream, window, cursor walk', async () => {
    // Every pair of (ordering, read) at once costs minutes on the in-process server; a bounded
    // random sample of them runs here (MULTIPAGE_RUNS raises it).
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ORDERINGS), variantArb, async (ordering, variant) => {
        const s = specOf(ordering);
        const expected = ids(await memorySmall.list(s));
        let got: string[];
        let want = expected;
        switch (variant.kind) {
          case 'list':
            got = ids(await smallAt(variant.pageSize).list(s));
            break;
          case 'stream':
            got = await streamed(smallAt(50), s, variant.batchSize);
            break;
          case 'window':
            got = ids(
              await smallAt(variant.pageSize).list(s.skip(variant.skip).take(variant.take)),
            );
            want = expected.slice(variant.skip, variant.skip + variant.take);
            break;
          case 'walk':
            got = await walk(smallAt(50), s, variant.take);
            break;
        }
        expect({ ordering: label(ordering), variant, got }).toEqual({
          ordering: label(ordering),
          variant,
          got: want,
        });
      }),
      { numRuns: Number(process.env.MULTIPAGE_RUNS ?? 25), endOnFailure: true },
    );
  });
});
