/**
 * The host's configuration, read from the environment. Every variable is optional; the defaults
 * run an open devnet on 127.0.0.1:50051 in plaintext (gRPC h2c, gRPC-Web and Connect on one
 * port), with a per-caller rate limit. LEDGER=story runs the Story Protocol ledger instead: on
 * the nodes in CHAIN_RPC_URLS with SIGNER_PRIVATE_KEY, or on an embedded development chain.
 */
import { readFileSync } from 'node:fs';
import { type ApiKeyEntry, hashApiKey, type Scope } from '@mystira/chain-server';
import Type from 'typebox';
import { ConfigError } from './config-error.ts';
import { readEnv } from './env.ts';

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
  /** Which ledger the host serves (LEDGER): the in-process devnet or Story Protocol. */
  ledger: LedgerConfig;
  /** Devnet block time; with the embedded Story chain, its interval mining. */
  blockIntervalMs: number;
  confirmations: number;
  redisUrl?: string;
  shutdownDeadlineMs: number;
  logLevel: string;
  /**
   * HEAP_GROWING_PERCENT: how far V8 lets the old generation grow past its live size before the
   * next mark-compact; 0 (the default) leaves V8's own policy. See `applyHeapGrowing` in main.ts.
   */
  heapGrowingPercent: number;
  /**
   * Port of the Prometheus `/metrics` listener (a separate HTTP server: the Chain port speaks
   * only the RPC protocols). Undefined when METRICS_PORT=off.
   */
  metricsPort?: number;
}

/** The devnet ledger (in process, simulated), or Story Protocol through `@mystira/ledger-story`. */
export type LedgerConfig = { kind: 'devnet' } | StoryLedgerConfig;

export interface StoryLedgerConfig {
  kind: 'story';
  /** STORY_NETWORK: which chain the Story SDK signs for (1315 or 1514). Default aeneid. */
  network: 'aeneid' | 'mainnet';
  /**
   * CHAIN_RPC_URLS, most preferred first (failover). Empty: an embedded development chain with
   * Story TEST contracts is started in the host. Never a public RPC chosen for the operator.
   */
  rpcUrls: string[];
  /**
   * SIGNER_PRIVATE_KEY. Required with rpcUrls; on the embedded chain the first public test
   * account is used when it is unset. Never logged: see {@link describeLedger}.
   */
  signerPrivateKey?: `0x${string}`;
  /** SPG_NFT_CONTRACT: the collection assets are minted in; one is created when unset. */
  spgNftContract?: `0x${string}`;
}

export { ConfigError } from './config-error.ts';

/** The host's numeric variables; the rate limit and METRICS_PORT (which may be `off`) have theirs. */
const HostNumbers = Type.Object({
  PORT: Type.Integer({ minimum: 0, default: 50051 }),
  BLOCK_INTERVAL_MS: Type.Integer({ minimum: 0, default: 1000 }),
  CONFIRMATIONS: Type.Integer({ minimum: 1, default: 3 }),
  SHUTDOWN_DEADLINE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  HEAP_GROWING_PERCENT: Type.Integer({ minimum: 0, maximum: 1000, default: 0 }),
});

/** RATE_LIMIT_BURST has no fixed default: twice the rate. */
const RateLimitNumbers = Type.Object({
  RATE_LIMIT_PER_SECOND: Type.Integer({ minimum: 1, default: 100 }),
  RATE_LIMIT_BURST: Type.Optional(Type.Integer({ minimum: 1 })),
});

const MetricsPort = Type.Object({ METRICS_PORT: Type.Integer({ minimum: 0, default: 9464 }) });

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
  const numbers = readEnv(RateLimitNumbers, env);
  const perSecond = numbers.RATE_LIMIT_PER_SECOND;
  return { perSecond, burst: numbers.RATE_LIMIT_BURST ?? 2 * perSecond };
}

function parseRpcUrls(raw: string | undefined): string[] {
  const urls = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // The URL may carry an API key in its path or query: name the variable, not the value.
      throw new ConfigError('CHAIN_RPC_URLS must be comma-separated http(s) URLs');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new ConfigError(`CHAIN_RPC_URLS: ${parsed.protocol} URLs are not supported (http(s))`);
  }
  return urls;
}

/**
 * LEDGER (devnet | story) and, for story, CHAIN_RPC_URLS, SIGNER_PRIVATE_KEY, STORY_NETWORK and
 * SPG_NFT_CONTRACT. Refuses what would silently run somewhere else than the operator meant: a
 * node URL without a key, Story settings on the devnet, mainnet on the embedded chain (which
 * has Aeneid's chain id and test contracts).
 */
