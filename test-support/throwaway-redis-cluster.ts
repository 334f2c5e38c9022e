/**
 * A throw-away three-master Redis Cluster for tests: redis-servers on free ports (ThrowawayRedis),
 * joined by `redis-cli --cluster create`, and an ioredis `Cluster` client that `start()` returns
 * once the cluster reports `cluster_state:ok`. `stop()` disconnects, stops the servers and removes
 * their folder. Only the processes started here are ever signalled. `useRedisCluster()` does
 * both around a test file's tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { ThrowawayRedis } from './throwaway-redis.js';

export class ThrowawayRedisCluster {
  readonly nodes = [new ThrowawayRedis(), new ThrowawayRedis(), new ThrowawayRedis()];
  #dir: string | undefined;
  #client: Cluster | undefined;

  /** The client `start()` returned; throws before that. */
  get client(): Cluster {
    if (!this.#client) throw new Error('the Redis Cluster is not started');
    return this.#client;
  }

  async start(): Promise<Cluster> {
    const dir = mkdtempSync(join(tmpdir(), 'mystira-redis-cluster-'));
    this.#dir = dir;
    for (const [i, node] of this.nodes.entries()) {
      node.args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`];
      node.args.push('--dir', dir);
      await node.start();
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...this.nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0)
      throw new Error(`cluster create failed: ${create.stdout}${create.stderr}`);
    const client = new Cluster(
      this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } },
    );
    this.#client = client;
    client.on('error', () => {});
    const deadline = Date.now() + 30_000;
    for (;;) {
      const info =
        client.status === 'ready' ? String(await client.cluster('INFO').catch(() => '')) : '';
      if (info.includes('cluster_state:ok')) return client;
      if (Date.now() > deadline) throw new Error('cluster not ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    this.#client?.disconnect();
    for (const n of this.nodes) await n.stop();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * A throw-away cluster for the tests of the calling file: started before all of them (forming it
 * takes seconds, so the hook may take a minute), stopped after all of them.
 */
export function useRedisCluster(): ThrowawayRedisCluster {
  const redisCluster = new ThrowawayRedisCluster();
  beforeAll(async () => {
    await redisCluster.start();
  }, 60_000);
  afterAll(() => redisCluster.stop());
  return redisCluster;
}
