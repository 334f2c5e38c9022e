/**
 * Differential property test over three backends: for random rows x random specifications, the
 * in-memory repository (the specification's evaluator), Cosmos DB (this adapter, on the profile
 * the tests run on) and PostgreSQL (`@mystira/repository-postgres`, document layout) return the
 * same rows in the same order, the same counts, and the same sequence when walked by keyset pages.
 * Cosmos also reads every specification over several server pages (page size 1, 3 or 7, and a
 * stream in batches of 5): continuation tokens once lost or repeated rows when a later sort key
 * was missing.
 * The generators are shared with repository-postgres' differential test
 * (test-support/spec-arbitraries.ts). Bounded runs: the in-process Cosmos server compiles every
 * query, on a shared 2-core box.
 */
import { randomUUID } from 'node:crypto';
import { memoryRepository, type Repository } from '@mystira/repository';
import { CosmosRepository } from '@mystira/repository-cosmos';
import {
  createDatabase,
  createTableStatements,
  type PgDatabase,
  PostgresRepository,
} from '@mystira/repository-postgres';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allOrders,
  buildSpec,
  type DiffRow,
  documentRowEntity,
  rowsArb,
  type SpecParts,
  specPartsArb,
  walkPages,
} from '../../../test-support/spec-arbitraries.js';
import { useCosmos } from './cosmos.js';

const Row = documentRowEntity('diff_rows');
type RowT = DiffRow;

// Costs, not coverage: every row is written to two stores per run, and cosmosdb-server's filter
// parser is exponential in parenthesis depth, so rows and predicate depth stay smaller than in
// repository-postgres' test.
const rowsArbitrary = rowsArb({ layout: 'document', maxRows: 10 });
const partsArb: fc.Arbitrary<SpecParts & { walk: boolean; pageSize: number }> = fc
  // Walking pages costs a query per page and a count; a quarter of the runs do it.
  .tuple(specPartsArb(2), fc.nat({ max: 3 }), fc.constantFrom(1, 3, 7))
  .map(([parts, n, pageSize]) => ({ ...parts, walk: n === 0, pageSize }));

describe('differential: memory = Cosmos = PostgreSQL', () => {
  const cosmos = useCosmos();
  let cosmosRepo: CosmosRepository<RowT>;
  /** The same container, read a few rows per server page. */
  const pagedRepos = new Map<number, CosmosRepository<RowT>>();
  let pg: PgDatabase | undefined;
  let pgRepo: PostgresRepository<RowT> | undefined;
  const schema = `cosmos_diff_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const container = await cosmos.container(Row, 'diff', allOrders(Row));
    cosmosRepo = new CosmosRepository<RowT>(Row, { container, profile: cosmos.profile });
    for (const pageSize of [1, 3, 7])
      pagedRepos.set(
        pageSize,
        new CosmosRepository<RowT>(Row, { container, profile: cosmos.profile, pageSize }),
      );
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
        fc.asyncProperty(rowsArbitrary, partsArb, async (rows, parts) => {
          const t0 = performance.now();
          await load(rows);
          if (process.env.DIFF_DEBUG)
            console.log('load', rows.length, Math.round(performance.now() - t0));
          const memory = memoryRepository<RowT>(Row, { seed: rows });
          const q = buildSpec(Row, parts);
          const expected = await memory.list(q);
          const backends: [string, Repository<RowT>][] = [['cosmos', cosmosRepo]];
          if (pgRepo) backends.push(['postgres', pgRepo]);
          const total = await memory.count(q);
          const paged = pagedRepos.get(parts.pageSize)!;
          expect({ pageSize: parts.pageSize, rows: await paged.list(q) }).toEqual({
            pageSize: parts.pageSize,
            rows: expected,
          });
          const streamed: RowT[] = [];
          for await (const row of cosmosRepo.stream(q, { batchSize: 5 })) streamed.push(row);
          expect({ stream: streamed }).toEqual({ stream: expected });
          for (const [name, repo] of backends) {
            expect({ name, rows: await repo.list(q) }).toEqual({ name, rows: expected });
            expect({ name, count: await repo.count(q) }).toEqual({ name, count: total });
            if (parts.walk) {
              const unpaged = await memory.list({ ...q, take: null });
              expect({ name, walk: await walkPages(repo, q, 3) }).toEqual({ name, walk: unpaged });
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
