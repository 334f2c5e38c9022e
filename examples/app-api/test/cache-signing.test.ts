/**
 * Issue 17, item 5: "the cache trusts whatever is in Redis". Someone who can write to the App
 * API's Redis writes straight under a story's cache key, and the story is read over a real
 * socket. With CACHE_SIGNING_KEYS (required with REDIS_URL):
 *
 * 1. a forged story (unsigned, or signed with a key of the attacker's) is not served: GET returns
 *    the story stored in Cosmos DB;
 * 2. a forged "not found" makes the story 404 neither on GET nor on PATCH;
 * 3. a 30 MB junk value is not read, the real story is served, and the junk is gone afterwards.
 *
 * Two controls make the refusals mean something: the same forgeries signed with the host's own
 * key are served (so they are well formed, and the signature is what refuses them), and a host
 * started with CACHE_SIGNING=off serves them (the attack as the issue found it).
 *
 * The forgeries are built from the entry format the cache's README documents ("Security"):
 *   MS1|<HMAC-SHA256, 43 base64url chars>|MC1|<serializer>|<v or n>|<expires>|<tokens>|<payload>
 * with the MAC over `mystira-cache-entry/1\0`, `<byte length of the key>:<key>`, then the MC1
 * envelope. Each starts from the entry the cache itself wrote (so its generation tokens and
 * expiry are current), as an attacker reading Redis would.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppApi } from '../src/app.ts';
import { ConfigError } from '../src/config.ts';
import type { Story } from '../src/domain.ts';
import {
  type Harness,
  REDIS_URL,
  randomWallet,
  startHarness,
  type TestUser,
} from './support/harness.ts';

const SIGNED_HEADER = 48; // 'MS1|' + 43 base64url characters + '|'
const FORGED_TITLE = 'Forged by whoever can write to Redis';

/** The MC1 envelope of an entry, signed or not. */
function envelopeOf(entry: Buffer): Buffer {
  return entry.toString('latin1', 0, 4) === 'MS1|' ? entry.subarray(SIGNED_HEADER) : entry;
}

/** The envelope with another payload, and kind `n` for a forged "not found". */
function rewrite(envelope: Buffer, change: (doc: Record<string, unknown>) => void): Buffer;
function rewrite(envelope: Buffer, kind: 'n'): Buffer;
function rewrite(envelope: Buffer, how: ((doc: Record<string, unknown>) => void) | 'n'): Buffer {
  let at = -1; // the payload follows the fifth '|': MC1|serializer|kind|expires|tokens|
  for (let i = 0; i < 5; i++) at = envelope.indexOf(0x7c, at + 1);
  const header = envelope.toString('latin1', 0, at + 1).split('|');
  if (how === 'n') {
    header[2] = 'n';
    return Buffer.from(header.join('|'), 'latin1');
  }
  const doc = JSON.parse(envelope.toString('utf8', at + 1)) as Record<string, unknown>;
  how(doc);
  return Buffer.concat([Buffer.from(header.join('|'), 'latin1'), Buffer.from(JSON.stringify(doc))]);
}

/** An entry signed with `key` for `redisKey`, as the README describes the MAC. */
function sign(key: string, redisKey: string, envelope: Buffer): Buffer {
  const mac = createHmac('sha256', key)
    .update('mystira-cache-entry/1\0')
    .update(`${Buffer.byteLength(redisKey)}:${redisKey}`)
    .update(envelope)
    .digest('base64url');
  return Buffer.concat([Buffer.from(`MS1|${mac}|`, 'latin1'), envelope]);
}

const forgeTitle = (doc: Record<string, unknown>) => {
  doc.title = FORGED_TITLE;
};

let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(() => {
  redis?.disconnect();
});

/** One App API on the real Redis, listening on a real socket, and its author. */
interface Target {
  h: Harness;
  url: string;
  author: TestUser;
  authorId: string;
}

