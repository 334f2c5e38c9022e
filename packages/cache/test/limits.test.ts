/**
 * What the cache does with junk in Redis, signing or not (shared Redis, a key prefix per test):
 * an entry over the size limit is neither transferred nor parsed and is deleted; an entry that
 * fails to decode is deleted; a generation key holding junk is replaced; a forged invalidation
 * message costs at most L1 misses. Both stores answer a size-limited read alike.
 */
import {
  CacheDecodeError,
  type CacheError,
  cached,
  jsonSerializer,
  memoryStore,
  redisStore,
  type Serializer,
} from '@mystira/cache';
import { describe, expect, it } from 'vitest';
import { envelopeOf, split } from './forge.js';
import { type NoteT, note, notes, until } from './helpers.js';
import { measuredStore } from './support/measured-store.js';
import { sharedRedis } from './support/shared-redis.js';

const shared = sharedRedis('limits');
const keyPrefix = () => shared.keyPrefix();
const MB = 1024 * 1024;

/** A JSON serializer that records the size of every payload it is asked to read. */
function measuredJson(): { serializer: Serializer; read: number[] } {
  const json = jsonSerializer();
  const read: number[] = [];
  return {
    read,
    serializer: {
      name: json.name,
      serialize: (v) => json.serialize(v),
      deserialize: (b) => {
        read.push(b.length);
        return json.deserialize(b);
      },
    },
  };
}

function setup(extra: Partial<Parameters<typeof cached>[1]> = {}) {
  const { repo, calls } = notes([note('a'), note('b')]);
  const kp = keyPrefix();
  const { serializer, read } = measuredJson();
  const measured = measuredStore(shared.redis);
  const { store, handed, close } = measured;
  shared.onClose(close);
  const errors: CacheError[] = [];
  const cache = cached<NoteT>(repo, {
    store,
    serializer,
    keyPrefix: kp,
    storeTimeoutMs: 5000,
    secondDeleteMs: 0,
    onError: (e) => errors.push(e),
    ...extra,
  });
  shared.onClose(() => cache.close());
  const keyOf = async (what: string) => (await shared.redis.keys(`${kp}*:${what}`))[0]!;
  return { cache, calls, read, handed, measured, errors, keyOf, kp };
}

const reasons = (errors: CacheError[]) =>
  errors.map((e) => (e instanceof CacheDecodeError ? e.reason : e.name));

describe('size limit per entry', () => {
  it('a 30 MB entry is not transferred, not parsed, and is replaced by the real value', async () => {
    const { cache, calls, read, handed, errors, keyOf } = setup();
    await cache.getById('a');
    const key = await keyOf('e:s:a');
    // Well-formed and filled under the current tokens: it would be served if it were read.
    const { header } = split(envelopeOf((await shared.redis.getBuffer(key))!));
    const junk = `${header}${JSON.stringify({ ...note('a'), title: 'x'.repeat(30 * MB) })}`;
    await shared.redis.set(key, junk);
    expect(await cache.getById('a')).toEqual(note('a'));
    expect(calls.getById).toBe(2);
    expect(Math.max(...read)).toBeLessThan(MB);
    expect(Math.max(...handed)).toBeLessThan(MB);
    expect(await shared.redis.strlen(key)).toBeLessThan(1000);
    expect(reasons(errors)).toEqual(['oversized']);
    expect(cache.metrics().dropped).toBe(1);
    await cache.getById('a');
    expect(calls.getById).toBe(2);
  });

  it('an oversized entry is deleted even when nothing is filled in its place', async () => {
    const { cache, keyOf, errors } = setup({ negativeTtlMs: 0 });
    await cache.getById('a');
    const key = (await keyOf('e:s:a')).replace(/:e:s:a$/, ':e:s:zz');
    await shared.redis.set(key, Buffer.alloc(30 * MB, 0x41));
    expect(await cache.getById('zz')).toBeUndefined();
    expect(await shared.redis.exists(key)).toBe(0);
    expect(reasons(errors)).toEqual(['oversized']);
  });

  it('the limit follows maxValueBytes (plus a header), on getById and getMany', async () => {
    const { cache, calls, handed, keyOf, errors } = setup({ maxValueBytes: 1000 });
    await cache.getMany(['a', 'b']);
    const [keyA, keyB] = [await keyOf('e:s:a'), await keyOf('e:s:b')];
    const big = Buffer.alloc(1000 + 4096 + 48 + 1, 0x41);
    await shared.redis.set(keyA, big);
    await shared.redis.set(keyB, big);
    expect(await cache.getById('a')).toEqual(note('a'));
    expect((await cache.getMany(['a', 'b'])).map((x) => x.id)).toEqual(['a', 'b']);
    expect(Math.max(...handed)).toBeLessThan(1000);
    expect(reasons(errors)).toEqual(['oversized', 'oversized']);
    expect(calls.getById).toBe(1);
    expect(calls.getMany).toBe(2);
  });

  it('a key of another type is dropped too', async () => {
    const { cache, keyOf, errors } = setup();
    await cache.getById('a');
    const key = await keyOf('e:s:a');
    await shared.redis.del(key);
    await shared.redis.hset(key, 'f', 'x'.repeat(1000));
    expect(await cache.getById('a')).toEqual(note('a'));
    expect(await shared.redis.type(key)).toBe('string');
    expect(reasons(errors)).toEqual(['oversized']);
  });
});

