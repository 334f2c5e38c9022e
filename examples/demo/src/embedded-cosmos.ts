/**
 * Cosmos DB for the demo: `@vercel/cosmosdb-server` in-process over HTTPS (self-signed) on
 * 127.0.0.1. That server keeps everything in memory, so the demo snapshots every database,
 * container and document (on stop, on `checkpoint()` and every 30 s) and hands it to `save`
 * (saved-state.ts writes it to the data folder), and restores `saved` on start: a restart of the
 * demo keeps its stories. A crash loses what was written since the last snapshot.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ContainerDefinition, CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';

/** cosmosdb-server does not check signatures, but the SDK needs a base64 key to sign with. */
export const EMBEDDED_COSMOS_KEY = Buffer.from('mystira-demo-key-not-a-secret').toString('base64');

export interface EmbeddedCosmosHandle {
  endpoint: string;
  key: string;
  /** Saves a snapshot now (also done on stop and every `checkpointEveryMs`), when given `save`. */
  checkpoint(): Promise<void>;
  /** Every database, container and document, as now. */
  snapshot(): Promise<CosmosSnapshot>;
  stop(): Promise<void>;
}

export interface CosmosSnapshot {
  version: 2;
  databases: {
    id: string;
    containers: {
      /** id, partition key, indexing (composite indexes), unique keys, TTL. */
      definition: ContainerDefinition;
      documents: Record<string, unknown>[];
    }[];
  }[];
}

/** Fields the server assigns itself; writing them back would be ignored or confuse it. */
const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts'];

export async function startEmbeddedCosmos(options: {
  port: number;
  /** A snapshot saved earlier, restored before the server is handed out. */
  saved?: unknown;
  /**
   * Persists a snapshot; called with the function that takes it, so the caller can take it in
   * its own turn (see SavedState.save). Without it nothing survives a restart.
   */
  save?: (take: () => Promise<CosmosSnapshot>) => Promise<void>;
  /** Snapshot interval while running. Default 30 s. */
  checkpointEveryMs?: number;
}): Promise<EmbeddedCosmosHandle> {
  const server = createHttpsServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Accepts the self-signed certificate for this client only, never process-wide.
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const client = new CosmosClient({ endpoint, key: EMBEDDED_COSMOS_KEY, agent });
  const close = async () => {
    client.dispose();
    agent.destroy();
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const saved = options.saved as Partial<CosmosSnapshot> | undefined;
  if (saved?.version === 2) {
    try {
      await restore(client, saved as CosmosSnapshot);
    } catch (error) {
      await close();
      throw error;
    }
  }
  const { save } = options;
  const checkpoint = async () => {
    await save?.(() => take(client));
  };
  // Also every so often, so a demo killed hard loses at most that much.
  const timer = save
    ? setInterval(
        () => void checkpoint().catch(() => undefined),
        options.checkpointEveryMs ?? 30_000,
      )
    : undefined;
  timer?.unref();
  return {
    endpoint,
    key: EMBEDDED_COSMOS_KEY,
    checkpoint,
    snapshot: () => take(client),
    async stop() {
      clearInterval(timer);
      try {
        await checkpoint();
      } finally {
        await close();
      }
    },
  };
}

async function take(client: CosmosClient): Promise<CosmosSnapshot> {
  const snapshot: CosmosSnapshot = { version: 2, databases: [] };
  const { resources: databases } = await client.databases.readAll().fetchAll();
  for (const { id } of databases) {
    const database = client.database(id);
    const entry: CosmosSnapshot['databases'][number] = { id, containers: [] };
    const { resources: containers } = await database.containers.readAll().fetchAll();
    for (const definition of containers) {
      const { resources } = await database
        .container(definition.id)
        .items.readAll<Record<string, unknown>>()
        .fetchAll();
      entry.containers.push({
        // The whole definition comes back: a container restored without its indexing policy
        // would be "fixed" by the App API's ensureContainer with a replace, and cosmosdb-server
        // empties a container it replaces.
        definition: {
          id: definition.id,
          partitionKey: definition.partitionKey,
          indexingPolicy: definition.indexingPolicy,
          uniqueKeyPolicy: definition.uniqueKeyPolicy,
          defaultTtl: definition.defaultTtl,
        },
        documents: resources.map(withoutSystemFields),
      });
    }
    snapshot.databases.push(entry);
  }
  return snapshot;
}

async function restore(client: CosmosClient, snapshot: CosmosSnapshot): Promise<void> {
  for (const db of snapshot.databases) {
    const { database } = await client.databases.createIfNotExists({ id: db.id });
    for (const c of db.containers) {
      const { container } = await database.containers.createIfNotExists(c.definition);
      for (const document of c.documents) await container.items.upsert(document);
    }
  }
}

function withoutSystemFields(document: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...document };
  for (const field of SYSTEM_FIELDS) delete copy[field];
  return copy;
}
