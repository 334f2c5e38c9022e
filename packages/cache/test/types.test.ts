// Type-level tests, checked by `tsc -p packages/cache/tsconfig.json`; nothing here connects to
// Redis. Issue 18: `cached(memoryRepository(Product), …)` (the README's example) did not compile
// for a user, and the package's types imported ioredis, an optional peer.
import {
  type CachedRepository,
  cached,
  memoryStore,
  type RedisStore,
  type RedisStoreClient,
  type RedisSubscriberConnection,
  redisStore,
} from '@mystira/cache';
import { memoryRepository, type Repository } from '@mystira/repository';
import { entity, field, type Infer } from '@mystira/specification';
import type { Cluster, Redis } from 'ioredis';
import { describe, expect, expectTypeOf, it } from 'vitest';

const Product = entity(
  'products',
  { id: field.string(), version: field.number(), name: field.string(), price: field.number() },
  { id: 'id', version: 'version' },
);
type ProductT = Infer<typeof Product>;

describe('cached: item types', () => {
  it('keeps the item type the repository factory inferred', async () => {
    const products = cached(memoryRepository(Product), { store: memoryStore() });
    expectTypeOf(products).toEqualTypeOf<CachedRepository<ProductT>>();
    expectTypeOf(products).toExtend<Repository<ProductT>>();
    // What the README example does with it: a typed item, and a typed read back.
    const added = await products.add({ id: 'p1', version: 1, name: 'Lamp', price: 20 });
    expectTypeOf(added).toEqualTypeOf<ProductT>();
    const hit = await products.getById('p1');
    expectTypeOf(hit).toEqualTypeOf<ProductT | undefined>();
    await products.update({ ...hit!, price: 25 });
    // @ts-expect-error price is a number
    await expect(products.add({ id: 'p2', version: 1, name: 'Pen', price: '1' })).rejects.toThrow();
    await products.close();
  });
});

describe('redisStore: ioredis clients without importing ioredis types', () => {
  it('takes an ioredis Redis or Cluster as it is and keeps its type', () => {
    expectTypeOf<Redis>().toExtend<RedisStoreClient>();
    expectTypeOf<Cluster>().toExtend<RedisStoreClient>();
    expectTypeOf<Redis>().toExtend<RedisSubscriberConnection>();
    expectTypeOf<Cluster>().toExtend<RedisSubscriberConnection>();
    const onRedis = (client: Redis, subscriber: Redis) => redisStore(client, { subscriber });
    const onCluster = (client: Cluster) => redisStore(client);
    expectTypeOf(onRedis).returns.toEqualTypeOf<RedisStore<Redis>>();
    expectTypeOf(onCluster).returns.toEqualTypeOf<RedisStore<Cluster>>();
    expectTypeOf<RedisStore<Redis>['client']>().toEqualTypeOf<Redis>();
    // Not any client: something without the commands the store sends is refused.
    // @ts-expect-error not a Redis client
    expectTypeOf(redisStore).toBeCallableWith({ ping: async () => 'PONG', status: 'ready' });
  });
});
