/**
 * The Redis store on an ioredis `Cluster`: a throw-away three-master cluster (redis-servers on free
 * ports, `redis-cli --cluster create`), torn down afterwards. Every key of one entity carries the
 * `{entity}` hash tag, so MGET, the fill script and MULTI stay in one slot; entities land on
 * different masters. The conformance kit (every spec cached) and L1 pub/sub run through it.
 */
import { type CachedRepository, cached, type KeyCache, keyCache, redisStore } from '@mystira/cache';
import { memoryRepository, type Repository } from '@mystira/repository';
import { type ConformanceItemT, repositoryConformance } from '@mystira/repository/testing';
import { spec } from '@mystira/specification';
import { describe, expect, it } from 'vitest';
import { useRedisCluster } from '../../../test-support/throwaway-redis-cluster.js';
import { hinted, Note, type NoteT, note, notes, until } from './helpers.js';

const redisCluster = useRedisCluster();

describe('Cluster: conformance kit, every spec cached', () => {
  type Item = ConformanceItemT;
  const open = new Map<
    Repository<Item>,
    { cache: CachedRepository<Item>; close: () => Promise<void> }
  >();
  let n = 0;
  const cases = repositoryConformance({
    largeCount: 300,
    create: (entity) => {
      const store = redisStore(redisCluster.client);
      const cache = cached(memoryRepository<Item>(entity), {
        store,
        keyPrefix: `kit${n++}`,
        storeTimeoutMs: 2000,
      });
      const outer = hinted(cache, []);
      open.set(outer, {
        cache,
        close: async () => {
          await cache.close();
          await store.close();
        },
      });
      return outer;
    },
    dispose: async (outer) => {
      const e = open.get(outer)!;
      expect(e.cache.metrics().errors).toBe(0);
      await e.close();
    },
  });
  for (const c of cases) it(c.name, c.run, 30_000);
});

describe('Cluster specifics', () => {
  it('hits, guarded fills, invalidation and L1 pub/sub work across masters', async () => {
    const { repo, calls } = notes([note('a'), note('b')]);
    const stores = [redisStore(redisCluster.client), redisStore(redisCluster.client)];
    const [a, b] = stores.map((store) =>
      cached<NoteT>(repo, { store, storeTimeoutMs: 2000, l1: true, secondDeleteMs: 0 }),
    ) as [CachedRepository<NoteT>, CachedRepository<NoteT>];
    try {
      await Promise.all([a.ready(), b.ready()]);
      expect((await b.getMany(['a', 'b'])).length).toBe(2);
      await b.getById('a');
      expect(b.metrics().errors).toBe(0);
      expect(calls.getMany).toBe(1);
      const q = spec(Note).cache({ ttl: 60_000 });
      expect((await b.list(q)).length).toBe(2);
      const written = await a.update({ ...note('a'), title: 'cluster' });
      await until(async () => (await b.getById('a'))?.title === 'cluster', 5000);
      expect(await b.getById('a')).toEqual(written);
      await a.add(note('c'));
      await until(async () => (await b.list(q)).length === 3, 5000);
      // All keys of the entity share one slot (the {cache_notes} hash tag).
      const slots = new Set<number>();
      for (const node of redisCluster.client.nodes('master')) {
        for (const key of await node.keys('mystira:cache:{cache_notes}*')) {
          slots.add(Number(await node.cluster('KEYSLOT', key)));
        }
      }
      expect(slots.size).toBe(1);
    } finally {
      for (const c of [a, b]) await c.close();
      for (const s of stores) await s.close();
    }
  }, 30_000);

  it('the key cache: getOrSet, invalidation by key, tag and prefix, and namespaces across masters', async () => {
    const stores = [redisStore(redisCluster.client), redisStore(redisCluster.client)];
    const [a, b] = stores.map((store) =>
      keyCache({ store, keyPrefix: 'kc', storeTimeoutMs: 2000, l1: true, secondDeleteMs: 0 }),
    ) as [KeyCache, KeyCache];
    try {
      await Promise.all([a.ready(), b.ready()]);
      let runs = 0;
      const f = async () => ++runs;
      const all = await Promise.all([
        a.getOrSet('board:1', f, { tags: ['boards'] }),
        b.getOrSet('board:1', f, { tags: ['boards'] }),
      ]);
      expect(all).toEqual([1, 1]);
      await a.invalidateTags(['boards']);
      await until(async () => (await b.getOrSet('board:1', f, { tags: ['boards'] })) === 2, 5000);
      await a.invalidatePrefix('board');
      await until(async () => (await b.getOrSet('board:1', f, { tags: ['boards'] })) === 3, 5000);
      const users = [a.namespace('users'), b.namespace('users')] as const;
      await Promise.all(users.map((u) => u.ready()));
      await users[0].set('42', 'ann');
      expect(await users[1].get('42')).toBe('ann');
      expect(a.metrics().errors + b.metrics().errors).toBe(0);
      // Every key of one namespace shares one slot (the {kv:<namespace>} hash tag).
      for (const ns of ['default', 'default/users']) {
        const slots = new Set<number>();
        for (const node of redisCluster.client.nodes('master')) {
          for (const key of await node.keys(`kc:{kv:${ns}}*`))
            slots.add(Number(await node.cluster('KEYSLOT', key)));
        }
        expect(slots.size, ns).toBe(1);
      }
    } finally {
      for (const c of [a, b]) await c.close();
      for (const s of stores) await s.close();
    }
  }, 30_000);
});