describe('sizeCheckedReads: false (plain MGET reads)', () => {
  it('hits read without a size limit; an oversized entry is transferred once, refused and replaced', async () => {
    const t = setup({ sizeCheckedReads: false, maxValueBytes: 1000 });
    const { measured } = t;
    await t.cache.getMany(['a', 'b']);
    measured.limits.length = 0;
    expect(await t.cache.getById('a')).toEqual(note('a'));
    expect((await t.cache.getMany(['a', 'b'])).map((x) => x.id)).toEqual(['a', 'b']);
    expect(measured.limits).toEqual([undefined, undefined]);
    const [keyA, keyB] = [await t.keyOf('e:s:a'), await t.keyOf('e:s:b')];
    const big = Buffer.alloc(1000 + 4096 + 48 + 1, 0x41);
    await shared.redis.set(keyA, big);
    await shared.redis.set(keyB, big);
    expect(await t.cache.getById('a')).toEqual(note('a'));
    expect((await t.cache.getMany(['a', 'b'])).map((x) => x.id)).toEqual(['a', 'b']);
    expect(Math.max(...t.read)).toBeLessThan(1000); // transferred, never parsed
    expect(reasons(t.errors)).toEqual(['oversized', 'oversized']);
    expect(await shared.redis.strlen(keyA)).toBeLessThan(1000);
    expect(t.calls.getById).toBe(1);
    expect(t.calls.getMany).toBe(2);
  });

  it('the default is the size-checked script', async () => {
    const t = setup();
    await t.cache.getById('a');
    await t.cache.getMany(['a', 'b']);
    expect(t.measured.limits.every((l) => typeof l === 'number')).toBe(true);
  });
});

describe('an entry that fails to decode is deleted', () => {
  const bad: [string, string, (header: string) => string][] = [
    ['garbage', 'envelope', () => '\u00ff\u0000|junk'],
    ['an unknown envelope version', 'envelope', (h) => h.replace(/^MC1/, 'MC9')],
    ['bad JSON', 'payload', (h) => `${h}{not json`],
    ['the wrong shape', 'shape', (h) => `${h}${JSON.stringify({ id: 'zz', legacy: true })}`],
  ];
  for (const [name, reason, forge] of bad) {
    it(name, async () => {
      const { cache, keyOf, errors, calls } = setup({ negativeTtlMs: 0 });
      await cache.getById('a');
      const keyA = await keyOf('e:s:a');
      const { header } = split(envelopeOf((await shared.redis.getBuffer(keyA))!));
      // Under an id the repository does not have: no fill will overwrite it, so only the
      // delete removes it. (The epoch is shared; the per-item token is absent for both.)
      const key = keyA.replace(/:e:s:a$/, ':e:s:zz');
      await shared.redis.set(key, forge(header), 'EX', 3600);
      expect(await cache.getById('zz')).toBeUndefined();
      expect(await shared.redis.exists(key)).toBe(0);
      expect(reasons(errors)).toEqual([reason]);
      expect(calls.getById).toBe(2);
    });
  }
});

