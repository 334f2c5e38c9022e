/**
 * The Redis store's size-checked read (the script behind every `cached()` read) on its edges:
 * values that fit, a value over the limit (its size, never its bytes), a key of another type (-1),
 * absent keys (null), an empty string (a value, not an absent key), more keys than one MGET in the
 * script takes, and a Redis that lost the script (SCRIPT FLUSH, on a throw-away server only).
 */
import { redisStore } from '@mystira/cache';
import { describe, expect, it } from 'vitest';
import { connect } from './helpers.js';
import { sharedRedis } from './support/shared-redis.js';
import { throwAwayRedis } from './support/throw-away-redis.js';

const bytesOf = (got: Uint8Array | number | null): string | Uint8Array | number | null =>
  got instanceof Uint8Array ? Buffer.from(got).toString() : got;

describe('size-checked read on the shared Redis', () => {
  const shared = sharedRedis('size-checked-read');

  it('every key fits: the values, in key order, absent keys null', async () => {
    const kp = shared.keyPrefix();
    await shared.redis.set(`${kp}:a`, 'alpha');
    await shared.redis.set(`${kp}:b`, 'b'.repeat(100));
    const got = await redisStore(shared.redis).get([`${kp}:a`, `${kp}:none`, `${kp}:b`], 100);
    expect(got.map(bytesOf)).toEqual(['alpha', null, 'b'.repeat(100)]);
  });

  it('a value one byte over the limit is answered by its size; the others are still read', async () => {
    const kp = shared.keyPrefix();
    await shared.redis.set(`${kp}:small`, 'ok');
    await shared.redis.set(`${kp}:over`, Buffer.alloc(101, 0x41));
    const keys = [`${kp}:small`, `${kp}:over`, `${kp}:none`];
    const got = await redisStore(shared.redis).get(keys, 100);
    expect(got.map(bytesOf)).toEqual(['ok', 101, null]);
  });

  it('a key of another type is -1, never an error; the others are still read', async () => {
    const kp = shared.keyPrefix();
    await shared.redis.hset(`${kp}:hash`, 'f', 'v');
    await shared.redis.rpush(`${kp}:list`, 'x');
    await shared.redis.set(`${kp}:s`, 'value');
    const keys = [`${kp}:hash`, `${kp}:s`, `${kp}:list`, `${kp}:none`];
    const got = await redisStore(shared.redis).get(keys, 100);
    expect(got.map(bytesOf)).toEqual([-1, 'value', -1, null]);
  });

  it('an empty string is a value (empty bytes), not an absent key', async () => {
    const kp = shared.keyPrefix();
    await shared.redis.set(`${kp}:empty`, '');
    const got = await redisStore(shared.redis).get([`${kp}:empty`, `${kp}:none`], 100);
    expect(got.map(bytesOf)).toEqual(['', null]);
  });

  it('more keys than the script reads with one MGET: all answered, sizes still checked', async () => {
    const kp = shared.keyPrefix();
    const keys = Array.from({ length: 1500 }, (_, i) => `${kp}:{k}:${i}`);
    const pipeline = shared.redis.pipeline();
    for (let i = 0; i < keys.length; i += 2) pipeline.set(keys[i]!, `v${i}`);
    await pipeline.exec();
    const store = redisStore(shared.redis);
    const expected: (string | number | null)[] = keys.map((_, i) => (i % 2 === 0 ? `v${i}` : null));
    expect((await store.get(keys, 200)).map(bytesOf)).toEqual(expected);
    await shared.redis.set(keys[1000]!, Buffer.alloc(300, 0x41));
    expected[1000] = 300;
    expect((await store.get(keys, 200)).map(bytesOf)).toEqual(expected);
  });
});

describe('size-checked read on an auto-pipelined client', () => {
  const shared = sharedRedis('size-checked-read-pipelined');

  it('reads alike when ioredis batches the read with other commands of the same tick', async () => {
    const kp = shared.keyPrefix();
    await shared.redis.set(`${kp}:a`, 'alpha');
    await shared.redis.set(`${kp}:over`, Buffer.alloc(101, 0x41));
    const client = await connect(undefined, { enableAutoPipelining: true });
    try {
      const store = redisStore(client);
      const keys = [`${kp}:a`, `${kp}:over`, `${kp}:none`];
      // Reads in one tick: ioredis sends them as one pipeline.
      const reads = await Promise.all([store.get(keys, 100), store.get(keys, 100)]);
      for (const got of reads) expect(got.map(bytesOf)).toEqual(['alpha', 101, null]);
    } finally {
      client.disconnect();
    }
  });
});

describe('size-checked read after Redis lost the script', () => {
  const redis = throwAwayRedis();

  it('SCRIPT FLUSH between reads: the next read loads the script again and answers alike', async () => {
    const store = redisStore(redis.client);
    await redis.client.set('k:a', 'alpha');
    await redis.client.set('k:over', Buffer.alloc(50, 0x41));
    const keys = ['k:a', 'k:over', 'k:none'];
    expect((await store.get(keys, 10)).map(bytesOf)).toEqual(['alpha', 50, null]);
    await redis.client.script('FLUSH');
    await redis.client.config('RESETSTAT');
    expect((await store.get(keys, 10)).map(bytesOf)).toEqual(['alpha', 50, null]);
    expect((await store.get(keys, 10)).map(bytesOf)).toEqual(['alpha', 50, null]);
    // The first read after the flush sent the script once (EVAL), which loaded it again: the
    // second was a plain EVALSHA.
    const stats = await redis.client.info('commandstats');
    expect(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
    expect(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1]).toBe('2');
  });

  it('SCRIPT FLUSH under an auto-pipelined client: loaded again, answered alike', async () => {
    const client = await connect(redis.server.port, { enableAutoPipelining: true });
    try {
      const store = redisStore(client);
      await client.set('p:a', 'alpha');
      expect((await store.get(['p:a', 'p:none'], 10)).map(bytesOf)).toEqual(['alpha', null]);
      await client.script('FLUSH');
      const reads = await Promise.all([store.get(['p:a'], 10), store.get(['p:none'], 10)]);
      expect(reads.map((got) => got.map(bytesOf))).toEqual([['alpha'], [null]]);
    } finally {
      client.disconnect();
    }
  });
});
