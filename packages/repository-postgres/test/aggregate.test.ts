/**
 * Aggregates on PostgreSQL: the kit's aggregate conformance cases on both layouts, the SQL the
 * compiler emits (parameters and quoted identifiers only), and a fast-check differential against
 * the in-memory evaluator over random rows.
 */
import { aggregateConformance, ConformanceItem } from '@mystira/repository/testing';
import {
  compileAggregate,
  type Layout,
  type PostgresRepository,
  tableMapping,
} from '@mystira/repository-postgres';
import { evaluateAggregate, spec } from '@mystira/specification';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  columnsRowEntity,
  type DiffRow,
  documentRowEntity,
  rowsArb,
} from '../../../test-support/spec-arbitraries.js';
import { aggregateSpecArb } from './aggregate-arbitraries.js';
import { repositoryWithTable, useTestDatabase } from './helpers.js';

const t = useTestDatabase('agg');
let n = 0;

for (const layout of ['document', 'columns'] as Layout[]) {
  describe(`postgres ${layout} layout: aggregate conformance`, () => {
    const cases = aggregateConformance({
      async create(entity) {
        return (await repositoryWithTable(t, entity, {
          layout,
          table: `agg_${layout}_${++n}`,
        })) as never;
      },
    });
    for (const c of cases) it(c.name, c.run, 60_000);
  });
}

describe('postgres aggregate SQL', () => {
  it('computes each expression once in a fenced inner query, binds every value, sums exactly', () => {
    const q = spec(ConformanceItem)
      .where((w) => w.eq('profile.country', "NO'; --"))
      .groupBy('active', 'createdAt')
      .aggregate((a) => ({
        n: a.count(),
        c: a.count('profile.city'),
        s: a.sum('score'),
        hi: a.max('name'),
      }))
      .build();
    expect(compileAggregate(tableMapping(ConformanceItem), q)).toEqual({
      text: `SELECT "k0", "k1", count(*) AS "a0", count("v0") AS "a1", count("v1") AS "a2_n", sum("v1") AS "a2_s", max("v2") AS "a3" FROM (SELECT (("data"->>'active')::boolean) AS "k0", (("data"->>'createdAt') COLLATE "C") AS "k1", ("data"->'profile'->>'city') AS "v0", (("data"->>'score')::numeric) AS "v1", (("data"->>'name') COLLATE "C") AS "v2" FROM "public"."conformance_items" WHERE ((("data"->'profile'->>'country') COLLATE "C") = ($1::text COLLATE "C")) OFFSET 0) AS "rows" GROUP BY 1, 2`,
      values: ["NO'; --"],
    });
    const columns = tableMapping(ConformanceItem, { layout: 'columns' });
    expect(
      compileAggregate(
        columns,
        spec(ConformanceItem)
          .groupBy('createdAt')
          .aggregate((a) => ({ s: a.avg('score'), lo: a.min('createdAt') }))
          .build(),
      ).text,
    ).toBe(
      `SELECT "k0", count("v0") AS "a0_n", sum("v0") AS "a0_s", to_char(min("v1") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "a1" FROM (SELECT to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "k0", ("score"::text::numeric) AS "v0", "createdAt" AS "v1" FROM "public"."conformance_items" OFFSET 0) AS "rows" GROUP BY 1`,
    );
  });
});

describe('postgres date buckets', () => {
  it('truncate the ISO text of either layout to the bucket start', () => {
    const q = spec(ConformanceItem).groupBy(['createdAt', 'month']).count().build();
    expect(compileAggregate(tableMapping(ConformanceItem), q).text).toContain(
      `(left((("data"->>'createdAt') COLLATE "C"), 7) || '-01T00:00:00.000Z') AS "k0"`,
    );
    expect(
      compileAggregate(tableMapping(ConformanceItem, { layout: 'columns' }), q).text,
    ).toContain(
      `(left(to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 7) || '-01T00:00:00.000Z') AS "k0"`,
    );
  });
});

for (const layout of ['document', 'columns'] as Layout[]) {
  const def = layout === 'document' ? documentRowEntity('agg_doc') : columnsRowEntity('agg_col');
  describe(`differential: PostgreSQL ${layout} aggregates = in-memory evaluator`, () => {
    let repo: PostgresRepository<DiffRow>;
    beforeAll(async () => {
      repo = await repositoryWithTable<DiffRow>(t, def, { layout, table: `diff_${layout}` });
    });
    it(
      'random rows x random aggregates',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            rowsArb({ layout, maxRows: 12 }),
            fc.array(aggregateSpecArb(def), { minLength: 1, maxLength: 4 }),
            async (rows, aggs) => {
              await t.db.query(`TRUNCATE ${repo.mapping.qualified}`);
              await repo.addMany(rows);
              for (const agg of aggs)
                expect(await repo.aggregate(agg)).toEqual(evaluateAggregate(agg, rows));
            },
          ),
          { numRuns: Number(process.env.DIFF_RUNS ?? 60) },
        );
      },
      Number(process.env.DIFF_RUNS ?? 60) * 2000,
    );
  });
}
