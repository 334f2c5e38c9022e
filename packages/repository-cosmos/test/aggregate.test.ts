/**
 * Aggregates on Cosmos DB: the kit's aggregate conformance on the test server (the streaming path
 * of `cosmosdb-server`, or the GROUP BY path on a real account), the golden GROUP BY SQL of the
 * `azure` profile and when it streams instead, and a fast-check differential of memory =
 * Cosmos = PostgreSQL against the in-memory evaluator.
 */
import type { Container } from '@azure/cosmos';
import { bindAggregate, memoryRepository } from '@mystira/repository';
import {
  aggregateConformance,
  ConformanceItem,
  type ConformanceItemT,
} from '@mystira/repository/testing';
import {
  azureProfile,
  CosmosRepository,
  compileAggregate,
  cosmosdbServerProfile,
} from '@mystira/repository-cosmos';
import { evaluateAggregate, finishAggregate, spec } from '@mystira/specification';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DiffRow,
  documentRowEntity,
  rowsArb,
} from '../../../test-support/spec-arbitraries.js';
import { aggregateSpecArb } from '../../repository-postgres/test/aggregate-arbitraries.js';
import { useCosmos } from './cosmos.js';

const cosmos = useCosmos();

describe('Cosmos DB aggregate conformance', () => {
  const cases = aggregateConformance({
    create: async (entity) => {
      const container = await cosmos.container(entity, 'agg');
      return new CosmosRepository<ConformanceItemT>(entity, { container, profile: cosmos.profile });
    },
    dispose: async (repo) => {
      await (repo as CosmosRepository<ConformanceItemT>).container.delete().catch(() => undefined);
    },
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});

const S = () => spec(ConformanceItem);
const bound = (s: { build(): never } | unknown) =>
  bindAggregate(ConformanceItem, s as Parameters<typeof bindAggregate>[1]);

describe('Cosmos DB aggregate SQL (azure profile)', () => {
  it('pushes count, number sums and min/max, grouped, into one GROUP BY query', () => {
    const q = bound(
      S()
        .where((w) => w.eq('active', true))
        .groupBy('profile.country')
        .aggregate((a) => ({
          n: a.count(),
          c: a.count('profile.city'),
          s: a.avg('score'),
          lo: a.min('createdAt'),
        })),
    );
    expect(compileAggregate(q, { profile: azureProfile, entity: ConformanceItem })).toEqual({
      query: {
        query:
          'SELECT c["profile"]["country"] AS k0, COUNT(1) AS a0, SUM((IS_DEFINED(c["profile"]["city"]) AND NOT IS_NULL(c["profile"]["city"])) ? 1 : 0) AS a1, SUM(IS_NUMBER(c["score"]) ? 1 : 0) AS a2_n, SUM(IS_NUMBER(c["score"]) ? c["score"] : 0) AS a2_s, MIN(IS_STRING(c["createdAt"]) ? c["createdAt"] : undefined) AS a3 FROM c WHERE c["active"] = @p0 GROUP BY c["profile"]["country"]',
        parameters: [{ name: '@p0', value: true }],
      },
      notes: [],
    });
    expect(compileAggregate(bound(S().count()), { profile: azureProfile }).query?.query).toBe(
      'SELECT COUNT(1) AS a0 FROM c',
    );
  });

  it('groups dates by bucket with LEFT and CONCAT, the suffix bound', () => {
    const q = bound(S().groupBy(['createdAt', 'day'], 'active').count());
    expect(compileAggregate(q, { profile: azureProfile }).query).toEqual({
      query:
        'SELECT CONCAT(LEFT(c["createdAt"], 10), @p0) AS k0, c["active"] AS k1, COUNT(1) AS a0 FROM c GROUP BY CONCAT(LEFT(c["createdAt"], 10), @p0), c["active"]',
      parameters: [{ name: '@p0', value: 'T00:00:00.000Z' }],
    });
  });

  it('streams what the service cannot answer exactly, and always on cosmosdb-server', () => {
    const streamed = (s: unknown, profile = azureProfile) =>
      compileAggregate(bound(s), { profile }).query;
    expect(streamed(S().sum('amount'))).toBeNull();
    expect(streamed(S().max('name'))).toBeNull();
    expect(
      streamed(
        S()
          .where((w) => w.like('name', 'a_b'))
          .count(),
      ),
    ).toBeNull();
    expect(streamed(S().count(), cosmosdbServerProfile)).toBeNull();
    expect(streamed(S().distinct('name'))).not.toBeNull();
  });

  it('finishes the service rows by the shared rules (null and missing keys merged)', () => {
    const q = bound(
      S()
        .groupBy('profile.city')
        .aggregate((a) => ({ n: a.count(), s: a.sum('score'), hi: a.max('score') })),
    );
    // What the service returns: a missing key property for undefined, null for null.
    const rows = [
      { k0: 'Oslo', a0: 2, a1_n: 2, a1_s: 20, a2: 10 },
      { a0: 1, a1_n: 0, a1_s: 0 },
      { k0: null, a0: 2, a1_n: 2, a1_s: 5.25, a2: 3.25 },
    ];
    const compiled = compileAggregate(q, { profile: azureProfile });
    expect(compiled.query).not.toBeNull();
    expect(
      finishAggregate(
        q,
        rows.map((r) => ({
          keys: [(r as Record<string, unknown>).k0],
          partials: [r.a0, { n: r.a1_n, sum: r.a1_s }, (r as Record<string, unknown>).a2],
        })),
      ),
    ).toEqual([
      { profile: { city: null }, n: 3, s: 5.25, hi: 3.25 },
      { profile: { city: 'Oslo' }, n: 2, s: 20, hi: 10 },
    ]);
  });
});

describe('differential: memory = Cosmos DB aggregates = in-memory evaluator', () => {
  const Row = documentRowEntity('agg_diff');
  let container: Container;
  let repo: CosmosRepository<DiffRow>;
  beforeAll(async () => {
    container = await cosmos.container(Row, 'aggdiff');
    repo = new CosmosRepository<DiffRow>(Row, { container, profile: cosmos.profile });
  });
  it(
    'random rows x random aggregates',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          rowsArb({ layout: 'document', maxRows: 10 }),
          fc.array(aggregateSpecArb(Row), { minLength: 1, maxLength: 3 }),
          async (rows, aggs) => {
            for (const old of await repo.list(spec(Row))) await repo.delete(old.id);
            await repo.addMany(rows);
            const memory = memoryRepository<DiffRow>(Row, { seed: rows });
            for (const agg of aggs) {
              const expected = evaluateAggregate(agg, rows);
              expect(await repo.aggregate(agg)).toEqual(expected);
              expect(await memory.aggregate(agg)).toEqual(expected);
            }
          },
        ),
        { numRuns: Number(process.env.DIFF_RUNS ?? 25) },
      );
    },
    Number(process.env.DIFF_RUNS ?? 25) * 4000,
  );
});
