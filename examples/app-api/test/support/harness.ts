/**
 * Everything an App API test needs, all real and all its own: an in-process
 * `@vercel/cosmosdb-server` (HTTPS, self-signed), a Chain service (`@mystira/chain-server` over a
 * fast devnet ledger) on a free port, a PostgreSQL schema and a Redis key prefix named after the
 * test file, and `createAppApi` over them. `close()` stops and removes all of it.
 */
import { randomUUID } from 'node:crypto';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ChainServer, createChainServer, DevnetLedger } from '@mystira/chain-server';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { type AppApi, createAppApi } from '../../src/app.ts';
import { type AppApiConfig, loadAppApiConfig } from '../../src/config.ts';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestChain {
  ledger: DevnetLedger;
  server: ChainServer;
  url: string;
  close(): Promise<void>;
}

/** A Chain service on a devnet producing a block every 20 ms (2 confirmations = final). */
export async function startChain(): Promise<TestChain> {
  const ledger = new DevnetLedger({ blockIntervalMs: 20, requiredConfirmations: 2 });
  ledger.start();
  const server = createChainServer({ ledger });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    ledger,
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.close({ deadlineMs: 200 });
      ledger.stop();
    },
  };
}

export interface TestCosmos {
  endpoint: string;
  close(): Promise<void>;
}

export async function startCosmos(): Promise<TestCosmos> {
  const server: https.Server = createHttpsServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Harness {
  api: AppApi;
  config: AppApiConfig;
  chain: TestChain;
  cosmos: TestCosmos;
  /** Log lines the App API wrote (JSON objects). */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Starts an App API for one test file. `name` names the schema (`app_api_<name>_<random>`), the
 * Cosmos database and the Redis key prefix, so concurrent test files never share state.
 */
export async function startHarness(
  name: string,
  options: { redis?: boolean; env?: Record<string, string>; chain?: TestChain } = {},
): Promise<Harness> {
  const suffix = randomUUID().slice(0, 8);
  const cosmos = await startCosmos();
  const chain = options.chain ?? (await startChain());
  const config = loadAppApiConfig({
    DATABASE_URL,
    PG_SCHEMA: `app_api_${name}_${suffix}`,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: 'any-key',
    COSMOS_PROFILE: 'cosmosdb-server',
    COSMOS_TLS_INSECURE: '1',
    COSMOS_DATABASE: `app-api-${name}-${suffix}`,
    CHAIN_URL: chain.url,
    CACHE_KEY_PREFIX: `app-api-test:${name}:${suffix}`,
    ...(options.redis ? { REDIS_URL } : {}),
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const api = await createAppApi(config, { logger });
  return {
    api,
    config,
    chain,
    cosmos,
    logs,
    async close() {
      await api.close();
      if (!options.chain) await chain.close();
      await cosmos.close();
      await dropSchema(config.pgSchema);
      if (options.redis) await deleteKeys(`${config.cacheKeyPrefix}*`);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes this test's keys only (never FLUSHALL on the shared Redis). */
export async function deleteKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 }) as AsyncIterable<
      string[]
    >) {
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

export function randomWallet(): string {
  return `0x${randomUUID().replaceAll('-', '').padEnd(40, '0').slice(0, 40)}`;
}
