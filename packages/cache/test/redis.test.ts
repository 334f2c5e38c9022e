/**
 * Against the shared Redis (127.0.0.1:6379), under a key prefix unique to this file (deleted in
 * afterAll): stampede protection in one process and across instances (the Redis lock), L1
 * coherence by pub/sub, bad bytes in Redis, and the fill guard closing the read-during-write race.
 */
import type { cached } from '@mystira/cache';
import { UnavailableError } from '@mystira/repository';
import { spec } from '@mystira/specification';
import { describe, expect, it } from 'vitest';
import { Note, note, notes, until } from './helpers.js';
import { sharedRedis } from './support/shared-redis.js';

const shared = sharedRedis('redis');
const keyPrefix = () => shared.keyPrefix();
const instance = (
  repo: ReturnType<typeof notes>['repo'],
  kp: string,
  extra: Partial<Parameters<typeof cached>[1]> = {},
) => shared.cached(repo, kp, extra).cache;

describe('stampede', () => {
  it('1,000 concurrent getById on a cold key: 1 repository load', async () => {
    const { repo, calls, state } = notes([note('hot')]);
    state.delayMs = 50;
    const cache = instance(repo, keyPrefix());
    const got = await Promise.all(Array.from({ length: 1000 }, () => cache.getById('hot')));
    expect(got.every((g) => g?.id === 'hot')).toBe(true);
    expect(calls.getById).toBe(1);
    expect(cache.metrics()).toMatchObject({ misses: 1000, loads: 1, coalesced: 999 });
    await cache.getById('hot');
    expect(cache.metrics().hits).toBe(1);
  });

  it('across instances, the Redis lock makes the others wait for the one fill', async () => {
    const { repo, calls, state } = notes([note('hot')]);
    state.delayMs = 100;
    const kp = keyPrefix();
    const lock = { ttlMs: 2000, waitMs: 1500, pollMs: 10 };
    const caches = [0, 1, 2, 3].map(() => instance(repo, kp, { lock }));
    const got = await Promise.all(
      caches.flatMap((c) => Array.from({ length: 25 }, () => c.getById('hot'))),
    );
    expect(got.every((g) => g?.id === 'hot')).toBe(true);
    expect(calls.getById).toBe(1);
  });

  it('without the lock, each instance loads once (single-flight is per process)', async () => {
    const { repo, calls, state } = notes([note('hot')]);
    state.delayMs = 50;
    const kp = keyPrefix();
    const caches = [0, 1, 2].map(() => instance(repo, kp));
    await Promise.all(caches.flatMap((c) => Array.from({ length: 20 }, () => c.getById('hot'))));
    expect(calls.getById).toBe(3);
  });

  it('a lock holder that never fills: waiters give up after waitMs and load themselves', async () => {
    const { repo, calls } = notes([note('a')]);
    const kp = keyPrefix();
    const cache = instance(repo, kp, { lock: { waitMs: 100, pollMs: 10 } });
    await cache.getById('a');
    const realKey = (await shared.redis.keys(`${kp}*:e:s:a`))[0]!;
    await cache.invalidate(['a']);
    // Someone else holds the lock of this key and dies without filling.
    await shared.redis.set(`${realKey}:lock`, 'someone', 'PX', 5000);
    expect((await cache.getById('a'))?.id).toBe('a');
    expect(calls.getById).toBe(2);
  });
});

describe('L1 kept coherent by pub/sub', () => {
  it('a write on one instance removes the entry from the other instance\u2019s L1', async () => {
    const { repo, calls } = notes([note('a')]);
    const kp = keyPrefix();
    const a = instance(repo, kp, { l1: { ttlMs: 60_000 } });
    const b = instance(repo, kp, { l1: { ttlMs: 60_000 } });
    await Promise.all([a.ready(), b.ready()]);
    await b.getById('a');
    await b.getById('a');
    expect(b.metrics().l1Hits).toBe(1);
    const updated = await a.update({ ...note('a'), title: 'from a' });
    await until(async () => (await b.getById('a'))?.title === 'from a', 5000);
    expect(await b.getById('a')).toEqual(updated);
    expect(calls.getById).toBeGreaterThanOrEqual(2);
    // Queries too.
    const q = spec(Note).cache({ ttl: 60_000 });
    expect((await b.list(q)).length).toBe(1);
    await a.add(note('b'));
    await until(async () => (await b.list(q)).length === 2, 5000);
  });
});

