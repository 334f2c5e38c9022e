/**
 * StoryPublisher against the real Chain service: an in-process chain server over a devnet ledger
 * producing a block every 20 ms, reached over gRPC/HTTP2 by the chain client; stories and accounts
 * in the memory adapter of @mystira/repository, through the App API's own story mapping.
 */
import { type ChainClient, uuidv7 } from '@mystira/chain-client';
import { splitByBasisPoints } from '@mystira/chain-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChainRejectedError,
  InvalidRoyaltyRequestError,
  NotRegisteredYetError,
  StoryNotFoundError,
  StoryNotPublishableError,
  StoryPublisher,
} from '../src/publishing/index.ts';
import { startTestChain, type TestChain } from './support/publishing-chain.ts';
import {
  eventually,
  leavePending,
  memoryStores,
  type PublishingStores,
  registrationReaches,
  seedDraftStory,
} from './support/publishing-stories.ts';

let chain: TestChain;
let client: ChainClient;
const publishers: StoryPublisher[] = [];

function publisherOver(stores: PublishingStores, started = true): StoryPublisher {
  const publisher = new StoryPublisher({ ...stores, chain: client });
  if (started) publisher.start();
  publishers.push(publisher);
  return publisher;
}

beforeAll(async () => {
  chain = await startTestChain({ blockIntervalMs: 20, requiredConfirmations: 2 });
  client = chain.client();
  await client.ready({ timeoutMs: 10_000 });
});

