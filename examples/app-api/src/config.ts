/**
 * The App API's configuration, read from the environment (see the README's configuration
 * table). `loadAppApiConfig` only parses and validates; nothing connects here, so the demo and
 * the tests can build an `AppApiConfig` by hand and pass it to `createAppApi`.
 */
import { isPhase, type Phase } from '@mystira/polyglot';
import Type from 'typebox';
import {
  type AuthConfig,
  type ChainCredential,
  loadAuthConfig,
  loadChainCredential,
  loadRateLimitConfig,
  loadTrustProxy,
  type RateLimitConfig,
  type TrustProxy,
} from './auth/config.ts';
import { ConfigError } from './config-error.ts';
import { readEnv } from './env.ts';
import { loadOverloadConfig, type OverloadConfig } from './overload/config.ts';
import type { LicensingConfig } from './publishing/licensing.ts';
import { loadLicensingConfig } from './publishing/licensing-config.ts';

export { ConfigError } from './config-error.ts';

export interface AppApiConfig {
  /** PostgreSQL connection string (accounts, outbox, phases, migrations). */
  databaseUrl: string;
  /** Schema of every table this host owns; migrations run in it at startup. */
  pgSchema: string;
  cosmos: {
    endpoint: string;
    key: string;
    database: string;
    profile: 'azure' | 'cosmosdb-server';
    /** Accept a self-signed certificate (cosmosdb-server, the emulator), for this client only. */
    tlsInsecure: boolean;
  };
  /** Redis for the story cache; unset means the in-process memory store. */
  redisUrl?: string;
  /** Prefix of every Redis key this host writes. */
  cacheKeyPrefix: string;
  /**
   * HMAC keys for cache entries (CACHE_SIGNING_KEYS, comma-separated, newest first: the first
   * signs, all verify), each used as its UTF-8 bytes. Undefined means unsigned: without Redis, or
   * with Redis only when CACHE_SIGNING=off was set (connectStores logs a warning then).
   */
  cacheSigningKeys?: string[];
  /**
   * The caches' in-process tier in front of Redis (CACHE_L1_TTL_MS > 0, with REDIS_URL): kept
   * coherent across instances by the invalidation messages every write publishes. Off by default.
   */
  cacheL1?: { ttlMs: number; max: number };
  /** The Chain service and how this host authenticates to it (see auth/config.ts). */
  chain: { url: string; credential: ChainCredential };
  /** Default license terms of published stories (LICENSE_*); the publisher's default when unset. */
  licensing?: LicensingConfig;
  /** Bearer JWT verification: issuer, audience, JWKS (required: there is no anonymous mode). */
  auth: AuthConfig;
  /** Per-caller request limits (429 with Retry-After); in Redis when `redisUrl` is set. */
  rateLimit: RateLimitConfig;
  /** Which proxies' X-Forwarded-For to believe for the caller's IP. */
  trustProxy: TrustProxy;
  /** Polyglot phase of the accounts entity (Cosmos DB -> PostgreSQL) at startup. */
  accountsPhase: Phase;
  /** How often this instance checks PostgreSQL for a phase another instance switched to (ms). */
  phasePollMs: number;
  port: number;
  host: string;
  logLevel: string;
  /** How long in-flight requests may take to finish on SIGTERM before the process exits. */
  shutdownDeadlineMs: number;
  /**
   * HEALTH_VERBOSE=1: `/readyz?verbose=1` (and `/healthz?verbose=1`) show each check's error and
   * detail to anyone (a private probe port). Default off: the public answer is names and statuses
   * (callers with the `admin` role see the details either way).
   */
  healthVerbose: boolean;
  /** Store timeouts, pool size and the pool-saturation readiness rule (see overload/config.ts). */
  overload: OverloadConfig;
}

/** The final phase of the polyglot layer: accounts live in PostgreSQL only. */
export const DEFAULT_ACCOUNTS_PHASE: Phase = 'SecondaryOnly';

/** The cache refuses shorter signing keys (`@mystira/cache`, "Security"); checked here first. */
const MIN_CACHE_SIGNING_KEY_BYTES = 32;

/**
 * CACHE_SIGNING_KEYS and CACHE_SIGNING. With REDIS_URL the keys are required: a Redis that
 * anything else can write to is exactly where forged entries come from, and an unsigned cache
 * serves them as real stories and accounts. CACHE_SIGNING=off is the explicit way out (a Redis
 * nothing else can reach, risk accepted), never a default. Without Redis nothing else can write
 * to the memory store, so no key is needed (one given is still used). Errors never echo a key.
 */