async function startTarget(name: string, env: Record<string, string> = {}): Promise<Target> {
  const h = await startHarness(name, { redis: true, env });
  const url = await h.api.listen(0, '127.0.0.1');
  const author = await h.user('author');
  const account = await call({ url, author } as Target, 'POST', '/v1/accounts', {
    email: `author-${randomBytes(4).toString('hex')}@example.com`,
    displayName: 'Author',
    walletAddress: randomWallet(),
  });
  expect(account.status).toBe(201);
  return { h, url, author, authorId: ((await account.json()) as { id: string }).id };
}

function call(t: Target, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    method,
    headers: {
      ...t.author.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function getStory(t: Target, id: string): Promise<{ status: number; story?: Story }> {
  const res = await call(t, 'GET', `/v1/stories/${id}`);
  return { status: res.status, story: res.ok ? ((await res.json()) as Story) : undefined };
}

/**
 * A draft, read once so the cache holds it, and the Redis key the cache keeps it under:
 * `<CACHE_KEY_PREFIX>:{stories}:<version>.<schema fingerprint>:e:s:<id>` (cached.ts).
 */
async function cachedStory(t: Target): Promise<{ id: string; title: string; key: string }> {
  const title = `Real story ${randomBytes(3).toString('hex')}`;
  const created = await call(t, 'POST', '/v1/stories', { authorId: t.authorId, title });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as Story;
  expect((await getStory(t, id)).story?.title).toBe(title);
  const pattern = `${t.h.config.cacheKeyPrefix}:{stories}:*:e:s:${id}`;
  const key = await vi.waitFor(async () => {
    const keys = await redis.keys(pattern);
    expect(keys).toHaveLength(1);
    return keys[0]!;
  });
  return { id, title, key };
}

/** The envelope of the entry the cache wrote under `key` (waiting for its fill after a refusal). */
async function currentEnvelope(key: string, signed: boolean): Promise<Buffer> {
  return vi.waitFor(async () => {
    const entry = await redis.getBuffer(key);
    expect(entry).not.toBeNull();
    // The host signs what it writes exactly when it has keys.
    expect(entry!.toString('latin1', 0, 4) === 'MS1|').toBe(signed);
    return envelopeOf(entry!);
  });
}

/** What an attacker with a key of their own would sign with (32 bytes, like a real one). */
const ATTACKER_KEY = randomBytes(32).toString('base64');

describe('with CACHE_SIGNING_KEYS (required with REDIS_URL)', () => {
  let t: Target;
  let hostKey: string;
  beforeAll(async () => {
    t = await startTarget('cache_signing');
    hostKey = t.h.config.cacheSigningKeys![0]!;
  });
  afterAll(async () => {
    await t?.h.close();
  });

  it('serves the stored story, not a forged one written into Redis', async () => {
    const { id, title, key } = await cachedStory(t);
    const cache = t.h.api.stores.storyCache;
    const forgedBefore = cache.metrics().forged;

    const forgeries = {
      unsigned: (env: Buffer) => rewrite(env, forgeTitle),
      "signed with the attacker's key": (env: Buffer) =>
        sign(ATTACKER_KEY, key, rewrite(env, forgeTitle)),
      // A genuine entry of another story, copied under this key: signed, but for the other key.
      'copied from another key': (env: Buffer) =>
        sign(hostKey, `${key}x`, rewrite(env, forgeTitle)),
    };
    for (const [how, forge] of Object.entries(forgeries)) {
      const forged = forge(await currentEnvelope(key, true));
      await redis.set(key, forged);
      const read = await getStory(t, id);
      expect(read.status, how).toBe(200);
      expect(read.story?.title, how).toBe(title);
      // Refused, deleted, and replaced by the stored story (signed).
      const after = await currentEnvelope(key, true);
      expect(after.toString('utf8'), how).not.toContain(FORGED_TITLE);
    }
    expect(cache.metrics().forged - forgedBefore).toBe(Object.keys(forgeries).length);
    expect(
      t.h.logs.some(
        (l) => l.level === 40 && /not signed by CACHE_SIGNING_KEYS/.test(String(l.msg)),
      ),
    ).toBe(true);

    // Positive control: the same forgery signed with the host's key is served, so what the
    // attacker wrote was a well-formed entry and only the signature refused it.
    await redis.set(key, sign(hostKey, key, rewrite(await currentEnvelope(key, true), forgeTitle)));
    expect((await getStory(t, id)).story?.title).toBe(FORGED_TITLE);
    await redis.del(key);
  });

  it('does not let a forged "not found" make an existing story 404, on GET or on PATCH', async () => {
    const { id, title, key } = await cachedStory(t);

    await redis.set(key, rewrite(await currentEnvelope(key, true), 'n'));
    expect(await getStory(t, id)).toMatchObject({ status: 200, story: { title } });
    await redis.set(key, sign(ATTACKER_KEY, key, rewrite(await currentEnvelope(key, true), 'n')));
    expect(await getStory(t, id)).toMatchObject({ status: 200, story: { title } });

    // PATCH reads the story before it writes: the forged "not found" must not answer that read.
    await redis.set(key, rewrite(await currentEnvelope(key, true), 'n'));
    const patched = await call(t, 'PATCH', `/v1/stories/${id}`, { summary: 'edited' });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(await getStory(t, id)).toMatchObject({ status: 200, story: { summary: 'edited' } });

    // Positive control: signed with the host's key, the same "not found" is believed.
    await redis.set(key, sign(hostKey, key, rewrite(await currentEnvelope(key, true), 'n')));
    expect((await getStory(t, id)).status).toBe(404);
    await redis.del(key);
  });

  it('does not read a 30 MB junk value, serves the stored story, and deletes the junk', async () => {
    const { id, title, key } = await cachedStory(t);
    const droppedBefore = t.h.api.stores.storyCache.metrics().dropped;
    await redis.set(key, Buffer.alloc(30 * 1024 * 1024, 'junk'));

    expect(await getStory(t, id)).toMatchObject({ status: 200, story: { title } });
    expect(t.h.api.stores.storyCache.metrics().dropped).toBeGreaterThan(droppedBefore);
    // Gone: the key holds the stored story again, signed (a few hundred bytes).
    await currentEnvelope(key, true);
    expect(await redis.strlen(key)).toBeLessThan(64 * 1024);
  });

  it('refuses a short key as a ConfigError naming CACHE_SIGNING_KEYS (config built by hand)', async () => {
    const short = 'sixteen-byte-key';
    const started = createAppApi(
      { ...t.h.config, cacheSigningKeys: [short] },
      { logger: pino({ level: 'silent' }) },
    );
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/CACHE_SIGNING_KEYS/);
    await expect(started).rejects.not.toThrow(short);
  });
});

describe('control: CACHE_SIGNING=off (the attack as issue 17 found it)', () => {
  let t: Target;
  beforeAll(async () => {
    t = await startTarget('cache_signing_off', { CACHE_SIGNING: 'off' });
  });
  afterAll(async () => {
    await t?.h.close();
  });

  it('says at start that entries in Redis are not signed', () => {
    expect(
      t.h.logs.some(
        (l) => l.level === 40 && /not signed \(CACHE_SIGNING=off\)/.test(String(l.msg)),
      ),
    ).toBe(true);
  });

  it('serves a forged story written into Redis', async () => {
    const { id, key } = await cachedStory(t);
    await redis.set(key, rewrite(await currentEnvelope(key, false), forgeTitle));
    expect((await getStory(t, id)).story?.title).toBe(FORGED_TITLE);
    await redis.del(key);
  });

  it('lets a forged "not found" make an existing story 404 on GET and on PATCH', async () => {
    const { id, key } = await cachedStory(t);
    const notFound = rewrite(await currentEnvelope(key, false), 'n');
    await redis.set(key, notFound);
    expect((await getStory(t, id)).status).toBe(404);
    const patched = await call(t, 'PATCH', `/v1/stories/${id}`, { summary: 'edited' });
    expect(patched.status).toBe(404);
    await redis.del(key);
  });

  it('still drops a 30 MB junk value: the size limit does not depend on signing', async () => {
    const { id, title, key } = await cachedStory(t);
    await redis.set(key, Buffer.alloc(30 * 1024 * 1024, 'junk'));
    expect(await getStory(t, id)).toMatchObject({ status: 200, story: { title } });
    await currentEnvelope(key, false);
    expect(await redis.strlen(key)).toBeLessThan(64 * 1024);
  });
});
