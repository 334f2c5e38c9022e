/**
 * The Redis limiter on an ioredis `Cluster`: a throw-away three-master cluster (redis-servers on
 * free ports, `redis-cli --cluster create`), torn down afterwards. A bucket is one key, so the
 * script runs on whichever master owns that key's slot; every master gets buckets, each limits.
 */
import { redisRateLimiter } from '@mystira/resilience';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { useRedisCluster } from '../../../test-support/throwaway-redis-cluster.js';

const redisCluster = useRedisCluster();

it('limits buckets on every master, each key in its own slot', async () => {
  const limiter = redisRateLimiter({
    redis: redisCluster.client,
    capacity: 3,
    refillPerSecond: 0.001,
    timeoutMs: 2_000,
    onStoreError: 'deny', // a routing error must fail the test, not pass as "allowed"
  });
  const keys = Array.from({ length: 30 }, (_, i) => `caller-${i}`);
  for (const key of keys) {
    expect((await limiter.take(key, 2)).allowed).toBe(true);
    expect(await limiter.take(key)).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await limiter.take(key);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(990_000); // a token every 1 000 s, real time
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000_000);
  }
  const perNode = await Promise.all(
    redisCluster.nodes.map(async (n) => {
      const direct = new Redis({ port: n.port, host: '127.0.0.1' });
      try {
        return await direct.dbsize();
      } finally {
        direct.disconnect();
      }
    }),
  );
  expect(perNode.reduce((a, b) => a + b, 0)).toBe(keys.length);
  for (const count of perNode) expect(count).toBeGreaterThan(0);
}, 20_000);
