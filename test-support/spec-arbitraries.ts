/**
 * Test support shared by the differential property tests (repository-postgres: PostgreSQL =
 * in-memory evaluator; repository-cosmos: memory = Cosmos = PostgreSQL): fast-check generators
 * for random rows and random specifications over one entity shape, the builder that turns the
 * generated parts into a QueryNode, and a keyset page walk.
 *
 * The two suites used to carry their own copies. Where the copies differed, this module keeps the
 * union of both, so neither suite tests less than it did; each difference is noted where it is.
 * The only knobs left to a suite are costs (how many rows, how deep a predicate), never which
 * values or operators are drawn.
 */
import type { Repository } from '@mystira/repository';
import {
  type EntityDef,
  entity,
  field,
  type Predicate,
  predicates,
  type QueryNode,
  type Specification,
  spec,
  type Where,
} from '@mystira/specification';
import fc from 'fast-check';

/** A generated row: the entity below, with free-form values (and missing keys). */
export type DiffRow = Record<string, unknown> & { id: string };

/**
 * Document layout: top-level fields may be missing AND null. This is the shape every store can
 * hold (memory, Cosmos, PostgreSQL document layout).
 */
export function documentRowEntity(name: string) {
  return entity(
    name,
    {
      id: field.string(),
      s: field.string().optional().nullable(),
      n: field.number().optional().nullable(),
      b: field.boolean().optional(),
      d: field.date().optional().nullable(),
      big: field.bigint().optional().nullable(),
      tags: field.array(field.string()).optional(),
      nums: field.array(field.number()).optional(),
      o: field
        .object({ s: field.string().optional().nullable(), n: field.number().optional() })
        .optional()
        .nullable(),
    },
    { id: 'id' },
  );
}

/** PostgreSQL columns layout: a top-level field is optional or nullable, not both. */
export function columnsRowEntity(name: string) {
  return entity(
    name,
    {
      id: field.string(),
      s: field.string().optional(),
      n: field.number().nullable(),
      b: field.boolean().optional(),
      d: field.date().optional(),
      big: field.bigint().nullable(),
      tags: field.array(field.string()).optional(),
      nums: field.array(field.number()).optional(),
      o: field
        .object({ s: field.string().optional().nullable(), n: field.number().optional() })
        .optional(),
    },
    { id: 'id' },
  );
}

// Small alphabets make collisions (equal values, shared prefixes) frequent. They cover astral
// characters (UTF-16 order vs code point order: U+1F600 and U+10FFFF against U+E000 and U+FF21,
// the BMP above the surrogates), accents and case (ignoreCase folds ASCII only: É, and the Kelvin
// sign U+212A, which Unicode folds to k), LIKE specials and the SQL quote.
// Union of both former copies: 'B', U+10FFFF and "'" came from PostgreSQL, 'K' and U+212A from
// Cosmos.
export const CHARS = [
  'a',
  'A',
  'b',
  'B',
  'é',
  'É',
  '\uff21',
  '\u{1f600}',
  '\u{10ffff}',
  '\ue000',
  '%',
  '_',
  '\\',
  ' ',
  "'",
  'z',
  'K',
  '\u212a',
];

/** Strings of up to 4 characters (the Cosmos copy drew up to 3, PostgreSQL up to 4). */
export const str = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 4 });

/** Numbers: colliding small integers, any finite double, and the edges of the double range. */
export const num = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  // Union: 1e21 is where JavaScript switches to exponent notation (both signs), 1e308 and 5e-324
  // the largest and smallest magnitudes, 0.1/0.5/-0.5 non-integers.
  fc.constantFrom(1e308, -1e308, 5e-324, 0.1, 0.5, -0.5, 1e21, -1e21),
);

/** ISO-8601 instants: any in years 1..9999, or one of a few that collide (and differ by 1 ms). */
export const date = fc.oneof(
  fc
    .date({
      min: new Date('0001-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  // Union of both copies' fixed instants.
  fc.constantFrom(
    '2020-01-01T00:00:00.000Z',
    '2020-01-01T00:00:00.001Z',
    '1999-12-31T23:59:59.999Z',
    '1970-01-01T00:00:00.000Z',
  ),
);

/**
 * bigint as canonical decimal strings: beyond the int64 range (PostgreSQL numeric, Cosmos string
 * compare through sign and length), and small ones that collide. Union: ±10^30 (PostgreSQL copy,
 * which covers the Cosmos copy's ±10^22) and ±12 (Cosmos copy, which covers ±3).
 */
export const big = fc
  .oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: -12n, max: 12n }))
  .map(String);

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
const asIs = <T>(a: fc.Arbitrary<T>) => a;

/** Row ids: `r00`, `r01`, … (zero-padded so string order is row order). */
export const rowId = (i: number) => `r${String(i).padStart(2, '0')}`;