afterEach(async () => {
  await Promise.all(publishers.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await chain?.close();
});

describe('publish', () => {
  it('registers a draft, records it as submitted and follows it to confirmed', async () => {
    const stores = memoryStores();
    const publisher = publisherOver(stores);
    const draft = await seedDraftStory(stores, { shares: [7000, 3000] });

    const published = await publisher.publish(draft.id);
    expect(published.status).toBe('published');
    expect(published.registration).toMatchObject({ state: 'submitted' });
    expect(published.registration?.ipAssetId).toMatch(/^0x[0-9a-f]{40}$/);
    expect(published.registration?.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    const confirmed = await registrationReaches(stores.stories, draft.id, 'confirmed');
    expect(confirmed.registration).toMatchObject({
      state: 'confirmed',
      idempotencyKey: published.registration?.idempotencyKey,
      ipAssetId: published.registration?.ipAssetId,
      txHash: published.registration?.txHash,
      confirmations: 2,
    });
    expect(BigInt(confirmed.registration?.blockNumber ?? '0')).toBeGreaterThan(0n);

    // The chain holds exactly one asset for the story, with the story's split.
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
    const onChain = await client.getIpAssetStatus(draft.id);
    expect(onChain.status).toBe('registered');
    expect(onChain.contributors.map((c) => [c.walletAddress, c.shareBasisPoints, c.role])).toEqual(
      draft.contributors.map((c) => [c.walletAddress.toLowerCase(), c.shareBasisPoints, c.role]),
    );

    // Publishing again changes nothing.
    const again = await publisher.publish(draft.id);
    expect(again).toEqual(confirmed);
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
  });

  it('completes a story left pending by a crash exactly once, with its own key', async () => {
    const stores = memoryStores();
    const draft = await seedDraftStory(stores);
    // A previous process wrote step 1 and called the chain, then died before recording the answer.
    const key = uuidv7();
    const pending = await leavePending(stores, draft, key);
    const lost = await client.registerIpAsset({
      contentId: draft.id,
      contentTitle: draft.title,
      contributors: draft.contributors.map((c) => ({
        walletAddress: c.walletAddress,
        role: 'author',
        shareBasisPoints: c.shareBasisPoints,
      })),
      idempotencyKey: key,
    });

    const publisher = publisherOver(stores, false);
    const completed = await publisher.publish(draft.id);
    expect(completed.registration).toMatchObject({
      state: 'submitted',
      idempotencyKey: key,
      requestedAt: pending.registration?.requestedAt,
      ipAssetId: lost.ipAssetId,
      txHash: lost.registrationTxHash,
    });
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);

    // Retrying a submitted story is a no-op.
    await publisher.publish(draft.id);
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
  });

  it('turns concurrent publishes of one story (several instances) into one registration', async () => {
    const stores = memoryStores();
    const draft = await seedDraftStory(stores, { shares: [5000, 2500, 2500] });
    // Three "API instances" over the same store, two requests each, all at once.
    const instances = [publisherOver(stores), publisherOver(stores), publisherOver(stores)];
    const results = await Promise.all(
      instances.flatMap((p) => [p.publish(draft.id), p.publish(draft.id)]),
    );

    const keys = new Set(results.map((s) => s.registration?.idempotencyKey));
    const assets = new Set(results.map((s) => s.registration?.ipAssetId));
    expect(keys.size).toBe(1);
    expect(assets.size).toBe(1);
    expect(results.every((s) => s.registration?.state === 'submitted')).toBe(true);
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
    await registrationReaches(stores.stories, draft.id, 'confirmed');
  });

  it('refuses stories the chain would refuse, before writing anything', async () => {
    const stores = memoryStores();
    const publisher = publisherOver(stores, false);
    const draft = await seedDraftStory(stores, { shares: [6000, 3000] });

    const error = await publisher.publish(draft.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoryNotPublishableError);
    expect((error as StoryNotPublishableError).errors).toEqual([
      { field: '/contributors', message: 'shares must sum to 10000 basis points, got 9000' },
    ]);
    expect(await stores.stories.getById(draft.id)).toEqual(draft);
    expect(chain.ledger.registrationsOf(draft.id)).toBe(0);

    await expect(publisher.publish('no-such-story')).rejects.toBeInstanceOf(StoryNotFoundError);
  });

  it('marks a registration the chain rejects as failed; fixing the story publishes it with a new key', async () => {
    const stores = memoryStores();
    const publisher = publisherOver(stores, false);
    // Longer than the chain's 512-character title limit: only the chain knows that rule.
    const draft = await seedDraftStory(stores, { title: 'L'.repeat(600) });

    const error = await publisher.publish(draft.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainRejectedError);
    expect((error as ChainRejectedError).code).toBe('INVALID_ARGUMENT');
    expect((error as ChainRejectedError).violations.map((v) => v.field)).toEqual(['content_title']);
    const failed = await stores.stories.getById(draft.id);
    expect(failed?.status).toBe('draft');
    expect(failed?.registration).toMatchObject({ state: 'failed' });
    expect(failed?.registration?.error).toContain('content_title');

    await stores.stories.update({ ...failed!, title: 'The Lighthouse Keeper' });
    const published = await publisher.publish(draft.id);
    expect(published.registration?.state).toBe('submitted');
    expect(published.registration?.idempotencyKey).not.toBe(failed?.registration?.idempotencyKey);
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
  });

  it('honours an abort during the chain call: the story stays pending, a retry completes it once', async () => {
    const stores = memoryStores();
    const publisher = publisherOver(stores, false);
    const draft = await seedDraftStory(stores);
    let release = () => {};
    chain.ledger.registrationGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      const controller = new AbortController();
      const publishing = publisher.publish(draft.id, { signal: controller.signal });
      const pending = await eventually('the pending write', async () => {
        const story = await stores.stories.getById(draft.id);
        return story?.registration?.state === 'pending' ? story : undefined;
      });
      controller.abort(new Error('client went away'));
      await expect(publishing).rejects.toThrow('client went away');
      expect((await stores.stories.getById(draft.id))?.registration).toEqual(pending.registration);
    } finally {
      chain.ledger.registrationGate = undefined;
      release(); // the chain finishes the registration nobody waits for any more
    }
    const completed = await eventually('the retry to complete the story', async () => {
      const story = await publisher.publish(draft.id).catch(() => undefined);
      return story?.registration?.state === 'submitted' ? story : undefined;
    });
    expect(completed.registration?.ipAssetId).toBe(
      (await chain.ledger.getAssetByContentId(draft.id))?.ipAssetId,
    );
    expect(chain.ledger.registrationsOf(draft.id)).toBe(1);
  });

  it('a registration transaction that fails on chain marks it failed; the draft can be published again', async () => {
    // Its own chain, mined by hand: the injected failure can only hit this story's transaction.
    const ownChain = await startTestChain({ blockIntervalMs: 0, requiredConfirmations: 2 });
    try {
      const stores = memoryStores();
      const publisher = new StoryPublisher({ ...stores, chain: ownChain.client() });
      publisher.start();
      publishers.push(publisher);
      const draft = await seedDraftStory(stores);
      const first = await publisher.publish(draft.id);
      ownChain.ledger.failNextTransaction({
        kind: 'register',
        message: 'execution reverted (test)',
      });
      ownChain.ledger.mine(1);
      const failed = await registrationReaches(stores.stories, draft.id, 'failed');
      expect(failed.status).toBe('draft');
      expect(failed.registration).toMatchObject({
        idempotencyKey: first.registration?.idempotencyKey,
        txHash: first.registration?.txHash,
        error: 'execution reverted (test)',
      });

      const second = await publisher.publish(draft.id);
      expect(second.registration?.idempotencyKey).not.toBe(first.registration?.idempotencyKey);
      ownChain.ledger.mine(2);
      await registrationReaches(stores.stories, draft.id, 'confirmed');
      expect(ownChain.ledger.registrationsOf(draft.id)).toBe(2); // the failed one and the good one
    } finally {
      await Promise.all(publishers.splice(0).map((p) => p.stop()));
      await ownChain.close();
    }
  });

  it('honours an aborted signal: nothing is written', async () => {
    const stores = memoryStores();
    const publisher = publisherOver(stores, false);
    const draft = await seedDraftStory(stores);
    const aborted = AbortSignal.abort(new Error('client went away'));
    await expect(publisher.publish(draft.id, { signal: aborted })).rejects.toThrow(
      'client went away',
    );
    expect(await stores.stories.getById(draft.id)).toEqual(draft);
  });
});

