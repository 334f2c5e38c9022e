/**
 * Signed entries (`signingKeys`) against the shared Redis: entries someone else wrote — unsigned,
 * signed with another key, signed for another key, altered — are never served; the repository
 * answers, the entry is deleted or overwritten, and it is reported. A forged "not found" cannot
 * hide an existing item from getById, getMany or a read-then-update. Keys rotate without a cold
 * cache. Without keys, entries are written as before.
 */
import { randomBytes } from 'node:crypto';
import { CacheDecodeError, CacheOptionsError, cached, redisStore } from '@mystira/cache';
import { spec } from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeOf, rewrite, sign } from './forge.js';
import { Note, note, notes } from './helpers.js';
import { sharedRedis } from './support/shared-redis.js';

const shared = sharedRedis('signing');
const keyPrefix = () => shared.keyPrefix();
const instance = shared.cached;

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32);
const WRONG = randomBytes(32).toString('base64');

/** A filled cache for items a and b, and the Redis keys and entries of both. */
async function filled(signingKeys?: (string | Buffer)[]) {
  const { repo, calls } = notes([note('a'), note('b')]);
  const kp = keyPrefix();
  const { cache, errors } = instance(repo, kp, signingKeys ? { signingKeys } : {});
  await cache.getMany(['a', 'b']);
  const keyA = (await shared.redis.keys(`${kp}*:e:s:a`))[0]!;
  const keyB = (await shared.redis.keys(`${kp}*:e:s:b`))[0]!;
  const entryA = (await shared.redis.getBuffer(keyA))!;
  const entryB = (await shared.redis.getBuffer(keyB))!;
  return { repo, calls, kp, cache, errors, keyA, keyB, entryA, entryB };
}

const forgedTitle = (id: string) => JSON.stringify({ ...note(id), title: 'forged' });

describe('a forged entry is not served; the repository is, and the entry is replaced', () => {
  const forgeries: [string, (f: Awaited<ReturnType<typeof filled>>) => Buffer][] = [
    ['unsigned', (f) => rewrite(envelopeOf(f.entryA), forgedTitle('a'))],
    [
      'signed with a wrong key',
      (f) => sign(WRONG, f.keyA, rewrite(envelopeOf(f.entryA), forgedTitle('a'))),
    ],
    // b's genuine entry under a's key: same generation tokens (the epoch, no per-item token yet),
    // so only the key the signature binds tells them apart.
    ['signed for another key', (f) => f.entryB],
    [
      'a tampered byte',
      (f) => {
        const bytes = Buffer.from(f.entryA);
        const at = bytes.lastIndexOf('note a');
        bytes[at] = bytes[at]! ^ 0x20; // "note a" -> "Note a"
        return bytes;
      },
    ],
  ];
  for (const [name, forge] of forgeries) {
    it(name, async () => {
      const f = await filled([K1]);
      expect(f.calls.getMany).toBe(1);
      await shared.redis.set(f.keyA, forge(f));
      expect(await f.cache.getById('a')).toEqual(note('a'));
      expect(f.calls.getById).toBe(1);
      expect(f.errors).toHaveLength(1);
      expect(f.errors[0]).toBeInstanceOf(CacheDecodeError);
      expect((f.errors[0] as CacheDecodeError).reason).toBe('signature');
      expect(f.cache.metrics()).toMatchObject({ forged: 1, dropped: 1 });
      // Replaced by a genuine entry: the next read is a hit.
      expect((await shared.redis.getBuffer(f.keyA))!.subarray(0, 4).toString()).toBe('MS1|');
      expect(await f.cache.getById('a')).toEqual(note('a'));
      expect(f.calls.getById).toBe(1);
    });
  }

  it('positive controls: the same forgeries are served without keys, or with the right key', async () => {
    const open = await filled();
    await shared.redis.set(open.keyA, rewrite(envelopeOf(open.entryA), forgedTitle('a')));
    expect((await open.cache.getById('a'))?.title).toBe('forged');
    await shared.redis.set(open.keyA, open.entryB);
    expect((await open.cache.getById('a'))?.id).toBe('b');

    const signed = await filled([K1]);
    const envelope = rewrite(envelopeOf(signed.entryA), forgedTitle('a'));
    await shared.redis.set(signed.keyA, sign(K1, signed.keyA, envelope));
    expect((await signed.cache.getById('a'))?.title).toBe('forged');
  });

  it('a forged query result is not served', async () => {
    const { repo, calls } = notes([note('a'), note('b')]);
    const kp = keyPrefix();
    const { cache } = instance(repo, kp, { signingKeys: [K1] });
    const all = spec(Note).orderBy('id').cache({ ttl: 60_000 });
    expect(await cache.list(all)).toHaveLength(2);
    const key = (await shared.redis.keys(`${kp}*:q:list:*`))[0]!;
    const entry = (await shared.redis.getBuffer(key))!;
    const rows = { r: [note('a'), note('b'), note('x')] };
    await shared.redis.set(key, rewrite(envelopeOf(entry), JSON.stringify(rows)));
    expect(await cache.list(all)).toEqual([note('a'), note('b')]);
    expect(calls.list).toBe(2);
  });
});

