/**
 * CACHE_L1_TTL_MS: two App API instances on one Redis, each with an L1 that outlives the test
 * (60 s), so only the invalidation message a write publishes can bring a changed story to the
 * other instance. (When it is on at all: config.test.ts.)
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppApi, createAppApi } from '../src/app.ts';
import type { Story } from '../src/domain.ts';
import { createAccount, type Harness, startHarness, type TestUser } from './support/harness.ts';

let h: Harness;
let first: AppApi;
let second: AppApi;
let author: TestUser;

beforeAll(async () => {
  h = await startHarness('cache_l1', { redis: true, env: { CACHE_L1_TTL_MS: '60000' } });
  first = h.api;
  author = await h.user('l1-author');
  // The same configuration (schema, Cosmos DB, Redis and its key prefix): another instance.
  second = await createAppApi(h.config, { logger: pino({ level: 'silent' }) });
  await Promise.all([first.stores.storyCache.ready(), second.stores.storyCache.ready()]);
});

afterAll(async () => {
  await second?.close();
  await h?.close();
});

async function createStory(): Promise<Story> {
  const account = await createAccount(author);
  const res = await author.inject({
    method: 'POST',
    url: '/v1/stories',
    payload: { authorId: account.id, title: 'Read twice' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const read = async (api: AppApi, id: string): Promise<Story> => {
  const res = await api.app.inject({ headers: author.headers, url: `/v1/stories/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('CACHE_L1_TTL_MS', () => {
  it('serves repeated reads from L1, and a write on another instance reaches it at once', async () => {
    const story = await createStory();
    await read(second, story.id);
    const before = second.stores.storyCache.metrics().l1Hits;
    await read(second, story.id);
    expect(second.stores.storyCache.metrics().l1Hits).toBe(before + 1);

    const patched = await first.app.inject({
      headers: author.headers,
      method: 'PATCH',
      url: `/v1/stories/${story.id}`,
      payload: { summary: 'changed on the first instance' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    // L1 lives 60 s: only the invalidation message can make the second instance read it again.
    const deadline = Date.now() + 5000;
    let seen = await read(second, story.id);
    while (seen.summary !== 'changed on the first instance' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      seen = await read(second, story.id);
    }
    expect(seen.summary).toBe('changed on the first instance');
  });
});
