/**
 * StoryPublisher when the Chain service goes away: stopped between the pending write and the
 * chain call, cut off after it registered but before its answer arrived, down while a transaction
 * is being followed, and the publisher itself restarted. Each time the story is left in a state
 * a retry (or a restart) completes, and the ledger ends with exactly one asset per story.
 * Real pieces only: chain server + devnet ledger on real ports, the chain client over HTTP/2, a
 * TCP proxy to cut connections, the memory repository.
 */
import type { ChainClient } from '@mystira/chain-client';
import type { Repository } from '@mystira/repository';
import { afterEach, describe, expect, it } from 'vitest';
import type { Story } from '../src/domain.ts';
import { ChainUnavailableError, StoryPublisher } from '../src/publishing/index.ts';
import { StoryRepository } from '../src/story-documents.ts';
import {
  type CuttableProxy,
  chainClientFor,
  startCuttableProxy,
  startTestChain,
  type TestChain,
} from './support/publishing-chain.ts';
import {
  eventually,
  leavePending,
  memoryStores,
  type PublishingStores,
  registrationReaches,
  seedDraftStory,
} from './support/publishing-stories.ts';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function chainForTest(options: { blockIntervalMs?: number } = {}): Promise<TestChain> {
  const chain = await startTestChain({ blockIntervalMs: options.blockIntervalMs ?? 20 });
  cleanups.push(() => chain.close());
  return chain;
}