export interface RowsOptions {
  /** Which entity the rows are for: see documentRowEntity / columnsRowEntity. */
  layout: 'document' | 'columns';
  /** At most this many rows (a cost knob: every row is written to every backend per run). */
  maxRows: number;
}

/**
 * Random rows for the entity of `layout`, after a JSON round trip: what any store gives back
 * (-0 becomes 0, no undefined-valued keys).
 */
export function rowsArb({ layout, maxRows }: RowsOptions): fc.Arbitrary<DiffRow[]> {
  const doc = layout === 'document';
  const row = fc.record(
    {
      s: doc ? nullable(str) : str,
      n: nullable(num),
      b: fc.boolean(),
      // The Cosmos copy had no null dates; the document entity allows them, so they are drawn.
      d: doc ? nullable(date) : date,
      big: nullable(big),
      tags: fc.array(str, { maxLength: 3 }),
      nums: fc.array(num, { maxLength: 3 }),
      o: (doc ? nullable : asIs)(fc.record({ s: nullable(str), n: num }, { requiredKeys: [] })),
    },
    // Which keys are present is random too: missing fields are the point. The columns layout
    // requires the non-optional ones.
    { requiredKeys: doc ? [] : ['n', 'big'] },
  );
  return fc
    .array(row, { maxLength: maxRows })
    .map((rows) =>
      rows.map((r, i) => JSON.parse(JSON.stringify({ id: rowId(i), ...r })) as DiffRow),
    );
}

type W = Where<Record<string, unknown>>;
/** A predicate over the row entity, built once the entity's `Where` is known. */
export type PredicateFn = (w: W) => Predicate;

