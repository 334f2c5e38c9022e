/**
 * The Redis limiter on an ioredis `Cluster`: a throw-away three-master cluster (redis-servers on
 * free ports, `redis-cli --cluster create`), torn down afterwards. A bucket is one key, so the
 * script runs on whichever master owns that key's slot; every master gets buckets, each limits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisRateLimiter } from '@mystira/resilience';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ThrowawayRedis } from '../../../test-support/throwaway-redis.js';

const nodes = [new ThrowawayRedis(), new ThrowawayRedis(), new ThrowawayRedis()];
const dir = mkdtempSync(join(tmpdir(), 'mystira-ratelimit-cluster-'));
let cluster: Cluster;

beforeAll(async () => {
  for (const [i, node] of nodes.entries()) {
    node.args = [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${i}.conf`,
      '--dir',
      dir,
    ];
    await node.start();
  }
  const create = spawnSync(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (create.status !== 0)
    throw new Error(`cluster create failed: ${create.stdout}${create.stderr}`);
  cluster = new Cluster(
    nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } },
  );
  cluster.on('error', () => {});
  const deadline = Date.now() + 30_000;
  for (;;) {
    const info =
      cluster.status === 'ready' ? String(await cluster.cluster('INFO').catch(() => '')) : '';
    if (info.includes('cluster_state:ok')) break;
    if (Date.now() > deadline) throw new Error('cluster not ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 60_000);

afterAll(async () => {
  cluster?.disconnect();
  for (const n of nodes) await n.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('limits buckets on every master, each key in its own slot', async () => {
  const limiter = redisRateLimiter({
    redis: cluster,
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
    nodes.map(async (n) => {
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
