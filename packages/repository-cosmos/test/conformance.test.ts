import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import {
  ConformanceItem,
  type ConformanceItemT,
  conformanceSpecs,
  repositoryConformance,
} from '@mystira/repository/testing';
import { CosmosRepository, ensureContainer } from '@mystira/repository-cosmos';
import { spec } from '@mystira/specification';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { realAccount, startCosmos, type TestCosmos } from './cosmos.js';

if (!realAccount)
  console.info(
    '[repository-cosmos] COSMOS_ENDPOINT/COSMOS_KEY not set: running on the in-process cosmosdb-server (real-account mode skipped)',
  );

const S = () => spec(ConformanceItem);
/** Every spec the kit runs, so the containers get the composite indexes they need. */
const specs = [
  ...conformanceSpecs.map((s) => s.spec()),
  S().orderBy('score').take(5),
  S().orderByDescending('name').take(3),
  S()
    .where((w) => w.eq('active', true))
    .orderBy('createdAt')
    .take(2),
  S().orderBy('name').take(3),
  S().orderBy('score').thenByDescending('name'),
];

describe(`repository conformance kit on ${realAccount ? 'a real Cosmos DB account' : 'cosmosdb-server'}`, () => {
  let cosmos: TestCosmos;
  const containers: Container[] = [];
  beforeAll(async () => {
    cosmos = await startCosmos();
  });
  afterAll(async () => {
    await cosmos?.close();
  });
  const cases = repositoryConformance({
    create: async (entity) => {
      const container = await ensureContainer(cosmos.database, entity, {
        id: `c-${randomUUID().slice(0, 8)}`,
        specs,
        profile: cosmos.profile,
      });
      containers.push(container);
      return new CosmosRepository<ConformanceItemT>(entity, { container, profile: cosmos.profile });
    },
    dispose: async (repo) => {
      await (repo as CosmosRepository<ConformanceItemT>).container.delete().catch(() => undefined);
    },
    largeCount: 1200,
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