function parseLedger(env: NodeJS.ProcessEnv, blockIntervalMs: number): LedgerConfig {
  const kind = (env.LEDGER || 'devnet').toLowerCase();
  const rpcUrls = parseRpcUrls(env.CHAIN_RPC_URLS);
  const key = env.SIGNER_PRIVATE_KEY || undefined;
  const network = env.STORY_NETWORK || undefined;
  const spg = env.SPG_NFT_CONTRACT || undefined;
  if (kind === 'devnet') {
    const storyOnly = Object.entries({
      CHAIN_RPC_URLS: rpcUrls.length > 0,
      SIGNER_PRIVATE_KEY: key,
      STORY_NETWORK: network,
      SPG_NFT_CONTRACT: spg,
    })
      .filter(([, set]) => set)
      .map(([name]) => name);
    // Someone who gave a node and a key but forgot LEDGER=story would otherwise run a simulator.
    if (storyOnly.length > 0)
      throw new ConfigError(
        `${storyOnly.join(', ')} ${storyOnly.length > 1 ? 'are' : 'is'} only used with LEDGER=story; set LEDGER=story or unset ${storyOnly.length > 1 ? 'them' : 'it'}`,
      );
    return { kind: 'devnet' };
  }
  if (kind !== 'story')
    throw new ConfigError(`LEDGER must be devnet or story, got "${env.LEDGER}"`);
  if (network !== undefined && network !== 'aeneid' && network !== 'mainnet')
    throw new ConfigError(`STORY_NETWORK must be aeneid or mainnet, got "${network}"`);
  // The key itself never appears in a message.
  if (key !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new ConfigError('SIGNER_PRIVATE_KEY must be 0x followed by 64 hex digits');
  if (spg !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(spg))
    throw new ConfigError(`SPG_NFT_CONTRACT must be an address (0x + 40 hex digits), got "${spg}"`);
  if (rpcUrls.length > 0 && key === undefined)
    throw new ConfigError(
      'LEDGER=story with CHAIN_RPC_URLS needs SIGNER_PRIVATE_KEY: the key of a funded account that signs the transactions',
    );
  if (rpcUrls.length === 0) {
    if (network === 'mainnet')
      throw new ConfigError(
        'STORY_NETWORK=mainnet needs CHAIN_RPC_URLS: without a URL the host starts an embedded development chain, which has Aeneid’s chain id and Story TEST contracts',
      );
    if (blockIntervalMs === 0)
      throw new ConfigError(
        'BLOCK_INTERVAL_MS must be > 0 with the embedded chain: confirmations only count up as blocks are mined',
      );
  }
  return {
    kind: 'story',
    network: network ?? 'aeneid',
    rpcUrls,
    ...(key !== undefined && { signerPrivateKey: key as `0x${string}` }),
    ...(spg !== undefined && { spgNftContract: spg as `0x${string}` }),
  };
}

/** What the log may say about the ledger: no key, node URLs without credentials, path or query. */
export function describeLedger(ledger: LedgerConfig): Record<string, unknown> {
  if (ledger.kind === 'devnet') return { kind: 'devnet' };
  return {
    kind: 'story',
    network: ledger.network,
    node: ledger.rpcUrls.length > 0 ? ledger.rpcUrls.map((u) => new URL(u).origin) : 'embedded',
    signer: ledger.signerPrivateKey ? 'SIGNER_PRIVATE_KEY' : 'embedded test account',
    spgNftContract: ledger.spgNftContract ?? 'created at start',
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const certFile = env.TLS_CERT_FILE;
  const keyFile = env.TLS_KEY_FILE;
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new ConfigError('set both TLS_CERT_FILE and TLS_KEY_FILE, or neither');
  const numbers = readEnv(HostNumbers, env);
  const blockIntervalMs = numbers.BLOCK_INTERVAL_MS;
  return {
    port: numbers.PORT,
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
    ledger: parseLedger(env, blockIntervalMs),
    blockIntervalMs,
    confirmations: numbers.CONFIRMATIONS,
    redisUrl: env.REDIS_URL || undefined,
    shutdownDeadlineMs: numbers.SHUTDOWN_DEADLINE_MS,
    logLevel: env.LOG_LEVEL || 'info',
    heapGrowingPercent: numbers.HEAP_GROWING_PERCENT,
    metricsPort:
      env.METRICS_PORT?.toLowerCase() === 'off'
        ? undefined
        : readEnv(MetricsPort, env).METRICS_PORT,
  };
}
