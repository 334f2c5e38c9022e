/**
 * The README's PostgreSQL column, checked against a real PostgreSQL (127.0.0.1:5432): the SQL it
 * recommends really gives the in-memory evaluator's answers for string order, ASCII case folding,
 * LIKE, absent-value ordering, three-valued logic and bigint order. This does not test a compiler
 * (that belongs to the adapter); it tests that the table's advice is right.
 */
import {
  compareBigintStrings,
  compareStrings,
  compileLike,
  evaluate,
  foldAscii,
  Probe,
  type ProbeT,
  probeRows,
  type Specification,
  spec,
} from '@mystira/specification';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000 });

let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({
    connectionString: 'postgres://postgres@127.0.0.1:5432/test',
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  // A temporary table lives only in this session: nothing to clean up in the shared database.
  await client.query(
    `CREATE TEMP TABLE probes (id text PRIMARY KEY, name text, score float8, amount text, tags text[], city text)`,
  );
  for (const r of probeRows) {
    await client.query('INSERT INTO probes VALUES ($1, $2, $3, $4, $5, $6)', [
      r.id,
      r.name ?? null,
      r.score ?? null,
      r.amount ?? null,
      r.tags ?? null,
      r.meta?.city ?? null,
    ]);
  }
});

afterAll(async () => {
  await client?.end();
});

async function ids(sql: string, params: unknown[] = []): Promise<string[]> {
  const res = await client.query<{ id: string }>(sql, params);
  return res.rows.map((r) => r.id);
}

const inMemory = (s: (b: Specification<ProbeT>) => Specification<ProbeT>) =>
  evaluate(s(spec(Probe)), probeRows).map((r) => r.id);

// PostgreSQL text cannot hold NUL; everything else is fair game.
const text = fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => !s.includes('\u0000'));

/**
 * PostgreSQL's `ORDER BY <orderBy>` (an expression of the text column `v`) puts random text values
 * in exactly the order `compare` does.
 */
async function ordersLike(
  values: fc.Arbitrary<string[]>,
  orderBy: string,
  compare: (a: string, b: string) => number,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(values, async (vs) => {
      const res = await client.query<{ v: string }>(
        `SELECT v FROM unnest($1::text[]) AS v ORDER BY ${orderBy}`,
        [vs],
      );
      expect(res.rows.map((r) => r.v)).toEqual([...vs].sort(compare));
    }),
    { numRuns },
  );
}