describe('cold start and L1', () => {
  it('concurrent cold reads of different keys all fill: the first read creates the generation key', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `n${i}`);
    const { repo, calls } = notes(ids.map((id) => note(id)));
    const cache = instance(repo, keyPrefix(), { l1: { ttlMs: 300 } });
    await cache.ready();
    const readAll = () => Promise.all(ids.map((id) => cache.getById(id)));
    // Had each fill created the entity's generation key, all but the first would be refused.
    await readAll();
    expect(cache.metrics()).toMatchObject({ fills: ids.length, fillsRejected: 0 });
    await readAll();
    expect(cache.metrics().l1Hits).toBe(ids.length);
    // L1 expired: every value is in Redis, none is loaded again.
    await new Promise((r) => setTimeout(r, 400));
    await readAll();
    expect(calls.getById).toBe(ids.length);
  });

  it('L1 keeps only what Redis took: a load past the fill window is in neither', async () => {
    const { repo, calls, state } = notes([note('slow')]);
    state.delayMs = 60;
    const cache = instance(repo, keyPrefix(), { l1: { ttlMs: 60_000 }, fillWindowMs: 10 });
    await cache.ready();
    await cache.getById('slow');
    expect(cache.metrics().fills).toBe(0);
    // Not served from L1 either (a value older than the fill window may predate a write).
    await cache.getById('slow');
    expect(cache.metrics().l1Hits).toBe(0);
    expect(calls.getById).toBe(2);
  });
});

describe('bad data in Redis', () => {
  it('garbage bytes and an old shape under the key are misses, never errors, and get overwritten', async () => {
    const { repo, calls } = notes([note('a')]);
    const kp = keyPrefix();
    const errors: Error[] = [];
    const cache = instance(repo, kp, { onError: (e) => errors.push(e) });
    await cache.getById('a');
    const key = (await shared.redis.keys(`${kp}*:e:s:a`))[0]!;
    await shared.redis.set(key, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x7c, 0x00]));
    expect((await cache.getById('a'))?.title).toBe('note a');
    const good = (await shared.redis.getBuffer(key))!.toString();
    await shared.redis.set(
      key,
      good.replace(/\{.*\}$/, JSON.stringify({ id: 'a', legacyName: 'x' })),
    );
    expect((await cache.getById('a'))?.title).toBe('note a');
    expect(calls.getById).toBe(3);
    expect(errors.map((e) => e.name)).toEqual(['CacheDecodeError', 'CacheDecodeError']);
    await cache.getById('a');
    expect(calls.getById).toBe(3);
  });
});

describe('the read-during-write race', () => {
  it('a slow read that loaded the old row cannot fill it after the write invalidated', async () => {
    const { repo, state, calls } = notes([note('a')]);
    const kp = keyPrefix();
    const reader = instance(repo, kp);
    const writer = instance(repo, kp);
    let release!: () => void;
    state.gate = new Promise((r) => {
      release = r;
    });
    const slow = reader.getById('a'); // reads the generation tokens, then waits at the gate
    await until(() => calls.getById === 1);
    // The load reads the old row before the write commits...
    const oldRow = { ...note('a') };
    state.gate = null;
    const written = await writer.update({ ...note('a'), title: 'new' });
    release();
    const loaded = await slow;
    // ...(the memory repo answers at release time, so it may already see the new row; either way)
    expect([oldRow.title, 'new']).toContain(loaded?.title);
    expect(reader.metrics().fillsRejected).toBe(1);
    expect(await reader.getById('a')).toEqual(written);
    expect(await writer.getById('a')).toEqual(written);
  });
});

describe('grace mode on Redis', () => {
  it('an expired value is kept for graceMs and served only when the repository fails transiently', async () => {
    let now = Date.now();
    const { repo, state } = notes([note('a')]);
    const cache = instance(repo, keyPrefix(), {
      ttlMs: 1000,
      jitter: 0,
      graceMs: 60_000,
      now: () => now,
    });
    await cache.getById('a');
    now += 5_000; // past the TTL; Redis keeps the key for the grace period
    state.fail = new UnavailableError('database failover');
    expect((await cache.getById('a'))?.id).toBe('a');
    expect(cache.metrics().graceHits).toBe(1);
    state.fail = null;
    expect((await cache.getById('a'))?.id).toBe('a');
  });
});
