/**
 * Redis goes away (a throw-away redis-server this test owns is killed): story reads and writes
 * still succeed through Cosmos DB, readiness reports `degraded` but stays 200, and once Redis is
 * back no read returns a value older than the writes made during the outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThrowawayRedis } from '../../../test-support/throwaway-redis.ts';
import type { Story } from '../src/domain.ts';
import { type Harness, randomWallet, startHarness, type TestUser } from './support/harness.ts';

const redis = new ThrowawayRedis();
let h: Harness;
let author: TestUser;

beforeAll(async () => {
  await redis.start();
  h = await startHarness('cache_outage', {
    env: { REDIS_URL: `redis://127.0.0.1:${redis.port}` },
  });
  author = await h.user('author');
});
afterAll(async () => {
  await h?.close();
  await redis.stop();
});

const get = (id: string) => author.inject({ method: 'GET', url: `/v1/stories/${id}` });

describe('story cache while Redis is down', () => {
  it('keeps serving from Cosmos DB, reports degraded readiness, and never serves a stale value after', async () => {
    const account = (
      await author.inject({
        method: 'POST',
        url: '/v1/accounts',
        payload: {
          email: 'cache@example.com',
          displayName: 'Cache',
          walletAddress: randomWallet(),
        },
      })
    ).json();
    const story: Story = (
      await author.inject({
        method: 'POST',
        url: '/v1/stories',
        payload: { authorId: account.id, title: 'Before the outage' },
      })
    ).json();
    await get(story.id);
    expect((await get(story.id)).json().title).toBe('Before the outage'); // cached in Redis

    await redis.stop();
    const patched = await author.inject({
      method: 'PATCH',
      url: `/v1/stories/${story.id}`,
      payload: { title: 'During the outage' },
    });
    expect(patched.statusCode).toBe(200);
    const during = await get(story.id);
    expect(during.statusCode).toBe(200);
    expect(during.json().title).toBe('During the outage');

    const ready = await h.api.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    const report = ready.json() as { status: string; checks: { name: string; status: string }[] };
    expect(report.status).toBe('degraded');
    expect(report.checks.find((c) => c.name === 'redis')?.status).not.toBe('healthy');

    // Redis comes back empty (no persistence): the next reads load and cache the current value.
    await redis.start();
    await h.api.stores.redis!.ping().catch(() => undefined);
    for (let i = 0; i < 3; i++)
      expect((await get(story.id)).json().title).toBe('During the outage');
  });
});