/** LIKE patterns over CHARS: wildcards, and literal characters with the specials escaped. */
export const likePattern = fc
  .array(
    fc.oneof(
      fc.constantFrom('%', '_'),
      fc.constantFrom(...CHARS).map((c) => (/[%_\\]/.test(c) ? `\\${c}` : c)),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

/** [path, values for it, is it a string] for every scalar path of the entity. */
const scalarPath = fc.constantFrom<[string, fc.Arbitrary<unknown>, boolean]>(
  ['s', str, true],
  ['o.s', str, true],
  ['n', num, false],
  ['o.n', num, false],
  ['d', date, false],
  ['big', big, false],
  ['b', fc.boolean(), false],
  // Ids that exist (when there are enough rows) and one that never does.
  ['id', fc.constantFrom(rowId(0), rowId(3), rowId(7), 'zz'), true],
);

/** Calls the `Where` operator named `op` (the operators share one call shape per group). */
const call = (w: W, op: string, ...args: unknown[]) =>
  (w[op as 'eq'] as (...a: unknown[]) => Predicate)(...args);

const leaf: fc.Arbitrary<PredicateFn> = scalarPath.chain(([path, values, isString]) => {
  const ignoreCase = (on: boolean) => (isString && on ? { ignoreCase: true } : undefined);
  const ops: fc.Arbitrary<PredicateFn>[] = [
    fc.tuple(fc.constantFrom('eq', 'ne'), values, fc.boolean()).map(
      ([op, v, ic]) =>
        (w: W) =>
          call(w, op, path, v, ignoreCase(ic)),
    ),
    fc.tuple(fc.constantFrom('in', 'notIn'), fc.array(values, { maxLength: 3 }), fc.boolean()).map(
      ([op, vs, ic]) =>
        (w: W) =>
          call(w, op, path, vs, ignoreCase(ic)),
    ),
    fc.constantFrom<PredicateFn>(
      (w) => w.isNull(path as never),
      (w) => w.exists(path as never),
    ),
  ];
  if (path !== 'b') {
    ops.push(
      fc.tuple(fc.constantFrom('lt', 'lte', 'gt', 'gte'), values).map(
        ([op, v]) =>
          (w: W) =>
            call(w, op, path, v),
      ),
      // Union: only the PostgreSQL copy drew `between`.
      fc.tuple(values, values).map(
        ([lo, hi]) =>
          (w: W) =>
            call(w, 'between', path, lo, hi),
      ),
    );
  }
  if (isString && path !== 'id') {
    ops.push(
      fc.tuple(fc.constantFrom('startsWith', 'endsWith', 'contains'), str, fc.boolean()).map(
        ([op, v, ic]) =>
          (w: W) =>
            call(w, op, path, v, { ignoreCase: ic }),
      ),
      fc.tuple(likePattern, fc.boolean()).map(
        ([p, ic]) =>
          (w: W) =>
            w.like(path as never, p, { ignoreCase: ic }),
      ),
    );
  }
  return fc.oneof(...ops);
});

// Union: the Cosmos copy drew only arrayContainsAny on `tags`; the PostgreSQL copy also numbers
// (`nums`) and absence of whole arrays and objects.
const arrayLeaf: fc.Arbitrary<PredicateFn> = fc.oneof(
  fc
    .array(str, { maxLength: 2 })
    .map((vs) => (w: W) => w.arrayContainsAny('tags' as never, vs as never)),
  fc
    .array(num, { maxLength: 2 })
    .map((vs) => (w: W) => w.arrayContainsAny('nums' as never, vs as never)),
  fc.constantFrom<PredicateFn>(
    (w) => w.isNull('o' as never),
    (w) => w.exists('tags' as never),
    (w) => w.isNull('nums' as never),
  ),
);

/**
 * Random predicates: leaves combined by and/or/not. `maxDepth` bounds the nesting (a cost knob;
 * unbounded when omitted, fast-check's small depth size keeps most trees shallow anyway).
 */
export function predicateArb(maxDepth?: number): fc.Arbitrary<PredicateFn> {
  return fc.letrec<{ p: PredicateFn }>((tie) => ({
    p: fc.oneof(
      {
        depthSize: 'small',
        withCrossShrink: true,
        ...(maxDepth === undefined ? {} : { maxDepth }),
      },
      leaf,
      arrayLeaf,
      fc
        .array(tie('p'), { minLength: 1, maxLength: 3 })
        .map((ps) => (w: W) => w.and(...ps.map((p) => p(w)))),
      fc
        .array(tie('p'), { minLength: 1, maxLength: 3 })
        .map((ps) => (w: W) => w.or(...ps.map((p) => p(w)))),
      tie('p').map((p) => (w: W) => w.not(p(w))),
    ),
  })).p;
}

/** Every field the generated specifications may order by. */
export const ORDER_FIELDS = ['s', 'n', 'b', 'd', 'big', 'o.s', 'o.n', 'id'] as const;
export const DIRECTIONS = ['asc', 'desc'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Up to two order keys (the adapters append the id tiebreaker themselves). */
export const orderArb = fc.array(
  fc.tuple(fc.constantFrom<string>(...ORDER_FIELDS), fc.constantFrom(...DIRECTIONS)),
  { maxLength: 2 },
);

/** The parts of a generated specification, kept apart so a failure shrinks and prints readably. */
export interface SpecParts {
  where: PredicateFn | null;
  order: [string, Direction][];
  skip: number;
  take: number | null;
}

/** Random specification parts; `maxDepth` as in predicateArb. */
export function specPartsArb(maxDepth?: number): fc.Arbitrary<SpecParts> {
  return fc.record({
    where: fc.option(predicateArb(maxDepth), { nil: null }),
    order: orderArb,
    skip: fc.nat({ max: 3 }),
    take: fc.option(fc.nat({ max: 5 }), { nil: null }),
  });
}

/** The query of `parts` over `def`. */
export function buildSpec(def: EntityDef, parts: SpecParts): QueryNode {
  let s = spec(def) as unknown as Specification<Record<string, unknown>>;
  if (parts.where) s = s.where(parts.where(predicates(def) as unknown as W));
  parts.order.forEach(([f, dir], i) => {
    s = s.orderByField(f, dir, i > 0);
  });
  s = s.skip(parts.skip);
  if (parts.take !== null) s = s.take(parts.take);
  return s.build();
}

/**
 * Every ORDER BY the generators can produce (one or two keys), so a Cosmos container can be
 * created with the composite indexes they need.
 */
export function allOrders(def: EntityDef): QueryNode[] {
  const base = { where: null, skip: 0, take: null };
  const out: QueryNode[] = [];
  for (const f1 of ORDER_FIELDS)
    for (const d1 of DIRECTIONS) {
      out.push(buildSpec(def, { ...base, order: [[f1, d1]] }));
      for (const f2 of ORDER_FIELDS)
        for (const d2 of DIRECTIONS)
          out.push(
            buildSpec(def, {
              ...base,
              order: [
                [f1, d1],
                [f2, d2],
              ],
            }),
          );
    }
  return out;
}

/**
 * Walks `q` with keyset pages of `pageSize` (at most 20 pages; the generated row sets are
 * smaller) and returns every row seen, in order: it must equal the unpaged list (skip applies to
 * page one).
 */
export async function walkPages<T extends DiffRow>(
  repo: Repository<T>,
  q: QueryNode,
  pageSize: number,
): Promise<T[]> {
  const seen: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: Awaited<ReturnType<typeof repo.page<T>>> = await repo.page<T>(
      { ...q, take: pageSize },
      { cursor },
    );
    seen.push(...page.items);
    cursor = page.cursor;
    if (!cursor) break;
  }
  return seen;
}
