import type { Server } from 'node:http';
import https from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import {
  cosmosCheck,
  createHealthRegistry,
  type HealthCheck,
  postgresCheck,
  redisCheck,
} from '@mystira/health';
import { createHttpsServer as createCosmosServer } from '@vercel/cosmosdb-server';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { close, listen } from './helpers.js';

/** Runs one check through a registry and returns its entry. */
async function runOne(check: HealthCheck) {
  const registry = createHealthRegistry({ defaultTimeoutMs: 3000 });
  registry.register(check);
  const report = await registry.run();
  return report.checks[0]!;
}

describe('postgresCheck (real PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  const pool = (connectionString: string) => {
    const p = new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 2000 });
    p.on('error', () => {});
    pools.push(p);
    return p;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('is healthy against the running server', async () => {
    const entry = await runOne(postgresCheck(pool('postgres://postgres@127.0.0.1:5432/test')));
    expect(entry).toMatchObject({ name: 'postgres', status: 'healthy' });
  });

  it('is unhealthy, with the driver error, when nothing listens', async () => {
    const port = await freePort();
    const entry = await runOne(
      postgresCheck(pool(`postgres://postgres@127.0.0.1:${port}/test`), { name: 'pg-down' }),
    );
    expect(entry).toMatchObject({
      name: 'pg-down',
      status: 'unhealthy',
      error: { code: 'ECONNREFUSED' },
    });
  });

  it('is unhealthy when the database does not exist', async () => {
    const entry = await runOne(
      postgresCheck(pool('postgres://postgres@127.0.0.1:5432/no_such_database_xyz')),
    );
    expect(entry).toMatchObject({ status: 'unhealthy', error: { code: '3D000' } });
  });
});

describe('redisCheck (real Redis)', () => {
  let shared: Redis;
  let throwaway: ThrowawayRedis;
  let client: Redis;

  beforeAll(async () => {
    shared = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await shared.connect();
    throwaway = new ThrowawayRedis(await freePort());
    await throwaway.start();
    client = new Redis({
      host: '127.0.0.1',
      port: throwaway.port,
      retryStrategy: () => 20,
      maxRetriesPerRequest: 1,
    });
    client.on('error', () => {});
  });
  afterAll(async () => {
    shared?.disconnect();
    client?.disconnect();
    await throwaway?.stop();
  });

  it('is healthy against the shared server', async () => {
    expect(await runOne(redisCheck(shared))).toMatchObject({ name: 'redis', status: 'healthy' });
  });

  it('follows a throw-away server going down and coming back', async () => {
    const check = redisCheck(client, { name: 'cache', timeoutMs: 2000 });
    expect(await runOne(check)).toMatchObject({ status: 'healthy' });

    await throwaway.stop();
    while (client.status === 'ready') await new Promise((r) => setTimeout(r, 5));
    const down = await runOne(check);
    expect(down.status).toBe('unhealthy');
    expect(down.error?.name).toBe('CheckFailedError');

    await throwaway.start();
    let back = await runOne(check);
    for (let i = 0; i < 200 && back.status !== 'healthy'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      back = await runOne(check);
    }
    expect(back.status).toBe('healthy');
  });

  it('fails on an answer other than PONG', async () => {
    const entry = await runOne(redisCheck({ ping: async () => 'NOPE' }));
    expect(entry).toMatchObject({ status: 'unhealthy', error: { name: 'CheckFailedError' } });
  });
});

describe('cosmosCheck (in-process @vercel/cosmosdb-server)', () => {
  let server: Server;
  let client: CosmosClient;
  // The test server uses a self-signed certificate (and the SDK insists on TLS).
  const agent = new https.Agent({ rejectUnauthorized: false });

  beforeAll(async () => {
    server = createCosmosServer();
    const port = await listen(server);
    client = new CosmosClient({ endpoint: `https://127.0.0.1:${port}`, key: 'dummy-key', agent });
    const { database } = await client.databases.createIfNotExists({ id: 'mystira' });
    await database.containers.createIfNotExists({ id: 'assets', partitionKey: '/id' });
  });
  afterAll(async () => {
    client?.dispose();
    agent.destroy();
    await close(server);
  });

  it('is healthy when the account, database and container can be read', async () => {
    expect(await runOne(cosmosCheck(client))).toMatchObject({ name: 'cosmos', status: 'healthy' });
    expect(await runOne(cosmosCheck(client, { database: 'mystira' }))).toMatchObject({
      status: 'healthy',
    });
    expect(
      await runOne(cosmosCheck(client, { database: 'mystira', container: 'assets' })),
    ).toMatchObject({
      status: 'healthy',
    });
  });

  it('is unhealthy when the container does not exist', async () => {
    const entry = await runOne(cosmosCheck(client, { database: 'mystira', container: 'missing' }));
    expect(entry).toMatchObject({ status: 'unhealthy', error: { code: 404 } });
  });

  it('is unhealthy when the endpoint is down, within the check timeout', async () => {
    const port = await freePort();
    const down = new CosmosClient({
      endpoint: `https://127.0.0.1:${port}`,
      key: 'dummy-key',
      agent,
    });
    try {
      const entry = await runOne(cosmosCheck(down, { timeoutMs: 1500 }));
      expect(entry.status).toBe('unhealthy');
    } finally {
      down.dispose();
    }
  });

  it('needs a database for a container', () => {
    expect(() => cosmosCheck(client, { container: 'assets' })).toThrow(TypeError);
  });
});
