import type { Container } from '@azure/cosmos';
import {
  type ConformanceItemT,
  everyConformanceSpec,
  repositoryConformance,
} from '@mystira/repository/testing';
import { CosmosRepository } from '@mystira/repository-cosmos';
import { describe, it } from 'vitest';
import { realAccount, useCosmos } from './cosmos.js';

if (!realAccount)
  console.info(
    '[repository-cosmos] COSMOS_ENDPOINT/COSMOS_KEY not set: running on the in-process cosmosdb-server (real-account mode skipped)',
  );

/** Every spec the kit runs, so the containers get the composite indexes they need. */
const specs = everyConformanceSpec();

describe(`repository conformance kit on ${realAccount ? 'a real Cosmos DB account' : 'cosmosdb-server'}`, () => {
  const cosmos = useCosmos();
  const containers: Container[] = [];
  const cases = repositoryConformance({
    create: async (entity) => {
      const container = await cosmos.container(entity, 'c', specs);
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