describe('a forged "not found" does not hide an existing item', () => {
  it('getById, getMany and a read-then-update (the PATCH route) still find it', async () => {
    const f = await filled([K1]);
    const notFound = rewrite(envelopeOf(f.entryA), '', 'n');
    for (const forged of [notFound, sign(WRONG, f.keyA, notFound)]) {
      await shared.redis.set(f.keyA, forged);
      expect(await f.cache.getById('a')).toEqual(note('a'));
      await shared.redis.set(f.keyA, forged);
      expect((await f.cache.getMany(['a', 'b'])).map((x) => x.id)).toEqual(['a', 'b']);
    }
    await shared.redis.set(f.keyA, notFound);
    const current = await f.cache.getById('a');
    expect(current).toBeDefined();
    const updated = await f.cache.update({ ...current!, title: 'patched' });
    expect(await f.cache.getById('a')).toEqual(updated);
    expect(f.errors.every((e) => (e as CacheDecodeError).reason === 'signature')).toBe(true);
  });

  it('positive control: without keys, a forged "not found" hides the item (the default trusts Redis)', async () => {
    const f = await filled();
    await shared.redis.set(f.keyA, rewrite(envelopeOf(f.entryA), '', 'n'));
    expect(await f.cache.getById('a')).toBeUndefined();
  });
});

describe('any tampering of a signed entry is a miss (property)', () => {
  type Tamper =
    | { op: 'flip'; at: number; mask: number }
    | { op: 'truncate'; at: number }
    | { op: 'append'; bytes: Uint8Array }
    | { op: 'insert'; at: number; byte: number }
    | { op: 'remove'; at: number; length: number };
  const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
    fc.record({
      op: fc.constant('flip' as const),
      at: fc.nat(),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      op: fc.constant('append' as const),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), byte: fc.nat(255) }),
    fc.record({
      op: fc.constant('remove' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 8 }),
    }),
  );
  const apply = (entry: Buffer, t: Tamper): Buffer => {
    const b = Buffer.from(entry);
    switch (t.op) {
      case 'flip':
        b[t.at % b.length] = b[t.at % b.length]! ^ t.mask;
        return b;
      case 'truncate':
        return b.subarray(0, t.at % b.length);
      case 'append':
        return Buffer.concat([b, t.bytes]);
      case 'insert': {
        const at = t.at % (b.length + 1);
        return Buffer.concat([b.subarray(0, at), Buffer.of(t.byte), b.subarray(at)]);
      }
      case 'remove': {
        const at = t.at % b.length;
        return Buffer.concat([b.subarray(0, at), b.subarray(at + t.length)]);
      }
    }
  };

  it('flipped, truncated, extended, inserted or removed bytes: never served, the real value is', async () => {
    const f = await filled([K1, K2]);
    let loads = f.calls.getById ?? 0;
    await fc.assert(
      fc.asyncProperty(tamperArb, async (t) => {
        const genuine = (await shared.redis.getBuffer(f.keyA))!;
        await shared.redis.set(f.keyA, apply(genuine, t));
        expect(await f.cache.getById('a')).toEqual(note('a'));
        loads++;
        expect(f.calls.getById).toBe(loads);
        // Refilled with a genuine entry, which is a hit.
        expect(await f.cache.getById('a')).toEqual(note('a'));
        expect(f.calls.getById).toBe(loads);
      }),
      { numRuns: 150 },
    );
    expect(f.errors.every((e) => e instanceof CacheDecodeError)).toBe(true);
  }, 60_000);
});