function cacheSigningKeys(env: NodeJS.ProcessEnv, redis: boolean): string[] | undefined {
  const mode = env.CACHE_SIGNING || 'on';
  // The value is not echoed: it may be a key pasted into the wrong variable.
  if (mode !== 'on' && mode !== 'off') throw new ConfigError('CACHE_SIGNING must be "on" or "off"');
  const raw = env.CACHE_SIGNING_KEYS;
  if (mode === 'off') {
    if (raw)
      throw new ConfigError(
        'CACHE_SIGNING=off and CACHE_SIGNING_KEYS are both set: unset one of them',
      );
    return undefined;
  }
  if (!raw) {
    if (!redis) return undefined;
    throw new ConfigError(
      'CACHE_SIGNING_KEYS is required with REDIS_URL (comma-separated keys of 32+ bytes, newest first; generate one with: openssl rand -base64 32), or set CACHE_SIGNING=off to cache unsigned',
    );
  }
  const keys = raw.split(',').map((k) => k.trim());
  keys.forEach((key, i) => {
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes < MIN_CACHE_SIGNING_KEY_BYTES)
      throw new ConfigError(
        `CACHE_SIGNING_KEYS: key ${i + 1} of ${keys.length} is ${bytes} bytes; each key must be at least ${MIN_CACHE_SIGNING_KEY_BYTES} bytes (generate one with: openssl rand -base64 32)`,
      );
  });
  return keys;
}

/** The cosmosdb-server / emulator key: any base64 string works there, signatures are not checked. */
const LOCAL_COSMOS_KEY = Buffer.from('mystira-local-cosmos-key').toString('base64');

/** The host's numeric variables (the other modules declare theirs beside their loaders). */
const HostNumbers = Type.Object({
  PHASE_POLL_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  PORT: Type.Integer({ minimum: 0, default: 8080 }),
  SHUTDOWN_DEADLINE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  CACHE_L1_TTL_MS: Type.Integer({ minimum: 0, default: 0 }),
  CACHE_L1_MAX: Type.Integer({ minimum: 1, default: 10_000 }),
});

function url(env: NodeJS.ProcessEnv, name: string, fallback: string, schemes: string[]): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  if (!schemes.includes(parsed.protocol))
    throw new ConfigError(`${name} must use ${schemes.join(' or ')}, got "${parsed.protocol}"`);
  return raw;
}

/**
 * Reads the configuration. `DATABASE_URL` falls back to the local test database so the demo and
 * the tests run without it; `main.ts` insists on it (see `requireDatabaseUrl`).
 */
export function loadAppApiConfig(env: NodeJS.ProcessEnv = process.env): AppApiConfig {
  const profile = env.COSMOS_PROFILE || 'azure';
  if (profile !== 'azure' && profile !== 'cosmosdb-server')
    throw new ConfigError(`COSMOS_PROFILE must be "azure" or "cosmosdb-server", got "${profile}"`);
  const phase = env.ACCOUNTS_PHASE || DEFAULT_ACCOUNTS_PHASE;
  if (!isPhase(phase)) throw new ConfigError(`ACCOUNTS_PHASE "${phase}" is not a polyglot phase`);
  const pgSchema = env.PG_SCHEMA || 'app';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(pgSchema))
    throw new ConfigError(`PG_SCHEMA must be a lower-case SQL identifier, got "${pgSchema}"`);
  // The static admin token gave way to the `admin` role; a deployment still setting it would
  // otherwise believe its admin routes were guarded by it.
  if (env.ADMIN_TOKEN)
    throw new ConfigError(
      'ADMIN_TOKEN is no longer read: give operators the "admin" role in the identity provider (see "Security" in the README)',
    );
  const numbers = readEnv(HostNumbers, env);
  const redisUrl = env.REDIS_URL ? url(env, 'REDIS_URL', '', ['redis:', 'rediss:']) : undefined;
  return {
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/test', [
      'postgres:',
      'postgresql:',
    ]),
    pgSchema,
    cosmos: {
      endpoint: url(env, 'COSMOS_ENDPOINT', 'https://localhost:8081', ['https:', 'http:']),
      key: env.COSMOS_KEY || LOCAL_COSMOS_KEY,
      database: env.COSMOS_DATABASE || 'mystira',
      profile,
      tlsInsecure: env.COSMOS_TLS_INSECURE === '1' || env.COSMOS_TLS_INSECURE === 'true',
    },
    redisUrl,
    cacheKeyPrefix: env.CACHE_KEY_PREFIX || 'mystira:app-api',
    cacheSigningKeys: cacheSigningKeys(env, redisUrl !== undefined),
    // Without Redis the cache store is already in process: an L1 in front of it would only copy.
    ...(redisUrl && numbers.CACHE_L1_TTL_MS > 0
      ? { cacheL1: { ttlMs: numbers.CACHE_L1_TTL_MS, max: numbers.CACHE_L1_MAX } }
      : {}),
    chain: {
      url: url(env, 'CHAIN_URL', 'http://localhost:50051', ['http:', 'https:']),
      credential: loadChainCredential(env),
    },
    licensing: loadLicensingConfig(env),
    auth: loadAuthConfig(env),
    rateLimit: loadRateLimitConfig(env),
    trustProxy: loadTrustProxy(env),
    accountsPhase: phase,
    phasePollMs: numbers.PHASE_POLL_MS,
    port: numbers.PORT,
    host: env.HOST || '0.0.0.0',
    logLevel: env.LOG_LEVEL || 'info',
    shutdownDeadlineMs: numbers.SHUTDOWN_DEADLINE_MS,
    healthVerbose: env.HEALTH_VERBOSE === '1' || env.HEALTH_VERBOSE === 'true',
    overload: loadOverloadConfig(env),
  };
}

/** main.ts runs against a real database only: DATABASE_URL must be set explicitly. */
export function requireDatabaseUrl(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required');
}
