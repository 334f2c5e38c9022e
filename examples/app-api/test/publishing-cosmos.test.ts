/**
 * StoryPublisher over the Cosmos DB adapter (an in-process @vercel/cosmosdb-server over HTTPS,
 * as the App API stores stories): its writes are etag-checked by Cosmos itself, and the restart
 * path finds unfinished registrations with a specification query compiled to Cosmos SQL.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CosmosClient, Database } from '@azure/cosmos';
import { memoryRepository } from '@mystira/repository';
import { CosmosRepository, cosmosClient, ensureContainer } from '@mystira/repository-cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../src/domain.ts';
import { AccountEntity, type StoryDocument, StoryEntity } from '../src/entities.ts';
import { StoryPublisher } from '../src/publishing/index.ts';
import { StoryRepository } from '../src/story-documents.ts';
import { startTestChain, type TestChain } from './support/publishing-chain.ts';
import {
  leavePending,
  type PublishingStores,
  registrationReaches,
  seedDraftStory,
} from './support/publishing-stories.ts';

let server: https.Server;
let agent: https.Agent;
let cosmos: CosmosClient;
let database: Database;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = createHttpsServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The server's certificate is self-signed: accepted by this client's agent only.
  agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  cosmos = cosmosClient({
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: Buffer.from('publishing-test-key-not-a-secret').toString('base64'),
    agent,
  });
  ({ database } = await cosmos.databases.createIfNotExists({ id: 'publishing-test' }));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await database?.delete().catch(() => undefined);
  cosmos?.dispose();
  agent?.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function cosmosStores(container: string): Promise<PublishingStores> {
  const stories = await ensureContainer(database, StoryEntity, {
    id: container,
    profile: 'cosmosdb-server',
  });
  return {
    stories: new StoryRepository(
      new CosmosRepository<StoryDocument>(StoryEntity, {
        container: stories,
        profile: 'cosmosdb-server',
      }),
    ),
    accounts: memoryRepository<Account>(AccountEntity),
  };
}

async function chainForTest(blockIntervalMs: number): Promise<TestChain> {
  const chain = await startTestChain({ blockIntervalMs });
  cleanups.push(() => chain.close());
  return chain;
}

function publisherFor(stores: PublishingStores, chain: TestChain): StoryPublisher {
  const publisher = new StoryPublisher({
    ...stores,
    chain: chain.client(),
    background: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  cleanups.push(() => publisher.stop());
  return publisher;
}

describe('publishing with stories in Cosmos DB', () => {
  it('concurrent publishes from several instances register once and confirm', async () => {
    const chain = await chainForTest(20);
    const stores = await cosmosStores('stories-concurrent');
    const draft = await seedDraftStory(stores, { shares: [6000, 4000] });
    const instances = [publisherFor(stores, chain), publisherFor(stores, chain)];
    for (const p of instances) p.start();

    const results = await Promise.all(
      instances.flatMap((p) => [p.publish(draft.id), p.publish(draft.id)]),
    );
    expect(new Set(results.map((s) => s.registration?.idempotencyKey)).size).toBe(1);
    expect(new Set(results.map((s) => s.registration?.ipAssetId)).size).toBe(1);
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);

    const confirmed = await registrationReaches(stores.stories, draft.id, 'confirmed');
    expect(confirmed.status).toBe('published');
    expect(confirmed.registration?.confirmations).toBe(2);
  });

  it('a restarted publisher finds pending and submitted stories in Cosmos and completes them', async () => {
    const chain = await chainForTest(0); // blocks only when the test mines
    const stores = await cosmosStores('stories-restart');
    const submittedDraft = await seedDraftStory(stores);
    const pendingDraft = await seedDraftStory(stores);
    const untouched = await seedDraftStory(stores);

    const before = publisherFor(stores, chain);
    await before.publish(submittedDraft.id); // submitted; nobody follows (never started)
    await leavePending(stores, pendingDraft, 'crashed-after-step-1');

    const after = publisherFor(stores, chain);
    after.start();
    // The pending story is registered by the restarted publisher; then blocks make both final.
    await registrationReaches(stores.stories, pendingDraft.id, 'submitted');
    chain.ledger.mine(2);
    const [first, second] = await Promise.all([
      registrationReaches(stores.stories, submittedDraft.id, 'confirmed'),
      registrationReaches(stores.stories, pendingDraft.id, 'confirmed'),
    ]);
    expect(first.registration?.blockNumber).toBe('1');
    expect(second.registration?.idempotencyKey).toBe('crashed-after-step-1');
    expect(chain.ledger.registrationsOf(submittedDraft.id)).toBe(1);
    expect(chain.ledger.registrationsOf(pendingDraft.id)).toBe(1);
    expect((await stores.stories.getById(untouched.id))?.registration).toBeUndefined();
  });
});
