/**
 * Differential property test over three backends: for random rows x random specifications, the
 * in-memory repository (the specification's evaluator), Cosmos DB (this adapter, on the profile
 * the tests run on) and PostgreSQL (`@mystira/repository-postgres`, document layout) return the
 * same rows in the same order, the same counts, and the same sequence when walked by keyset pages.
 * Bounded runs: the in-process Cosmos server compiles every query, on a shared 2-core box.
 */
import { randomUUID } from 'node:crypto';
import { memoryRepository, type Repository } from '@mystira/repository';
import { CosmosRepository, ensureContainer } from '@mystira/repository-cosmos';
import {
  createDatabase,
  createTableStatements,
  type PgDatabase,
  PostgresRepository,
} from '@mystira/repository-postgres';
import {
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCosmos, type TestCosmos } from './cosmos.js';

const Row = entity(
  'diff_rows',
  {
    id: field.string(),
    s: field.string().optional().nullable(),
    n: field.number().optional().nullable(),
    b: field.boolean().optional(),
    d: field.date().optional(),
    big: field.bigint().optional().nullable(),
    tags: field.array(field.string()).optional(),
    o: field
      .object({ s: field.string().optional().nullable(), n: field.number().optional() })
      .optional()
      .nullable(),
  },
  { id: 'id' },
);
type RowT = Record<string, unknown> & { id: string };

// Small alphabets so values collide; astral vs U+E000 (UTF-16 vs code point order), accents and
// case (ASCII-only folding), LIKE specials.
const CHARS = [
  'a',
  'A',
  'b',
  'é',
  'É',
  '\uff21',
  '\u{1f600}',
  '\ue000',
  '%',
  '_',
  '\\',
  ' ',
  'z',
  'K',
  '\u212a',
];
const str = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 3 });
const num = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -1e21, 1e308, 5e-324));
const date = fc.constantFrom(
  '2020-01-01T00:00:00.000Z',
  '2020-01-01T00:00:00.001Z',
  '1999-12-31T23:59:59.999Z',
);
const big = fc
  .oneof(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), fc.bigInt({ min: -12n, max: 12n }))
  .map(String);
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });

const rowsArb = fc
  .array(
    fc.record(
      {
        s: nullable(str),
        n: nullable(num),
        b: fc.boolean(),
        d: date,
        big: nullable(big),
        tags: fc.array(str, { maxLength: 2 }),
        o: nullable(fc.record({ s: nullable(str), n: num }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 10 },
  )
  .map((rows) => rows.map((r, i) => JSON.parse(JSON.stringify({ id: `r${i}`, ...r })) as RowT));

type W = Where<Record<string, unknown>>;
type PredFn = (w: W) => Predicate;
const likePattern = fc
  .array(
    fc.oneof(
      fc.constantFrom('%', '_'),
      fc.constantFrom(...CHARS).map((c) => (/[%_\\]/.test(c) ? `\\${c}` : c)),
    ),
    {
      maxLength: 4,
    },
  )
  .map((p) => p.join(''));

const scalar: fc.Arbitrary<[string, fc.Arbitrary<unknown>, boolean]> = fc.constantFrom(
  ['s', str, true],
  ['o.s', str, true],
  ['n', num, false],
  ['o.n', num, false],
  ['d', date, false],
  ['big', big, false],
  ['b', fc.boolean(), false],
  ['id', fc.constantFrom('r0', 'r3', 'zz'), true],
) as fc.Arbitrary<[string, fc.Arbitrary<unknown>, boolean]>;

const call = (w: W, op: string, ...args: unknown[]) =>
  (w[op as 'eq'] as (...a: unknown[]) => Predicate)(...args);
const leaf: fc.Arbitrary<PredFn> = scalar.chain(([path, values, isString]) => {
  const ic = (on: boolean) => (isString && on ? { ignoreCase: true } : undefined);
  const ops: fc.Arbitrary<PredFn>[] = [
    fc.tuple(fc.constantFrom('eq', 'ne'), values, fc.boolean()).map(
      ([op, v, i]) =>
        (w: W) =>
          call(w, op, path, v, ic(i)),
    ),
    fc.tuple(fc.constantFrom('in', 'notIn'), fc.array(values, { maxLength: 3 }), fc.boolean()).map(
      ([op, vs, i]) =>
        (w: W) =>
          call(w, op, path, vs, ic(i)),
    ),
    fc.constantFrom<PredFn>(
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
    );
  }
  if (isString && path !== 'id') {
    ops.push(
      fc.tuple(fc.constantFrom('startsWith', 'endsWith', 'contains'), str, fc.boolean()).map(
        ([op, v, i]) =>
          (w: W) =>
            call(w, op, path, v, { ignoreCase: i }),
      ),
      fc.tuple(likePattern, fc.boolean()).map(
        ([p, i]) =>
          (w: W) =>
            w.like(path as never, p, { ignoreCase: i }),
      ),
    );
  }
  return fc.oneof(...ops);
});
const arrayLeaf: fc.Arbitrary<PredFn> = fc
  .array(str, { maxLength: 2 })
  .map((vs) => (w: W) => w.arrayContainsAny('tags' as never, vs as never));
const predicate: fc.Arbitrary<PredFn> = fc.letrec<{ p: PredFn }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', maxDepth: 2, withCrossShrink: true },
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

const ORDER_FIELDS = ['s', 'n', 'b', 'd', 'big', 'o.s', 'o.n', 'id'];
const DIRS = ['asc', 'desc'] as const;
const orderArb = fc.array(fc.tuple(fc.constantFrom(...ORDER_FIELDS), fc.constantFrom(...DIRS)), {
  maxLength: 2,
});
interface Parts {
  where: PredFn | null;
  order: [string, 'asc' | 'desc'][];
  skip: number;
  take: number | null;
  walk: boolean;
}
const partsArb: fc.Arbitrary<Parts> = fc.record({
  where: fc.option(predicate, { nil: null }),
  order: orderArb,
  skip: fc.nat({ max: 3 }),
  take: fc.option(fc.nat({ max: 5 }), { nil: null }),
  // Walking pages costs a query per page and a count; a quarter of the runs do it.
  walk: fc.nat({ max: 3 }).map((n) => n === 0),
});

function build(parts: Pick<Parts, 'where' | 'order' | 'skip' | 'take'>): QueryNode {
  let s = spec(Row) as unknown as Specification<Record<string, unknown>>;
  if (parts.where) s = s.where(parts.where(predicates(Row) as unknown as W));
  parts.order.forEach(([f, dir], i) => {
    s = s.orderByField(f, dir, i > 0);
  });
  s = s.skip(parts.skip);
  if (parts.take !== null) s = s.take(parts.take);
  return s.build();
}

/** Every ORDER BY the generator can produce, so the container has the composite indexes. */
function allOrders(): QueryNode[] {
  const out: QueryNode[] = [];
  for (const f1 of ORDER_FIELDS)
    for (const d1 of DIRS) {
      out.push(build({ where: null, order: [[f1, d1]], skip: 0, take: null }));
      for (const f2 of ORDER_FIELDS)
        for (const d2 of DIRS)
          out.push(
            build({
              where: null,
              order: [
                [f1, d1],
                [f2, d2],
              ],
              skip: 0,
              take: null,
            }),
          );
    }
  return out;
}

async function walk(repo: Repository<RowT>, q: QueryNode): Promise<RowT[]> {
  const seen: RowT[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: Awaited<ReturnType<typeof repo.page<RowT>>> = await repo.page<RowT>(
      { ...q, take: 3 },
      { cursor },
    );
    seen.push(...page.items);
    cursor = page.cursor;
    if (!cursor) break;
  }
  return seen;
}

describe('differential: memory = Cosmos = PostgreSQL', () => {
  let cosmos: TestCosmos;
  let cosmosRepo: CosmosRepository<RowT>;
  let pg: PgDatabase | undefined;
  let pgRepo: PostgresRepository<RowT> | undefined;
  const schema = `cosmos_diff_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    cosmos = await startCosmos();
    const container = await ensureContainer(cosmos.database, Row, {
      id: `diff-${randomUUID().slice(0, 8)}`,
      specs: allOrders(),
      profile: cosmos.profile,
    });
    cosmosRepo = new CosmosRepository<RowT>(Row, { container, profile: cosmos.profile });
    try {
      pg = createDatabase({
        primary: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' },
        max: 2,
      });
      await pg.query(`CREATE SCHEMA "${schema}"`);
      pgRepo = new PostgresRepository<RowT>(pg, Row, { layout: 'document', schema, table: 'rows' });
      for (const stmt of createTableStatements(pgRepo.mapping)) await pg.query(stmt);
    } catch (err) {
      console.warn(
        `[repository-cosmos] PostgreSQL unavailable, differential runs memory vs Cosmos only: ${(err as Error).message}`,
      );
      await pg?.close().catch(() => undefined);
      pg = undefined;
      pgRepo = undefined;
    }
  });
  afterAll(async () => {
    await cosmos?.close();
    if (pg) {
      await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await pg.close();
    }
  });

  let loaded: RowT[] = [];
  const load = async (rows: RowT[]) => {
    if (loaded.length > 0) {
      const res = await cosmosRepo.bulk(loaded.map((r) => ({ type: 'delete' as const, id: r.id })));
      expect(res.every((r) => r.ok)).toBe(true);
      if (pg) await pg.query(`DELETE FROM "${schema}"."rows"`);
    }
    loaded = rows;
    if (rows.length === 0) return;
    await cosmosRepo.addMany(rows);
    if (pgRepo) await pgRepo.addMany(rows);
  };

  it(
    'same rows, same order, same counts, same keyset walk',
    async () => {
      await fc.assert(
        fc.asyncProperty(rowsArb, partsArb, async (rows, parts) => {
          const t0 = performance.now();
          await load(rows);
          if (process.env.DIFF_DEBUG)
            console.log('load', rows.length, Math.round(performance.now() - t0));
          const memory = memoryRepository<RowT>(Row, { seed: rows });
          const q = build(parts);
          const expected = await memory.list(q);
          const backends: [string, Repository<RowT>][] = [['cosmos', cosmosRepo]];
          if (pgRepo) backends.push(['postgres', pgRepo]);
          const total = await memory.count(q);
          for (const [name, repo] of backends) {
            expect({ name, rows: await repo.list(q) }).toEqual({ name, rows: expected });
            expect({ name, count: await repo.count(q) }).toEqual({ name, count: total });
            if (parts.walk) {
              const unpaged = await memory.list({ ...q, take: null });
              expect({ name, walk: await walk(repo, q) }).toEqual({ name, walk: unpaged });
            }
            if (process.env.DIFF_DEBUG)
              console.log(name, parts.walk, Math.round(performance.now() - t0));
          }
        }),
        { numRuns: Number(process.env.COSMOS_DIFF_RUNS ?? 40), endOnFailure: true },
      );
    },
    Number(process.env.COSMOS_DIFF_TIMEOUT ?? 90_000),
  );
});
