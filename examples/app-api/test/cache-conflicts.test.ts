/**
 * Two App API instances on one PostgreSQL schema and one Cosmos DB, each with its own in-memory
 * cache store (no Redis), so a write through one leaves the other's cached copy stale. A write
 * that then loses the version race on the stale instance must re-read the story from Cosmos DB,
 * not from its cache (which would hand it the same stale version on every retry and end in 409).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppApi, createAppApi } from '../src/app.ts';
import type { Account, Story } from '../src/domain.ts';
import { type Harness, randomWallet, startHarness, type TestUser } from './support/harness.ts';

let h: Harness;
let first: AppApi;
let second: AppApi;
/** The author of every story, signed in to both instances (they trust the same issuer). */
let racer: TestUser;

beforeAll(async () => {
  h = await startHarness('cache_conflicts');
  first = h.api;
  racer = await h.user('racer');
  // The same configuration (schema, Cosmos DB, chain), and its own memory cache store.
  second = await createAppApi(h.config, { logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await second?.close();
  await h?.close();
});

async function createStory(api: AppApi): Promise<Story> {
  const account = await api.app.inject({
    headers: racer.headers,
    method: 'POST',
    url: '/v1/accounts',
    payload: {
      email: `racer-${Math.random().toString(36).slice(2)}@example.com`,
      displayName: 'Racer',
      walletAddress: randomWallet(),
    },
  });
  expect(account.statusCode, account.body).toBe(201);
  const story = await api.app.inject({
    headers: racer.headers,
    method: 'POST',
    url: '/v1/stories',
    payload: { authorId: account.json<Account>().id, title: 'Two instances' },
  });
  expect(story.statusCode, story.body).toBe(201);
  return story.json();
}

async function read(api: AppApi, id: string): Promise<Story> {
  const res = await api.app.inject({
    headers: racer.headers,
    method: 'GET',
    url: `/v1/stories/${id}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** PATCHes the story's summary, with an If-Match naming `version` when given; the status code. */
async function edit(api: AppApi, id: string, summary: string, version?: number): Promise<number> {
  const res = await api.app.inject({
    headers:
      version === undefined ? racer.headers : { ...racer.headers, 'if-match': `"${version}"` },
    method: 'PATCH',
    url: `/v1/stories/${id}`,
    payload: { summary },
  });
  return res.statusCode;
}

describe('a version conflict on an instance whose cache is stale', () => {
  it('publishes after re-reading the story from the store', async () => {
    const story = await createStory(first);
    // The second instance caches version 1; the first moves the story to version 2 and
    // invalidates only its own cache.
    expect((await read(second, story.id)).version).toBe(story.version);
    expect(await edit(first, story.id, 'edited on the first instance')).toBe(200);
    expect((await read(second, story.id)).version).toBe(story.version); // still the stale copy

    const published = await second.app.inject({
      headers: racer.headers,
      method: 'POST',
      url: `/v1/stories/${story.id}/publish`,
      payload: {},
    });
    expect(published.statusCode, published.body).toBeLessThan(300);
    const body = published.json<Story>();
    expect(body.summary).toBe('edited on the first instance');
    expect(body.registration?.idempotencyKey).toBeTruthy();
    // The conflict also dropped the stale copy: the second instance now reads what is stored.
    expect((await read(second, story.id)).registration?.idempotencyKey).toBe(
      body.registration?.idempotencyKey,
    );
  });

  it('converges when both instances publish the same story at once', async () => {
    const story = await createStory(first);
    await read(first, story.id);
    await read(second, story.id);
    const answers = await Promise.all(
      [first, second, first, second].map((api) =>
        api.app.inject({
          headers: racer.headers,
          method: 'POST',
          url: `/v1/stories/${story.id}/publish`,
          payload: {},
        }),
      ),
    );
    for (const answer of answers) expect(answer.statusCode, answer.body).toBeLessThan(300);
    const keys = new Set(answers.map((a) => a.json<Story>().registration?.idempotencyKey));
    expect(keys.size).toBe(1);
  });

  it('edits after a conflict once the stale copy was dropped', async () => {
    const story = await createStory(first);
    await read(second, story.id);
    expect(await edit(first, story.id, 'first')).toBe(200);
    // A stale read makes this edit lose the version race: 409 (a concurrent edit) ...
    expect(await edit(second, story.id, 'second')).toBe(409);
    // ... but the conflict dropped the stale copy, so the next edit reads version 2 and wins.
    expect(await edit(second, story.id, 'second')).toBe(200);
    expect((await read(first, story.id)).summary).toBe('second');
  });
});

describe('If-Match on an instance whose cache is stale', () => {
  it('is judged against the stored version, not the cached one', async () => {
    const story = await createStory(first);
    await read(second, story.id);
    expect(await edit(first, story.id, 'first')).toBe(200);
    const current = (await read(first, story.id)).version;
    expect(await edit(second, story.id, 'second, knowing the current version', current)).toBe(200);
    // An If-Match that really is stale still fails.
    expect(await edit(second, story.id, 'again with the old version', current)).toBe(412);
  });
});
