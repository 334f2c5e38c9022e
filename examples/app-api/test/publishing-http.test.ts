/**
 * The publishing endpoints over HTTP, through createAppApi on real PostgreSQL, cosmosdb-server and
 * a Chain service (devnet, 20 ms blocks) that the App API reaches through a TCP proxy, so the
 * tests can take the chain away: stopped before the registration, or cut off after the chain
 * registered but before its answer arrived. Each outage answers 503 problem+json (retryable),
 * leaves the story pending, and a retry after the chain returns completes it exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, Story, StoryRegistration } from '../src/domain.ts';
import { createAccount, type Harness, startHarness, type TestUser } from './support/harness.ts';
import {
  type CuttableProxy,
  startCuttableProxy,
  startTestChain,
  type TestChain,
} from './support/publishing-chain.ts';
import { eventually } from './support/publishing-stories.ts';

let chain: TestChain;
let proxy: CuttableProxy;
let h: Harness;
/** The author of every story here; `artist` shares in some; `payer` pays royalties. */
let writer: TestUser;
let artist: TestUser;
let payer: TestUser;

beforeAll(async () => {
  chain = await startTestChain({ blockIntervalMs: 20, requiredConfirmations: 2 });
  proxy = await startCuttableProxy(chain.port);
  h = await startHarness('publishing_http', {
    // The harness needs only the URL of a chain it does not own; we stop and restart this one.
    chain: {
      ledger: chain.ledger,
      server: undefined as never,
      url: `http://127.0.0.1:${proxy.port}`,
      close: async () => {},
    },
  });
  writer = await h.user('writer');
  artist = await h.user('artist');
  payer = await h.user('payer', ['payer']);
});

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  await chain?.close();
});