describe('a generation key holding junk is replaced by a fresh token', () => {
  for (const [name, junk] of [
    ['separators', 'bad|token,x'],
    ['30 MB', 'y'.repeat(30 * MB)],
  ] as const) {
    it(name, async () => {
      const { cache, calls, keyOf, errors, handed } = setup();
      await cache.getById('a');
      const ig = (await keyOf('e:s:a')).replace(/:e:s:a$/, ':ig:s:a');
      await shared.redis.set(ig, junk);
      expect(await cache.getById('a')).toEqual(note('a'));
      expect(await shared.redis.get(ig)).toMatch(/^[\w.-]{1,64}$/);
      expect(reasons(errors)).toEqual(['token']);
      expect(Math.max(...handed)).toBeLessThan(MB);
      // Self-healing: one more miss fills under the fresh token, then hits.
      await cache.getById('a');
      const loads = calls.getById;
      await cache.getById('a');
      expect(calls.getById).toBe(loads);
    });
  }

  it('the epoch too (getMany)', async () => {
    const { cache, calls, keyOf } = setup();
    await cache.getMany(['a', 'b']);
    const epoch = (await keyOf('e:s:a')).replace(/:e:s:a$/, ':epoch');
    await shared.redis.set(epoch, 'x|y,z'); // would corrupt every header it is written into
    expect((await cache.getMany(['a', 'b'])).map((x) => x.id)).toEqual(['a', 'b']);
    await cache.getMany(['a', 'b']);
    const loads = calls.getMany;
    await cache.getMany(['a', 'b']);
    expect(calls.getMany).toBe(loads);
  });
});

describe('forged invalidation messages cost at most L1 misses', () => {
  it('garbage, wrong shapes and huge messages: no crash, L1 dropped, real invalidations still flow', async () => {
    const { repo, calls } = notes([note('a')]);
    const kp = keyPrefix();
    const errors: CacheError[] = [];
    const make = () => {
      const store = redisStore(shared.redis);
      const cache = cached<NoteT>(repo, {
        store,
        keyPrefix: kp,
        storeTimeoutMs: 2000,
        secondDeleteMs: 0,
        l1: { ttlMs: 60_000 },
        onError: (e) => errors.push(e),
      });
      shared.onClose(async () => {
        await cache.close();
        await store.close();
      });
      return cache;
    };
    const reader = make();
    const writer = make();
    await Promise.all([reader.ready(), writer.ready()]);
    const channel = (await shared.redis.pubsub('CHANNELS', `${kp}*`))[0] as string;
    const forged = ['null', '{"k":5}', '[1]', 'garbage', '{"a":2}', '{"k":["x"],"z":1}'];
    forged.push(JSON.stringify({ k: ['x'.repeat(2 * MB)] })); // well-formed, too large to parse
    for (const message of forged) {
      await reader.getById('a');
      await reader.getById('a');
      const l1Hits = reader.metrics().l1Hits;
      await shared.redis.publish(channel, message);
      await until(() => errors.length >= 2 * forged.indexOf(message) + 2);
      await reader.getById('a'); // not from L1: the junk message dropped it
      expect(reader.metrics().l1Hits).toBe(l1Hits);
    }
    expect(reasons(errors).every((r) => r === 'message')).toBe(true);
    // Still coherent: a real write on another instance reaches the reader's L1.
    const updated = await writer.update({ ...note('a'), title: 'new' });
    await until(async () => (await reader.getById('a'))?.title === 'new', 5000);
    expect(await reader.getById('a')).toEqual(updated);
    expect(calls.update).toBe(1);
  });
});

describe('both stores answer a size-limited read alike', () => {
  it('a value, a value over the limit (its size), an absent key', async () => {
    const kp = keyPrefix();
    const memory = memoryStore();
    const redisS = redisStore(shared.redis);
    const small = Buffer.from('abc');
    const large = Buffer.alloc(2000, 0x41);
    memory.setRaw(`${kp}:small`, small);
    memory.setRaw(`${kp}:large`, large);
    await shared.redis.set(`${kp}:small`, small);
    await shared.redis.set(`${kp}:large`, large);
    const keys = [`${kp}:small`, `${kp}:large`, `${kp}:absent`];
    const answers = await Promise.all([memory.get(keys, 1000), redisS.get(keys, 1000)]);
    for (const got of answers) {
      expect(Buffer.from(got[0] as Uint8Array).toString()).toBe('abc');
      expect(got.slice(1)).toEqual([2000, null]);
    }
    // Without a limit, both return everything (as before).
    const unlimited = await Promise.all([memory.get(keys), redisS.get(keys)]);
    for (const got of unlimited) expect((got[1] as Uint8Array).length).toBe(2000);
  });
});