describe('royalties', () => {
  it('pays into the asset, splits by shares, and lets each contributor claim once', async () => {
    const stores = memoryStores();
    const publisher = publisherOver(stores);
    const draft = await seedDraftStory(stores, { shares: [7000, 2000, 1000] });

    await expect(publisher.royalties(draft.id)).rejects.toBeInstanceOf(NotRegisteredYetError);
    await publisher.publish(draft.id);
    await expect(publisher.payRoyalties(draft.id, { amountWei: '1000' })).rejects.toBeInstanceOf(
      NotRegisteredYetError,
    ); // submitted is not enough
    const confirmed = await registrationReaches(stores.stories, draft.id, 'confirmed');
    const ipAssetId = confirmed.registration?.ipAssetId;

    const amount = 10n ** 18n + 7n; // does not divide evenly: no wei may be lost or created
    const receipt = await publisher.payRoyalties(draft.id, {
      amountWei: amount.toString(),
      payerReference: 'invoice-42',
    });
    expect(receipt).toMatchObject({ ipAssetId, amountWei: amount.toString() });
    expect(receipt.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    // The same payer reference is the same payment: repeating it pays nothing more.
    const repeated = await publisher.payRoyalties(draft.id, {
      amountWei: amount.toString(),
      payerReference: 'invoice-42',
    });
    expect(repeated.txHash).toBe(receipt.txHash);

    const expected = splitByBasisPoints(
      amount,
      draft.contributors.map((c) => c.shareBasisPoints),
    );
    const royalties = await eventually('the payment to be credited', async () => {
      const r = await publisher.royalties(draft.id);
      return r.claimable.some((c) => c.amountWei !== '0') ? r : undefined;
    });
    expect(royalties.ipAssetId).toBe(ipAssetId);
    expect(royalties.recipients).toEqual(
      draft.contributors.map((c) => ({
        walletAddress: c.walletAddress.toLowerCase(),
        shareBasisPoints: c.shareBasisPoints,
        role: c.role,
      })),
    );
    expect(royalties.claimable).toEqual(
      draft.contributors.map((c, i) => ({
        walletAddress: c.walletAddress.toLowerCase(),
        amountWei: expected[i]!.toString(),
      })),
    );

    const author = draft.contributors[0]!.walletAddress;
    const claim = await publisher.claim(draft.id, { walletAddress: author });
    expect(claim.amountWei).toBe(expected[0]!.toString());
    expect(claim.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const after = await publisher.royalties(draft.id);
    expect(after.claimable[0]).toEqual({ walletAddress: author.toLowerCase(), amountWei: '0' });
    expect(after.claimable[1]?.amountWei).toBe(expected[1]!.toString());

    // Nothing left to claim: the chain says no, typed.
    const again = await publisher.claim(draft.id, { walletAddress: author }).catch((e) => e);
    expect(again).toBeInstanceOf(ChainRejectedError);
    expect((again as ChainRejectedError).code).toBe('FAILED_PRECONDITION');
  });

  it('refuses malformed wei amounts and wallets with typed field errors', async () => {
    const stores = memoryStores();
    const publisher = publisherOver(stores, false);
    const draft = await seedDraftStory(stores);
    for (const amountWei of [
      '-1',
      '1.5',
      '0x10',
      '',
      '0',
      '007',
      '1e18',
      (2n ** 256n).toString(),
    ]) {
      const error = await publisher.payRoyalties(draft.id, { amountWei }).catch((e) => e);
      expect(error, amountWei).toBeInstanceOf(InvalidRoyaltyRequestError);
      expect((error as InvalidRoyaltyRequestError).errors.map((e) => e.field)).toEqual([
        '/amountWei',
      ]);
    }
    const notAString = await publisher
      .payRoyalties(draft.id, { amountWei: 1000 as unknown as string })
      .catch((e) => e);
    expect(notAString).toBeInstanceOf(InvalidRoyaltyRequestError);
    const badWallet = await publisher.claim(draft.id, { walletAddress: '0x123' }).catch((e) => e);
    expect(badWallet).toBeInstanceOf(InvalidRoyaltyRequestError);
    expect((badWallet as InvalidRoyaltyRequestError).errors).toEqual([
      { field: '/walletAddress', message: 'must be 0x followed by 40 hex digits' },
    ]);
  });
});
