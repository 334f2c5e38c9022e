/**
 * The host's configuration, read from the environment. Every variable is optional; the defaults
 * run an open devnet on 127.0.0.1:50051 in plaintext (gRPC h2c, gRPC-Web and Connect on one
 * port), with a per-caller rate limit.
 */
import { readFileSync } from 'node:fs';
import { type ApiKeyEntry, hashApiKey, type Scope } from '@mystira/chain-server';

export interface HostConfig {
  port: number;
  /**
   * The address to listen on (the Chain port and /metrics). Default 127.0.0.1: an open devnet is
   * reachable from this machine only until someone decides otherwise; a container sets
   * HOST=0.0.0.0, or its published port reaches nothing.
   */
  host: string;
  tls?: { key: Buffer; cert: Buffer };
  apiKeys: ApiKeyEntry[];
  /** Bearer JWTs from an identity provider (CHAIN_JWKS_URL + issuer + audience), if set. */
  jwt?: { jwksUrl: string; issuer: string; audience: string };
  /** Per-caller token bucket; undefined when RATE_LIMIT_PER_SECOND=off. */
  rateLimit?: { perSecond: number; burst: number };
  corsOrigins: string[];
  blockIntervalMs: number;
  confirmations: number;
  redisUrl?: string;
  shutdownDeadlineMs: number;
  logLevel: string;
  /**
   * Port of the Prometheus `/metrics` listener (a separate HTTP server: the Chain port speaks
   * only the RPC protocols). Undefined when METRICS_PORT=off.
   */
  metricsPort?: number;
}

/** Thrown for an environment variable that cannot be used; the message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/**
 * CHAIN_API_KEYS: comma-separated `id:secret` or `id:sha256=<64 hex>` entries, each optionally
 * ending in `/read` (read-only; default is read and write). Clear secrets are hashed at once and
 * never kept; prefer the sha256 form so the secret is not in the environment at all.
 */
export function parseApiKeys(raw: string | undefined): ApiKeyEntry[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const readOnly = entry.endsWith('/read');
      const body = readOnly ? entry.slice(0, -'/read'.length) : entry;
      const colon = body.indexOf(':');
      if (colon <= 0 || colon === body.length - 1) {
        throw new ConfigError(
          'CHAIN_API_KEYS entries look like id:secret or id:sha256=<hex>[/read]',
        );
      }
      const id = body.slice(0, colon);
      const value = body.slice(colon + 1);
      const sha256 = value.startsWith('sha256=')
        ? value.slice('sha256='.length).toLowerCase()
        : hashApiKey(value);
      if (!/^[0-9a-f]{64}$/.test(sha256))
        throw new ConfigError(`CHAIN_API_KEYS: key ${id} has a malformed sha256`);
      const scopes: Scope[] = readOnly ? ['chain:read'] : ['chain:read', 'chain:write'];
      return { id, sha256, scopes };
    });
}

/**
 * CHAIN_JWKS_URL, CHAIN_JWT_ISSUER, CHAIN_JWT_AUDIENCE: all three or none. The Chain server
 * accepts no token without a matching issuer and audience.
 */
function parseJwt(env: NodeJS.ProcessEnv): HostConfig['jwt'] {
  const { CHAIN_JWKS_URL: jwksUrl, CHAIN_JWT_ISSUER: issuer, CHAIN_JWT_AUDIENCE: audience } = env;
  if (!jwksUrl && !issuer && !audience) return undefined;
  if (!jwksUrl || !issuer || !audience)
    throw new ConfigError('set CHAIN_JWKS_URL, CHAIN_JWT_ISSUER and CHAIN_JWT_AUDIENCE together');
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    throw new ConfigError(`CHAIN_JWKS_URL must be a URL, got "${jwksUrl}"`);
  }
  // Keys fetched in clear could be swapped on the way; only a local issuer may skip TLS.
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw new ConfigError('CHAIN_JWKS_URL must use https (http only for localhost)');
  return { jwksUrl, issuer, audience };
}

/** RATE_LIMIT_PER_SECOND (default 100, `off` to disable) and RATE_LIMIT_BURST (default 2×). */
function parseRateLimit(env: NodeJS.ProcessEnv): HostConfig['rateLimit'] {
  if (env.RATE_LIMIT_PER_SECOND?.toLowerCase() === 'off') return undefined;
  const perSecond = int(env, 'RATE_LIMIT_PER_SECOND', 100, 1);
  return { perSecond, burst: int(env, 'RATE_LIMIT_BURST', 2 * perSecond, 1) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const certFile = env.TLS_CERT_FILE;
  const keyFile = env.TLS_KEY_FILE;
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new ConfigError('set both TLS_CERT_FILE and TLS_KEY_FILE, or neither');
  return {
    port: int(env, 'PORT', 50051),
    host: env.HOST || '127.0.0.1',
    tls:
      certFile && keyFile
        ? { cert: readFileSync(certFile), key: readFileSync(keyFile) }
        : undefined,
    apiKeys: parseApiKeys(env.CHAIN_API_KEYS),
    jwt: parseJwt(env),
    rateLimit: parseRateLimit(env),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    blockIntervalMs: int(env, 'BLOCK_INTERVAL_MS', 1000),
    confirmations: int(env, 'CONFIRMATIONS', 3, 1),
    redisUrl: env.REDIS_URL || undefined,
    shutdownDeadlineMs: int(env, 'SHUTDOWN_DEADLINE_MS', 10_000),
    logLevel: env.LOG_LEVEL || 'info',
    metricsPort:
      env.METRICS_PORT?.toLowerCase() === 'off' ? undefined : int(env, 'METRICS_PORT', 9464),
  };
}