describe('key rotation', () => {
  it('sign with the first key, accept any: each step of a rotation keeps the cache warm', async () => {
    const { repo, calls } = notes([note('a'), note('b'), note('c')]);
    const kp = keyPrefix();
    const old = instance(repo, kp, { signingKeys: [K1] }).cache;
    await old.getMany(['a', 'b', 'c']);
    expect(calls.getMany).toBe(1);
    // Step 1: every instance learns the new key, still signing with the old one.
    const step1 = instance(repo, kp, { signingKeys: [K1, K2] }).cache;
    expect(await step1.getMany(['a', 'b', 'c'])).toHaveLength(3);
    // Step 2: sign with the new key; entries signed with the old one are still hits.
    const step2 = instance(repo, kp, { signingKeys: [K2, K1] }).cache;
    expect(await step2.getMany(['a', 'b', 'c'])).toHaveLength(3);
    expect(calls.getMany).toBe(1);
    expect(calls.getById ?? 0).toBe(0);
    await step2.invalidate(['a']);
    await step2.getById('a'); // refilled, signed with K2
    expect(calls.getById).toBe(1);
    expect(await step1.getById('a')).toEqual(note('a')); // step-1 instances accept K2
    expect(calls.getById).toBe(1);
    // Step 3 (once old entries expired): the old key is dropped; what it signed is refused.
    const step3 = instance(repo, kp, { signingKeys: [K2] });
    expect(await step3.cache.getById('a')).toEqual(note('a')); // K2: a hit
    expect(calls.getById).toBe(1);
    expect(await step3.cache.getById('b')).toEqual(note('b')); // K1 only: refused
    expect(calls.getById).toBe(2);
    expect(step3.errors.map((e) => (e as CacheDecodeError).reason)).toEqual(['signature']);
  });
});

describe('signing off', () => {
  it('entries are unsigned MC1 envelopes as before; a signed entry is still read', async () => {
    const f = await filled();
    expect(f.entryA.toString('latin1')).toMatch(/^MC1\|json\|v\|\d+\|[\w.-]+,\|\{/);
    // An instance without keys reads what a signing instance wrote (rolling out signing).
    const { repo, calls } = notes([note('a')]);
    const kp = keyPrefix();
    await instance(repo, kp, { signingKeys: [K1] }).cache.getById('a');
    const plain = instance(repo, kp).cache;
    expect(await plain.getById('a')).toEqual(note('a'));
    expect(calls.getById).toBe(1);
    // A signing instance refuses what an instance without keys wrote, once, and re-signs it.
    await plain.invalidate(['a']);
    await plain.getById('a');
    const signing = instance(repo, kp, { signingKeys: [K1] }).cache;
    await signing.getById('a');
    await signing.getById('a');
    await plain.getById('a');
    expect(calls.getById).toBe(3);
  });
});

describe('options', () => {
  it('refuses an empty key list, short keys and non-keys', () => {
    const { repo } = notes();
    const store = redisStore(shared.redis);
    expect(() => cached(repo, { store, signingKeys: [] })).toThrow(CacheOptionsError);
    expect(() => cached(repo, { store, signingKeys: ['short'] })).toThrow(CacheOptionsError);
    expect(() => cached(repo, { store, signingKeys: [K1, randomBytes(31)] })).toThrow(
      CacheOptionsError,
    );
    expect(() => cached(repo, { store, signingKeys: [42 as never] })).toThrow(CacheOptionsError);
  });
});
