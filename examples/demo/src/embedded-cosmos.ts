/**
 * Cosmos DB for the demo: `@vercel/cosmosdb-server` in-process over HTTPS (self-signed) on
 * 127.0.0.1. That server keeps everything in memory, so the demo snapshots every database,
 * container and document to a JSON file (on stop, on `checkpoint()` and every 30 s) and loads it
 * back on start: a restart of the demo keeps its stories. A crash loses what was written since the
 * last snapshot.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { type ContainerDefinition, CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';

/** cosmosdb-server does not check signatures, but the SDK needs a base64 key to sign with. */
export const EMBEDDED_COSMOS_KEY = Buffer.from('mystira-demo-key-not-a-secret').toString('base64');

export interface EmbeddedCosmosHandle {
  endpoint: string;
  key: string;
  /** Writes the snapshot now (also done on stop and every `checkpointEveryMs`). */
  checkpoint(): Promise<void>;
  stop(): Promise<void>;
}

interface Snapshot {
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
  /** Where the snapshot lives; without it nothing survives a restart. */
  snapshotFile?: string;
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
  const { snapshotFile } = options;
  if (snapshotFile && existsSync(snapshotFile)) {
    const snapshot = JSON.parse(await readFile(snapshotFile, 'utf8')) as Snapshot;
    if (snapshot.version === 2) await restore(client, snapshot);
  }
  let writing: Promise<void> | undefined;
  /** Writes the snapshot (one at a time): write then rename, never a half file. */
  const checkpoint = async () => {
    if (!snapshotFile) return;
    while (writing) await writing;
    writing = (async () => {
      const snapshot = await take(client);
      await mkdir(dirname(snapshotFile), { recursive: true });
      await writeFile(`${snapshotFile}.tmp`, JSON.stringify(snapshot));
      await rename(`${snapshotFile}.tmp`, snapshotFile);
    })().finally(() => {
      writing = undefined;
    });
    await writing;
  };
  // Also every so often, so a demo killed hard loses at most that much.
  const timer = snapshotFile
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
    async stop() {
      clearInterval(timer);
      try {
        await checkpoint();
      } finally {
        client.dispose();
        agent.destroy();
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

async function take(client: CosmosClient): Promise<Snapshot> {
  const snapshot: Snapshot = { version: 2, databases: [] };
  const { resources: databases } = await client.databases.readAll().fetchAll();
  for (const { id } of databases) {
    const database = client.database(id);
    const entry: Snapshot['databases'][number] = { id, containers: [] };
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

async function restore(client: CosmosClient, snapshot: Snapshot): Promise<void> {
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