function publisherFor(stores: PublishingStores, client: ChainClient): StoryPublisher {
  const publisher = new StoryPublisher({
    ...stores,
    chain: client,
    background: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  cleanups.push(() => publisher.stop());
  return publisher;
}

/** The stories repository with a hook after every successful write (to fail the world in between). */
function withWriteHook(
  stores: PublishingStores,
  afterWrite: (story: Story) => Promise<void>,
): Repository<Story> {
  const inner = stores.stories as StoryRepository;
  const hooked = new StoryRepository(inner.documents);
  const update = hooked.update.bind(hooked);
  hooked.update = async (item, options) => {
    const stored = await update(item, options);
    await afterWrite(stored);
    return stored;
  };
  return hooked;
}

describe('chain outage', () => {
  it('server stopped after the pending write: 503-type error, story pending; back on the same port: completed once', async () => {
    const chain = await chainForTest();
    const client = chain.client();
    const stores = memoryStores();
    const draft = await seedDraftStory(stores, { shares: [8000, 2000] });
    let stopped = false;
    const stories = withWriteHook(stores, async (story) => {
      if (story.registration?.state === 'pending' && !stopped) {
        stopped = true;
        await chain.stopServer(); // the Chain host goes down between step 1 and step 2
      }
    });
    const publisher = publisherFor({ ...stores, stories }, client);

    const error = await publisher.publish(draft.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainUnavailableError);
    expect((error as ChainUnavailableError).retryable).toBe(true);
    expect((error as ChainUnavailableError).statusCode).toBe(503);
    const pending = await stores.stories.getById(draft.id);
    expect(pending?.status).toBe('draft');
    expect(pending?.registration).toMatchObject({ state: 'pending' });
    expect(chain.ledger.registrationsOf(draft.id)).toBe(0);

    // Still down: a retry fails the same way and keeps the same key.
    await expect(publisher.publish(draft.id)).rejects.toBeInstanceOf(ChainUnavailableError);
    expect((await stores.stories.getById(draft.id))?.registration?.idempotencyKey).toBe(
      pending?.registration?.idempotencyKey,
    );

    await chain.startServer(); // a new server over the same ledger, same port
    const completed = await publisher.publish(draft.id);
    expect(completed.registration).toMatchObject({
      state: 'submitted',
      idempotencyKey: pending?.registration?.idempotencyKey,
    });
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
    publisher.start();
    await registrationReaches(stores.stories, draft.id, 'confirmed');
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
  });

  it('answer lost after the chain registered: the retry on a restarted server adopts that asset, once', async () => {
    const chain = await chainForTest();
    // The App API reaches the Chain host through the network (a proxy we can cut).
    const proxy: CuttableProxy = await startCuttableProxy(chain.port);
    cleanups.push(() => proxy.close());
    const client = chainClientFor(`http://127.0.0.1:${proxy.port}`);
    cleanups.push(() => client.close());
    chain.ledger.onRegistered = () => {
      chain.ledger.onRegistered = undefined;
      proxy.cut(); // registered on chain; the answer never makes it back, nor do retries get through
    };
    const stores = memoryStores();
    const draft = await seedDraftStory(stores);
    const publisher = publisherFor(stores, client);

    await expect(publisher.publish(draft.id)).rejects.toBeInstanceOf(ChainUnavailableError);
    const pending = await stores.stories.getById(draft.id);
    expect(pending?.registration?.state).toBe('pending');
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);

    // The Chain host restarts (forgetting its idempotency records) where the App API expects it.
    await chain.stopServer();
    await proxy.close();
    await chain.startServer(proxy.port);

    const completed = await publisher.publish(draft.id);
    const onChain = await chain.ledger.getAssetByContentId(draft.id);
    expect(completed.registration).toMatchObject({
      state: 'submitted',
      idempotencyKey: pending?.registration?.idempotencyKey,
      ipAssetId: onChain?.ipAssetId,
      txHash: onChain?.txHash,
    });
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
    publisher.start();
    await registrationReaches(stores.stories, draft.id, 'confirmed');
  });

  it('a started publisher completes a story left pending by an outage once the chain is back', async () => {
    const chain = await chainForTest();
    const client = chain.client();
    const stores = memoryStores();
    const draft = await seedDraftStory(stores);
    const publisher = publisherFor(stores, client);
    publisher.start();
    await chain.stopServer();

    await expect(publisher.publish(draft.id)).rejects.toBeInstanceOf(ChainUnavailableError);
    expect((await stores.stories.getById(draft.id))?.registration?.state).toBe('pending');

    await chain.startServer();
    const confirmed = await registrationReaches(stores.stories, draft.id, 'confirmed');
    expect(confirmed.status).toBe('published');
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
  });

  it('keeps following a submitted transaction across a Chain host restart', async () => {
    const chain = await chainForTest({ blockIntervalMs: 0 }); // blocks only when the test mines
    const client = chain.client();
    const stores = memoryStores();
    const draft = await seedDraftStory(stores);
    const publisher = publisherFor(stores, client);
    publisher.start();
    const submitted = await publisher.publish(draft.id);
    expect(submitted.registration?.state).toBe('submitted');

    await chain.stopServer();
    chain.ledger.mine(1); // included while nobody can watch
    await chain.startServer();
    chain.ledger.mine(1); // final (2 confirmations)
    const confirmed = await registrationReaches(stores.stories, draft.id, 'confirmed');
    expect(confirmed.registration).toMatchObject({ confirmations: 2 });
  });
});

describe('publisher restart', () => {
  it('resumes following a submitted transaction to confirmed after a restart', async () => {
    const chain = await chainForTest({ blockIntervalMs: 0 });
    const stores = memoryStores();
    const draft = await seedDraftStory(stores, { shares: [5000, 5000] });
    const first = publisherFor(stores, chain.client());
    first.start();
    const submitted = await first.publish(draft.id);
    chain.ledger.mine(1);
    await first.stop(); // the App API goes down with the transaction not final yet
    // Stopped cleanly: its WatchTransactions stream is gone on the server side too.
    await eventually('the watch to be released', async () =>
      chain.ledger.listenerCount() === 0 ? true : undefined,
    );

    chain.ledger.mine(2);
    const stale = await stores.stories.getById(draft.id);
    expect(stale?.registration?.state).toBe('submitted');

    const second = publisherFor(stores, chain.client());
    second.start(); // finds the submitted story with a specification query and follows it
    const confirmed = await registrationReaches(stores.stories, draft.id, 'confirmed');
    expect(confirmed.registration).toMatchObject({
      idempotencyKey: submitted.registration?.idempotencyKey,
      txHash: submitted.registration?.txHash,
      confirmations: 2,
      blockNumber: '1',
    });
  });

  it('completes a story left pending by a crash when the publisher starts', async () => {
    const chain = await chainForTest();
    const stores = memoryStores();
    const draft = await seedDraftStory(stores);
    await leavePending(stores, draft, 'crashed-before-calling-the-chain');

    const publisher = publisherFor(stores, chain.client());
    publisher.start();
    const confirmed = await registrationReaches(stores.stories, draft.id, 'confirmed');
    expect(confirmed.registration?.idempotencyKey).toBe('crashed-before-calling-the-chain');
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
  });

  it('refreshRegistration reads the final state from the chain when nobody follows', async () => {
    const chain = await chainForTest({ blockIntervalMs: 0 });
    const stores = memoryStores();
    const draft = await seedDraftStory(stores);
    const publisher = publisherFor(stores, chain.client()); // never started: no background work
    await publisher.publish(draft.id);
    // The chain down: the stored registration comes back, not an error.
    await chain.stopServer();
    expect((await publisher.refreshRegistration(draft.id)).state).toBe('submitted');
    await chain.startServer();

    chain.ledger.mine(1);
    expect(await publisher.refreshRegistration(draft.id)).toMatchObject({
      state: 'submitted',
      confirmations: 1,
      blockNumber: '1',
    });
    chain.ledger.mine(1);
    expect(await publisher.refreshRegistration(draft.id)).toMatchObject({
      state: 'confirmed',
      confirmations: 2,
    });
    expect((await stores.stories.getById(draft.id))?.registration?.state).toBe('confirmed');
  });
});
