/**
 * Everything an App API test needs, all real and all its own: a local token issuer (the demo's,
 * keys generated at start, a JWKS on its own port), an in-process `@vercel/cosmosdb-server`
 * (HTTPS, self-signed), a Chain service (`@mystira/chain-server` over a fast devnet ledger,
 * requiring bearer tokens from that issuer) on a free port, a PostgreSQL schema and a Redis key
 * prefix named after the test file (with Redis, a cache signing key of its own), and
 * `createAppApi` over them, authenticating its callers against the issuer and itself to the Chain
 * service with client credentials. `close()` stops and removes all of it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  type ChainServer,
  createChainServer,
  DevnetLedger,
  jwtVerifier,
} from '@mystira/chain-server';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { expect } from 'vitest';
import {
  APP_API_AUDIENCE,
  appApiClient,
  CHAIN_AUDIENCE,
  USER_CHAIN_SCOPE,
} from '../../../demo/src/identities.ts';
import { type LocalIssuer, startLocalIssuer } from '../../../demo/src/issuer.ts';
import { type AppApi, createAppApi } from '../../src/app.ts';
import { type AppApiConfig, loadAppApiConfig } from '../../src/config.ts';
import type { Account } from '../../src/domain.ts';

export { APP_API_AUDIENCE, CHAIN_AUDIENCE } from '../../../demo/src/identities.ts';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestChain {
  ledger: DevnetLedger;
  server: ChainServer;
  url: string;
  close(): Promise<void>;
}

/**
 * A Chain service on a devnet producing a block every 20 ms (2 confirmations = final). Given an
 * issuer, it accepts only that issuer's bearer tokens for the chain audience, as the demo's does.
 */
export async function startChain(issuer?: LocalIssuer): Promise<TestChain> {
  const ledger = new DevnetLedger({ blockIntervalMs: 20, requiredConfirmations: 2 });
  ledger.start();
  const server = createChainServer({
    ledger,
    ...(issuer ? { auth: { verifyBearer: chainVerifier(issuer) } } : {}),
  });
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

export function chainVerifier(issuer: LocalIssuer) {
  return jwtVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.url, audience: CHAIN_AUDIENCE });
}

/**
 * The App API's auth settings for `issuer`: its users' tokens, and its own client credentials at
 * the issuer's token endpoint for the Chain service. Rate limits are out of the way unless a test
 * sets them.
 */
export function authEnv(issuer: LocalIssuer, clientSecret: string): Record<string, string> {
  return {
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ISSUER: issuer.url,
    AUTH_AUDIENCE: APP_API_AUDIENCE,
    CHAIN_TOKEN_URL: issuer.tokenUrl,
    CHAIN_CLIENT_ID: appApiClient(clientSecret).id,
    CHAIN_CLIENT_SECRET: clientSecret,
    CHAIN_TOKEN_AUDIENCE: CHAIN_AUDIENCE,
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_ANONYMOUS_MAX: '1000000',
  };
}

/** A local issuer that also knows the App API's service client. */
export async function startIssuer(clientSecret: string): Promise<LocalIssuer> {
  return startLocalIssuer({ clients: [appApiClient(clientSecret)] });
}

/** Someone signed in: their token and the header carrying it. */
export interface TestIdentity {
  subject: string;
  token: string;
  headers: { authorization: string };
}

/** A signed-in user of one App API: `inject` calls it with their token. */
export interface TestUser extends TestIdentity {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/**
 * A user token as the demo's are minted (both audiences, chain scopes), for subject
 * `test|<name>`, with `roles`.
 */
export async function identityOf(
  issuer: LocalIssuer,
  name: string,
  roles: string[] = [],
): Promise<TestIdentity> {
  const subject = `test|${name}`;
  const token = await issuer.sign({
    sub: subject,
    aud: [APP_API_AUDIENCE, CHAIN_AUDIENCE],
    scope: USER_CHAIN_SCOPE,
    roles,
  });
  return { subject, token, headers: { authorization: `Bearer ${token}` } };
}

export async function userOf(
  issuer: LocalIssuer,
  app: FastifyInstance,
  name: string,
  roles: string[] = [],
): Promise<TestUser> {
  const identity = await identityOf(issuer, name, roles);
  return {
    ...identity,
    inject: (options) =>
      app.inject({ ...options, headers: { ...identity.headers, ...(options.headers ?? {}) } }),
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
  issuer: LocalIssuer;
  /** A signed-in user of this App API (subject `test|<name>`), with these roles. */
  user(name: string, roles?: string[]): Promise<TestUser>;
  /** Log lines the App API wrote (JSON objects). */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A fresh cache signing key, as `openssl rand -base64 32` makes them. */
export function cacheSigningKey(): string {
  return randomBytes(32).toString('base64');
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
  const clientSecret = randomUUID();
  const issuer = await startIssuer(clientSecret);
  const cosmos = await startCosmos();
  const chain = options.chain ?? (await startChain(issuer));
  // With Redis the App API requires signing keys (or CACHE_SIGNING=off, which a test sets itself).
  const usesRedis = options.redis || options.env?.REDIS_URL;
  const signing = options.env?.CACHE_SIGNING ? {} : { CACHE_SIGNING_KEYS: cacheSigningKey() };
  const config = loadAppApiConfig({
    ...authEnv(issuer, clientSecret),
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
    ...(usesRedis ? signing : {}),
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
    issuer,
    user: (name, roles) => userOf(issuer, api.app, name, roles),
    logs,
    async close() {
      await api.close();
      if (!options.chain) await chain.close();
      await cosmos.close();
      await issuer.close();
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

/**
 * A new account of `owner` through POST /v1/accounts (201 expected), with a random wallet and,
 * unless given, a unique email and a plain display name.
 */
export async function createAccount(
  owner: Pick<TestUser, 'inject'>,
  fields: { email?: string; displayName?: string } = {},
): Promise<Account> {
  const email = fields.email ?? `someone-${randomUUID()}@example.com`;
  const res = await owner.inject({
    method: 'POST',
    url: '/v1/accounts',
    payload: {
      email,
      displayName: fields.displayName ?? email.split('@')[0],
      walletAddress: randomWallet(),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
