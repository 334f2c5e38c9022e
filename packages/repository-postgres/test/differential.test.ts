/**
 * Differential property test: random rows x random specifications. PostgreSQL (both layouts)
 * must return exactly what the specification's in-memory evaluator returns on the same rows:
 * same items, same order, same counts, and the same sequence when walked page by page.
 * The generators are shared with the three-backend test of repository-cosmos
 * (test-support/spec-arbitraries.ts). Shrunk counterexamples found by this test are kept below as
 * regular regression tests.
 */
import type { Layout, PostgresRepository } from '@mystira/repository-postgres';
import { count, type EntityDef, evaluate, spec } from '@mystira/specification';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildSpec,
  columnsRowEntity,
  type DiffRow,
  documentRowEntity,
  rowsArb,
  type SpecParts,
  specPartsArb,
  walkPages,
} from '../../../test-support/spec-arbitraries.js';
import { repositoryWithTable, useTestDatabase } from './helpers.js';

const DocRow = documentRowEntity('diff_doc');
const ColRow = columnsRowEntity('diff_col');

type Row = DiffRow;

const t = useTestDatabase('diff');

async function check(
  repo: PostgresRepository<Row>,
  def: EntityDef,
  rows: Row[],
  parts: SpecParts,
): Promise<void> {
  const q = buildSpec(def, parts);
  const expected = evaluate(q, rows);
  expect(await repo.list(q)).toEqual(expected);
  expect(await repo.count(q)).toBe(count(q, rows));
  expect(await repo.any(q)).toBe(count(q, rows) > 0);
  expect(await repo.first(q)).toEqual(expected[0]);
  const streamed: Row[] = [];
  for await (const r of repo.stream(q, { batchSize: 3 })) streamed.push(r);
  expect(streamed).toEqual(expected);
  // Keyset pages of 2 walk the same sequence as the unpaged list (skip applies to page one).
  expect(await walkPages(repo, q, 2)).toEqual(evaluate({ ...q, take: null }, rows));
}

for (const layout of ['document', 'columns'] as Layout[]) {
  const def = layout === 'document' ? DocRow : ColRow;
  describe(`differential: PostgreSQL ${layout} layout = in-memory evaluator`, () => {
    let repo: PostgresRepository<Row>;
    beforeAll(async () => {
      repo = await repositoryWithTable<Row>(t, def, { layout, table: layout });
    });
    const load = async (rows: Row[]) => {
      await t.db.query(`TRUNCATE ${repo.mapping.qualified}`);
      await repo.addMany(rows);
      // The store gives back exactly what was written (missing stays missing, null stays null).
      expect(await repo.list(spec(def))).toEqual(evaluate(spec(def), rows));
    };

    it(
      'random rows x random specs',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            rowsArb({ layout, maxRows: 12 }),
            fc.array(specPartsArb(), { minLength: 1, maxLength: 4 }),
            async (rows, specs) => {
              await load(rows);
              for (const parts of specs) await check(repo, def, rows, parts);
            },
          ),
          // DIFF_RUNS lets a developer hunt longer locally; CI keeps the suite bounded.
          { numRuns: Number(process.env.DIFF_RUNS ?? 100) },
        );
      },
      Number(process.env.DIFF_RUNS ?? 100) * 2000,
    );

    // Counterexamples the property found while this adapter was written, kept as plain tests.
    it('regression: BETWEEN bounds with a COLLATE cast', async () => {
      const rows = [{ id: 'r00', s: 'a', n: 1, big: '1' } as Row];
      await load(rows);
      await check(repo, def, rows, {
        where: (w) => w.between('s' as never, 'a' as never, 'b' as never),
        order: [],
        skip: 0,
        take: null,
      });
    });
  });
}