describe('PostgreSQL agrees with the semantics table', () => {
  it('rule 7: COLLATE "C" orders strings by code point, like compareStrings', async () => {
    await ordersLike(fc.array(text, { maxLength: 15 }), 'v COLLATE "C"', compareStrings, 100);
    await fc.assert(
      fc.asyncProperty(text, text, async (a, b) => {
        const res = await client.query<{ lt: boolean }>(
          'SELECT ($1::text COLLATE "C") < $2::text AS lt',
          [a, b],
        );
        expect(res.rows[0]!.lt).toBe(compareStrings(a, b) < 0);
      }),
      { numRuns: 100 },
    );
  });

  it('rule 16 with rule 2: ASC NULLS FIRST / DESC NULLS LAST, then id (S7, S8, S10)', async () => {
    expect(
      await ids('SELECT id FROM probes ORDER BY name COLLATE "C" ASC NULLS FIRST, id ASC'),
    ).toEqual(inMemory((s) => s.orderBy('name')));
    expect(
      await ids('SELECT id FROM probes ORDER BY name COLLATE "C" DESC NULLS LAST, id ASC'),
    ).toEqual(inMemory((s) => s.orderBy('name', 'desc')));
    expect(await ids('SELECT id FROM probes ORDER BY score DESC NULLS LAST, id ASC')).toEqual(
      inMemory((s) => s.orderBy('score', 'desc')),
    );
  });

  it('rules 3-4: NULL logic matches three-valued logic (S3, S4, S5, S26)', async () => {
    expect(await ids(`SELECT id FROM probes WHERE NOT (name = $1) ORDER BY id`, ['alpha'])).toEqual(
      inMemory((s) => s.where((w) => w.not(w.eq('name', 'alpha')))),
    );
    expect(
      await ids(`SELECT id FROM probes WHERE name = $1 OR name IS NULL ORDER BY id`, ['alpha']),
    ).toEqual(inMemory((s) => s.where((w) => w.or(w.eq('name', 'alpha'), w.isNull('name')))));
    expect(
      await ids(`SELECT id FROM probes WHERE NOT (name = ANY($1)) ORDER BY id`, [
        ['alpha', 'beta'],
      ]),
    ).toEqual(inMemory((s) => s.where((w) => w.notIn('name', ['alpha', 'beta']))));
    expect(
      await ids(`SELECT id FROM probes WHERE NOT ($1 = ANY(tags)) ORDER BY id`, ['b']),
    ).toEqual(inMemory((s) => s.where((w) => w.not(w.arrayContains('tags', 'b')))));
  });

  it('rule 8: translate() folds exactly the ASCII letters, like foldAscii', async () => {
    const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        const res = await client.query<{ f: string }>('SELECT translate($1::text, $2, $3) AS f', [
          s,
          upper,
          upper.toLowerCase(),
        ]);
        expect(res.rows[0]!.f).toBe(foldAscii(s));
      }),
      { numRuns: 100 },
    );
    expect(
      await ids(
        `SELECT id FROM probes WHERE translate(name, $2, $3) = translate($1::text, $2, $3) ORDER BY id`,
        ['ALPHA', upper, upper.toLowerCase()],
      ),
    ).toEqual(inMemory((s) => s.where((w) => w.eq('name', 'ALPHA', { ignoreCase: true }))));
  });

  it('rule 8: lower() under COLLATE "C" also folds ASCII only', async () => {
    const res = await client.query<{ f: string }>(`SELECT lower('ÉAZ' COLLATE "C") AS f`);
    expect(res.rows[0]!.f).toBe(foldAscii('ÉAZ'));
  });

  it("rule 10: LIKE … ESCAPE '\\' matches like compileLike, _ being one code point (S21, S22)", async () => {
    const unit = fc.constantFrom('a', 'A', '%', '_', '\\', '😀', '\uff21', 'é');
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit, maxLength: 5 }),
        fc.string({ unit, maxLength: 6 }),
        async (pattern, s) => {
          let local: boolean;
          try {
            local = compileLike(pattern, false)(s);
          } catch {
            return; // unfinished escape: rejected before any SQL is built
          }
          const res = await client.query<{ m: boolean }>(
            `SELECT $1::text LIKE $2::text ESCAPE '\\' AS m`,
            [s, pattern],
          );
          expect(res.rows[0]!.m).toBe(local);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rule 9: left/right/strpos implement startsWith/endsWith/contains', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, async (s, n) => {
        const res = await client.query<{ sw: boolean; ew: boolean; c: boolean }>(
          'SELECT left($1::text, length($2::text)) = $2 AS sw, right($1::text, length($2::text)) = $2 AS ew, strpos($1::text, $2::text) > 0 AS c',
          [s, n],
        );
        expect(res.rows[0]).toEqual({ sw: s.startsWith(n), ew: s.endsWith(n), c: s.includes(n) });
      }),
      { numRuns: 100 },
    );
  });

  it('rule 13: ::numeric orders bigints numerically (S13)', async () => {
    const big = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String);
    await ordersLike(fc.array(big, { maxLength: 12 }), 'v::numeric', compareBigintStrings, 50);
    expect(
      await ids('SELECT id FROM probes WHERE amount IS NOT NULL ORDER BY amount::numeric, id'),
    ).toEqual(inMemory((s) => s.where((w) => w.exists('amount')).orderBy('amount')));
  });
});
