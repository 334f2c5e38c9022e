/**
 * The Cosmos DB the tests run on: `@vercel/cosmosdb-server` started in-process over HTTPS on a
 * free port, its self-signed certificate accepted by THIS client's agent only; or, when
 * COSMOS_ENDPOINT and COSMOS_KEY are set, a real account or emulator (profile `azure`).
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Container, CosmosClient, Database } from '@azure/cosmos';
import {
  azureProfile,
  type CapabilityProfile,
  cosmosClient,
  cosmosdbServerProfile,
  type EnsureContainerOptions,
  ensureContainer,
} from '@mystira/repository-cosmos';
import type { EntityDef } from '@mystira/specification';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll } from 'vitest';

export const realAccount = Boolean(process.env.COSMOS_ENDPOINT && process.env.COSMOS_KEY);

export interface TestCosmos {
  endpoint: string;
  key: string;
  agent: https.Agent | undefined;
  client: CosmosClient;
  database: Database;
  profile: CapabilityProfile;
  /** The in-process server, when not on a real account (fault tests put a proxy in front of it). */
  server: https.Server | undefined;
  /**
   * A new container for `entity` in `database`, named `prefix` and a random suffix, indexed for
   * `specs` under this Cosmos DB's profile.
   */
  container(
    entity: EntityDef,
    prefix: string,
    specs?: EnsureContainerOptions['specs'],
  ): Promise<Container>;
  close(): Promise<void>;
}

/** A dummy key: cosmosdb-server does not check signatures, but the SDK needs a base64 key to sign. */
export const DUMMY_KEY = Buffer.from('mystira-test-key-not-a-secret').toString('base64');

export async function startCosmos(): Promise<TestCosmos> {
  let server: https.Server | undefined;
  let endpoint: string;
  let key: string;
  let agent: https.Agent | undefined;
  if (realAccount) {
    endpoint = process.env.COSMOS_ENDPOINT!;
    key = process.env.COSMOS_KEY!;
  } else {
    server = createHttpsServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    key = DUMMY_KEY;
    agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  }
  const client = cosmosClient({ endpoint, key, agent });
  const { database } = await client.databases.createIfNotExists({
    id: `mystira-test-${randomUUID().slice(0, 8)}`,
  });
  const profile = realAccount ? azureProfile : cosmosdbServerProfile;
  return {
    endpoint,
    key,
    agent,
    client,
    database,
    profile,
    server,
    container: (entity, prefix, specs) =>
      ensureContainer(database, entity, {
        id: `${prefix}-${randomUUID().slice(0, 8)}`,
        specs,
        profile,
      }),
    async close() {
      await database.delete().catch(() => undefined);
      client.dispose();
      agent?.destroy();
      if (server) {
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
    },
  };
}

/**
 * For the test file (or the describe block) it is called in: a Cosmos DB started before its tests
 * and closed after them. Read its fields in tests and later hooks, not while the file is collected.
 */
export function useCosmos(): TestCosmos {
  const cosmos = {} as TestCosmos;
  beforeAll(async () => {
    Object.assign(cosmos, await startCosmos());
  });
  afterAll(async () => {
    await cosmos.close?.();
  });
  return cosmos;
}