async function createStory(contributors?: { account: Account; share: number }[]): Promise<Story> {
  const author = contributors?.[0]?.account ?? (await createAccount(writer));
  const res = await writer.inject({
    method: 'POST',
    url: '/v1/stories',
    payload: {
      authorId: author.id,
      title: 'The Lighthouse Keeper',
      scenarios: [{ title: 'Night one', body: 'The lamp goes out.' }],
      ...(contributors
        ? {
            contributors: contributors.map((c, i) => ({
              accountId: c.account.id,
              shareBasisPoints: c.share,
              role: i === 0 ? 'author' : 'artist',
            })),
          }
        : {}),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

function publish(storyId: string) {
  return writer.inject({ method: 'POST', url: `/v1/stories/${storyId}/publish`, payload: {} });
}

async function storedStory(storyId: string): Promise<Story> {
  const res = await writer.inject({ method: 'GET', url: `/v1/stories/${storyId}` });
  expect(res.statusCode).toBe(200);
  return res.json();
}

function confirmedRegistration(storyId: string): Promise<StoryRegistration> {
  return eventually(`story ${storyId} confirmed`, async () => {
    const res = await writer.inject({
      method: 'GET',
      url: `/v1/stories/${storyId}/registration`,
    });
    expect(res.statusCode).toBe(200);
    const registration = res.json() as StoryRegistration;
    return registration.state === 'confirmed' ? registration : undefined;
  });
}

/** Retries POST /publish as a client would after a 503, until the chain takes it. */
function publishUntilAccepted(storyId: string): Promise<Story> {
  return eventually(
    `story ${storyId} accepted`,
    async () => {
      const res = await publish(storyId);
      if (res.statusCode === 503) return undefined;
      expect([200, 202], res.body).toContain(res.statusCode);
      return res.json() as Story;
    },
    20_000,
  );
}

function expectChainUnavailableProblem(res: Awaited<ReturnType<typeof publish>>): void {
  expect(res.statusCode, res.body).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json();
  expect(problem).toMatchObject({ status: 503, retryable: true });
  expect(problem.type).toMatch(/chain-unavailable$/);
  expect(problem.detail).toMatch(/Chain service unavailable/);
}

describe('POST /v1/stories/:id/publish', () => {
  it('202 with the registration, 200 unchanged when repeated, then confirmed', async () => {
    const story = await createStory();
    const first = await publish(story.id);
    expect(first.statusCode, first.body).toBe(202);
    const published = first.json() as Story;
    expect(published.status).toBe('published');
    expect(['pending', 'submitted', 'confirmed']).toContain(published.registration?.state);
    expect(published.registration?.idempotencyKey).toBeTruthy();

    const again = await publish(story.id);
    expect(again.statusCode).toBe(200);
    expect((again.json() as Story).registration?.idempotencyKey).toBe(
      published.registration?.idempotencyKey,
    );

    const registration = await confirmedRegistration(story.id);
    expect(registration).toMatchObject({
      ipAssetId: published.registration?.ipAssetId,
      txHash: published.registration?.txHash,
      confirmations: 2,
    });
    expect(chain.ledger.registrationsOf(story.id)).toBe(1);
    expect((await storedStory(story.id)).registration?.state).toBe('confirmed');
  });

  it('404 problem for an unknown story; 409 for the registration of a never-published one', async () => {
    const missing = await publish('no-such-story');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);

    const story = await createStory();
    const registration = await writer.inject({
      method: 'GET',
      url: `/v1/stories/${story.id}/registration`,
    });
    expect(registration.statusCode).toBe(409);
    expect(registration.json()).toMatchObject({ status: 409 });
  });
});

describe('royalties over HTTP', () => {
  it('pays, shows the split and claimable balances, claims, and refuses bad amounts', async () => {
    const author = await createAccount(writer);
    const artistAccount = await createAccount(artist);
    const story = await createStory([
      { account: author, share: 7500 },
      { account: artistAccount, share: 2500 },
    ]);
    const url = `/v1/stories/${story.id}/royalties`;

    const early = await payer.inject({
      method: 'POST',
      url: `${url}/payments`,
      payload: { amountWei: '1000' },
    });
    expect(early.statusCode).toBe(409); // not published yet
    expect((await publish(story.id)).statusCode).toBe(202);
    await confirmedRegistration(story.id);

    for (const amountWei of ['-5', '1.5', 'ten', '0x10']) {
      const bad = await payer.inject({
        method: 'POST',
        url: `${url}/payments`,
        payload: { amountWei },
      });
      expect(bad.statusCode, amountWei).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.json().errors?.[0]?.field).toBe('/amountWei');
    }

    const paid = await payer.inject({
      method: 'POST',
      url: `${url}/payments`,
      headers: { 'idempotency-key': `pay-${story.id}` },
      payload: { amountWei: '4000000000000000000' },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ amountWei: '4000000000000000000' });
    // The same Idempotency-Key again: the same payment, not a second one.
    const replay = await payer.inject({
      method: 'POST',
      url: `${url}/payments`,
      headers: { 'idempotency-key': `pay-${story.id}` },
      payload: { amountWei: '4000000000000000000' },
    });
    expect(replay.json().txHash).toBe(paid.json().txHash);

    const royalties = await eventually('the payment to be credited', async () => {
      const res = await writer.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { claimable: { walletAddress: string; amountWei: string }[] };
      return body.claimable.some((c) => c.amountWei !== '0') ? body : undefined;
    });
    expect(royalties).toMatchObject({
      recipients: [
        { walletAddress: author.walletAddress.toLowerCase(), shareBasisPoints: 7500 },
        { walletAddress: artistAccount.walletAddress.toLowerCase(), shareBasisPoints: 2500 },
      ],
      claimable: [
        { walletAddress: author.walletAddress.toLowerCase(), amountWei: '3000000000000000000' },
        {
          walletAddress: artistAccount.walletAddress.toLowerCase(),
          amountWei: '1000000000000000000',
        },
      ],
    });

    // The artist claims her own share (the author may not claim to her wallet).
    const notYours = await writer.inject({
      method: 'POST',
      url: `${url}/claims`,
      payload: { walletAddress: artistAccount.walletAddress },
    });
    expect(notYours.statusCode).toBe(403);
    const claim = await artist.inject({
      method: 'POST',
      url: `${url}/claims`,
      payload: { walletAddress: artistAccount.walletAddress },
    });
    expect(claim.statusCode, claim.body).toBe(201);
    expect(claim.json()).toMatchObject({ amountWei: '1000000000000000000' });
    const after = (await writer.inject({ method: 'GET', url })).json();
    expect(after.claimable[1]).toMatchObject({ amountWei: '0' });
  });
});

describe('chain outage during publish', () => {
  it('Chain host stopped: 503 problem, story pending; back on the same port: retry confirms once', async () => {
    const story = await createStory();
    await chain.stopServer();
    try {
      expectChainUnavailableProblem(await publish(story.id));
      const pending = await storedStory(story.id);
      expect(pending.registration?.state).toBe('pending');
      expect(pending.status).toBe('draft');
      expect(chain.ledger.registrationsOf(story.id)).toBe(0);
    } finally {
      await chain.startServer();
    }

    const accepted = await publishUntilAccepted(story.id);
    expect(accepted.status).toBe('published');
    await confirmedRegistration(story.id);
    expect(chain.ledger.registrationsOf(story.id)).toBe(1);
  });

  it('answer lost after the chain registered: 503, pending; a restarted host: retry adopts it, once', async () => {
    const story = await createStory();
    chain.ledger.onRegistered = () => {
      chain.ledger.onRegistered = undefined;
      proxy.cut(); // the App API never hears back, and cannot reach the chain any more
    };
    expectChainUnavailableProblem(await publish(story.id));
    const pending = await storedStory(story.id);
    expect(pending.registration?.state).toBe('pending');
    expect(chain.ledger.registrationsOf(story.id)).toBe(1);

    // The Chain host comes back as a new process (no idempotency records) where the API expects it.
    await chain.stopServer();
    await proxy.close();
    await chain.startServer(proxy.port);

    const accepted = await publishUntilAccepted(story.id);
    expect(accepted.registration?.idempotencyKey).toBe(pending.registration?.idempotencyKey);
    const registration = await confirmedRegistration(story.id);
    const onChain = await chain.ledger.getAssetByContentId(story.id);
    expect(registration.ipAssetId).toBe(onChain?.ipAssetId);
    expect(chain.ledger.registrationsOf(story.id)).toBe(1);
  });
});
