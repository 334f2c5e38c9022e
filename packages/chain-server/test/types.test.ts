// Type-level tests, checked by `tsc -p packages/chain-server/tsconfig.json`; nothing here connects
// to Redis. Issue 18: the package's types imported ioredis, an optional peer, so a user without it
// (and with skipLibCheck off) could not compile; now they declare the commands the store sends.
import {
  type IdempotencyRedis,
  RedisIdempotencyStore,
  type RedisIdempotencyStoreOptions,
} from '@mystira/chain-server';
import type { Cluster, Redis } from 'ioredis';
import { describe, expect, expectTypeOf, it } from 'vitest';

describe('RedisIdempotencyStore: ioredis clients without importing ioredis types', () => {
  it('takes an ioredis Redis or Cluster as it is', () => {
    expectTypeOf<Redis>().toExtend<IdempotencyRedis>();
    expectTypeOf<Cluster>().toExtend<IdempotencyRedis>();
    expectTypeOf<{ redis: Redis }>().toExtend<RedisIdempotencyStoreOptions>();
    // A client that only answers GET is refused.
    expectTypeOf<{ get(key: string): Promise<string | null> }>().not.toExtend<IdempotencyRedis>();
    // Nothing is sent until a request comes in.
    const redis = {} as Redis;
    expect(new RedisIdempotencyStore({ redis, prefix: 'types:' })).toBeInstanceOf(
      RedisIdempotencyStore,
    );
  });
});
