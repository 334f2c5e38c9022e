/**
 * Stories over HTTP against real Cosmos DB (cosmosdb-server), PostgreSQL and Redis: drafts,
 * contributors, listing with keyset paging, the cache (hit on the second read, invalidated by
 * PATCH), If-Match, and edits refused once a story is no longer a draft.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, Story } from '../src/domain.ts';
import { createAccount, type Harness, startHarness, type TestUser } from './support/harness.ts';

let h: Harness;
/** The signed-in author (Ada): every story here is written by one of her accounts. */
let writer: TestUser;
let ada: Account;
let lin: Account;

async function createStory(payload: Record<string, unknown>): Promise<Story> {
  const res = await writer.inject({ method: 'POST', url: '/v1/stories', payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** Ada's PATCH of a story, with an If-Match header when given. */
function patchStory(id: string, payload: Record<string, unknown>, ifMatch?: string) {
  return writer.inject({
    method: 'PATCH',
    url: `/v1/stories/${id}`,
    ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
    payload,
  });
}

beforeAll(async () => {
  h = await startHarness('stories', { redis: true });
  writer = await h.user('ada');
  ada = await createAccount(writer, { email: 'ada@example.com' });
  // Another person, whose account Ada names as a contributor.
  lin = await createAccount(await h.user('lin'), { email: 'lin@example.com' });
});
afterAll(async () => {
  await h?.close();
});

describe('creating stories', () => {
  it('defaults the contributors to the author with 10 000 bp and copies wallets from accounts', async () => {
    const story = await createStory({
      authorId: ada.id,
      title: 'The Lighthouse Keeper',
      scenarios: [{ title: 'Night one', body: 'The lamp goes out.' }],
    });
    expect(story).toMatchObject({
      authorId: ada.id,
      title: 'The Lighthouse Keeper',
      summary: '',
      status: 'draft',
      version: 1,
      contributors: [
        {
          accountId: ada.id,
          walletAddress: ada.walletAddress,
          shareBasisPoints: 10_000,
          role: 'author',
        },
      ],
    });
    expect(story.scenarios).toHaveLength(1);
    expect(story.scenarios[0]).toMatchObject({ title: 'Night one', body: 'The lamp goes out.' });
    expect(story.scenarios[0]?.id).toEqual(expect.any(String));
    expect(story.registration).toBeUndefined();
  });

  it('takes explicit contributors whose shares sum to 10 000', async () => {
    const story = await createStory({
      authorId: ada.id,
      title: 'Tidewater',
      contributors: [
        { accountId: ada.id, shareBasisPoints: 7_000, role: 'author' },
        { accountId: lin.id, shareBasisPoints: 3_000, role: 'illustrator' },
      ],
    });
    expect(story.contributors.map((c) => [c.walletAddress, c.shareBasisPoints])).toEqual([
      [ada.walletAddress, 7_000],
      [lin.walletAddress, 3_000],
    ]);
  });

  it('refuses bad contributors and unknown accounts with field errors', async () => {
    const res = await writer.inject({
      method: 'POST',
      url: '/v1/stories',
      payload: {
        authorId: 'nobody',
        title: 'Glass Harbour',
        contributors: [
          { accountId: ada.id, shareBasisPoints: 5_000, role: 'author' },
          { accountId: ada.id, shareBasisPoints: 1_000, role: 'editor' },
          { accountId: 'ghost', shareBasisPoints: 1_000, role: 'artist' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { field: '/contributors', message: 'shares must sum to 10000 basis points, got 7000' },
        { field: '/contributors/1/accountId', message: 'appears twice' },
        { field: '/authorId', message: 'no account with this id' },
        { field: '/contributors/2/accountId', message: 'no account with this id' },
      ]),
    );
  });

  it('validates the body shape before anything runs', async () => {
    const res = await writer.inject({
      method: 'POST',
      url: '/v1/stories',
      payload: { title: '', scenarios: [{ title: 'x' }], contributors: [] },
    });
    expect(res.statusCode).toBe(400);
    const fields = res
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort();
    expect(fields).toEqual(['/authorId', '/contributors', '/scenarios/0/body', '/title']);
  });
});

describe('reading and editing stories', () => {
  it('serves the second read from the cache and invalidates it on PATCH', async () => {
    const story = await createStory({ authorId: ada.id, title: 'Cached' });
    const before = h.api.stores.storyCache.metrics();
    const first = await writer.inject({ method: 'GET', url: `/v1/stories/${story.id}` });
    const second = await writer.inject({ method: 'GET', url: `/v1/stories/${story.id}` });
    expect(first.json()).toEqual(story);
    expect(second.json()).toEqual(story);
    const afterReads = h.api.stores.storyCache.metrics();
    expect(afterReads.hits - before.hits).toBe(1);
    expect(afterReads.misses - before.misses).toBe(1);
    // The value really is in Redis under this host's prefix.
    const keys = await h.api.stores.redis!.keys(`${h.config.cacheKeyPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);

    const patched = await patchStory(story.id, { title: 'Cached, then edited' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ title: 'Cached, then edited', version: 2 });
    const third = await writer.inject({ method: 'GET', url: `/v1/stories/${story.id}` });
    expect(third.json()).toMatchObject({ title: 'Cached, then edited', version: 2 });
    expect(third.headers.etag).toBe('"2"');
    // Conditional reads: the ETag held is current -> 304 without a body; the old one -> 200.
    const unchanged = await writer.inject({
      method: 'GET',
      url: `/v1/stories/${story.id}`,
      headers: { 'if-none-match': '"2"' },
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    const changed = await writer.inject({
      method: 'GET',
      url: `/v1/stories/${story.id}`,
      headers: { 'if-none-match': '"1"' },
    });
    expect(changed.statusCode).toBe(200);
    // The PATCH invalidated the entry: that read was a miss, not the old value.
    expect(h.api.stores.storyCache.metrics().misses - afterReads.misses).toBeGreaterThanOrEqual(1);
  });

  it('checks If-Match: a stale ETag is 412, the current one succeeds', async () => {
    const story = await createStory({ authorId: ada.id, title: 'Versioned' });
    const stale = await patchStory(story.id, { summary: 'lost update?' }, '"7"');
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ status: 412, title: 'Precondition failed' });

    const fresh = await patchStory(
      story.id,
      { summary: 'A summary', scenarios: [{ title: 'One', body: 'Two' }] },
      '"1"',
    );
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ summary: 'A summary', version: 2 });
    expect(fresh.json().scenarios).toHaveLength(1);

    const malformed = await patchStory(story.id, { title: 'x' }, 'yesterday');
    expect(malformed.statusCode).toBe(400);
  });

  it('refuses to edit a story that is no longer a draft (409) and empty or unknown edits (400)', async () => {
    const story = await createStory({ authorId: ada.id, title: 'Published already' });
    const current = (await h.api.stores.stories.getById(story.id))!;
    await h.api.stores.stories.update({ ...current, status: 'published' });
    const res = await patchStory(story.id, { title: 'Too late' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/only drafts can be edited/);

    const empty = await patchStory(story.id, {});
    expect(empty.statusCode).toBe(400);
    const unknown = await patchStory(story.id, { status: 'draft' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([{ field: '/status', message: 'is not allowed' }]);
  });

  it('answers 404 for a missing story, on GET and PATCH', async () => {
    const get = await writer.inject({ method: 'GET', url: '/v1/stories/missing' });
    expect(get.statusCode).toBe(404);
    const patch = await patchStory('missing', { title: 'x' });
    expect(patch.statusCode).toBe(404);
  });
});

describe('listing stories', () => {
  it('filters by author and status and pages newest first with a cursor', async () => {
    const author = await createAccount(writer, { email: 'pager@example.com' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await createStory({ authorId: author.id, title: `Part ${i}` })).id);
    const seen: Story[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs = new URLSearchParams({ authorId: author.id, status: 'draft', limit: '2' });
      if (cursor) qs.set('cursor', cursor);
      const res = await writer.inject({ method: 'GET', url: `/v1/stories?${qs}` });
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: Story[]; cursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    // Every story exactly once, newest first (stories created in the same millisecond tie on
    // createdAt and are ordered by id).
    expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
    const created = seen.map((s) => s.createdAt);
    expect(created).toEqual([...created].sort().reverse());

    const published = await writer.inject({
      method: 'GET',
      url: `/v1/stories?authorId=${author.id}&status=published`,
    });
    expect(published.json()).toEqual({ items: [], cursor: null });
  });

  it('rejects bad query parameters and tampered cursors with 400', async () => {
    const bad = await writer.inject({ method: 'GET', url: '/v1/stories?limit=0&status=lost' });
    expect(bad.statusCode).toBe(400);
    const fields = bad
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort();
    expect(fields).toEqual(['/limit', '/status']);

    const tampered = await writer.inject({ method: 'GET', url: '/v1/stories?cursor=abc' });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
