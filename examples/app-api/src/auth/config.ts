/**
 * The security part of the configuration (see the README's "Security" section): who may call
 * (bearer JWTs from one issuer, for one audience), how often (per-caller rate limits), behind
 * which proxies (for the caller's IP), and how this host proves itself to the Chain service.
 *
 * There is no switch to turn authentication off: a host that does not know its issuer and
 * audience refuses to start, so a forgotten variable can never mean an open API.
 */

import Type from 'typebox';
import { ConfigError } from '../config-error.ts';
import { readEnv, readEnvAs } from '../env.ts';

export interface AuthConfig {
  /** Where the issuer publishes its signing keys (fetched and cached by jose). */
  jwksUrl: string;
  /** The exact `iss` tokens must carry. */
  issuer: string;
  /** `aud` values of this API; a token must name at least one. */
  audience: string[];
  /** Accepted signature algorithms: asymmetric only, so a public key can never act as a secret. */
  algorithms: string[];
  /** Accepted clock skew for `exp`/`nbf`, in seconds. */
  clockToleranceSec: number;
  /** The claim holding the caller's roles (`payer`, `admin`): a string array or space-separated. */
  rolesClaim: string;
}

export interface RateLimitConfig {
  /** Requests per window per signed-in caller (keyed by the token's `sub`). */
  max: number;
  /** Requests per window per client IP for anonymous callers. */
  anonymousMax: number;
  windowMs: number;
}

/** Fastify's `trustProxy`: false, a hop count, or the proxies' addresses / CIDR ranges. */
export type TrustProxy = false | number | string[];

/**
 * How the App API authenticates to the Chain service: an API key (`x-api-key`, for Chain hosts
 * configured with CHAIN_API_KEYS), or OAuth 2.0 client credentials (a short-lived bearer token for
 * the chain audience, fetched from the issuer's token endpoint and refreshed before it expires).
 */
export type ChainCredential =
  | { type: 'none' }
  | { type: 'apiKey'; apiKey: string }
  | {
      type: 'clientCredentials';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      /** Auth0-style `audience` parameter. */
      audience?: string;
      /** Entra ID-style `scope` (e.g. `api://<chain-app-id>/.default`), or the scopes to ask for. */
      scope?: string;
    };

/** Asymmetric JWS algorithms jose verifies. HS* (shared secrets) and `none` are never accepted. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  max: 300,
  anonymousMax: 120,
  windowMs: 60_000,
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Numbers of the security settings: seconds of clock skew; rate limits per window, window. */
const AuthNumbers = Type.Object({
  AUTH_CLOCK_TOLERANCE_S: Type.Integer({ minimum: 1, maximum: 300, default: 30 }),
});
const RateLimitNumbers = Type.Object({
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: DEFAULT_RATE_LIMIT.max }),
  RATE_LIMIT_ANONYMOUS_MAX: Type.Integer({ minimum: 1, default: DEFAULT_RATE_LIMIT.anonymousMax }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1, default: DEFAULT_RATE_LIMIT.windowMs }),
});

/** An https URL, or http on this machine only (a JWKS or token over plain HTTP can be swapped). */
function secureUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    return raw;
  throw new ConfigError(`${name} must be https (http only on localhost), got "${raw}"`);
}

/** AUTH_*: every variable is read before any is judged, so the error names all that are missing. */
export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const jwksUrl = env.AUTH_JWKS_URL;
  const issuer = env.AUTH_ISSUER;
  const audience = list(env.AUTH_AUDIENCE);
  const algorithms = env.AUTH_ALGORITHMS
    ? list(env.AUTH_ALGORITHMS)
    : ['RS256', 'PS256', 'ES256', 'EdDSA'];
  const clockToleranceSec = readEnv(AuthNumbers, env).AUTH_CLOCK_TOLERANCE_S;
  const rolesClaim = env.AUTH_ROLES_CLAIM || 'roles';
  const missing = [
    jwksUrl ? '' : 'AUTH_JWKS_URL',
    issuer ? '' : 'AUTH_ISSUER',
    audience.length > 0 ? '' : 'AUTH_AUDIENCE',
  ].filter(Boolean);
  if (missing.length > 0)
    throw new ConfigError(
      `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required: the App API accepts only bearer tokens from a configured issuer for a configured audience (see "Security" in its README)`,
    );
  const weak = algorithms.filter((a) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a));
  if (weak.length > 0 || algorithms.length === 0)
    throw new ConfigError(
      `AUTH_ALGORITHMS must list asymmetric algorithms only (${ASYMMETRIC_ALGORITHMS.join(', ')}), got "${env.AUTH_ALGORITHMS}"`,
    );
  return {
    jwksUrl: secureUrl('AUTH_JWKS_URL', jwksUrl as string),
    issuer: issuer as string,
    audience,
    algorithms,
    clockToleranceSec,
    rolesClaim,
  };
}

export function loadRateLimitConfig(env: NodeJS.ProcessEnv): RateLimitConfig {
  return readEnvAs(RateLimitNumbers, env, {
    max: 'RATE_LIMIT_MAX',
    anonymousMax: 'RATE_LIMIT_ANONYMOUS_MAX',
    windowMs: 'RATE_LIMIT_WINDOW_MS',
  });
}

/**
 * TRUST_PROXY: a hop count or the proxies' addresses. `true` (trust any X-Forwarded-For) is
 * refused: anyone could then pick the IP their anonymous rate limit is counted under.
 */
export function loadTrustProxy(env: NodeJS.ProcessEnv): TrustProxy {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw || raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw === 'true')
    throw new ConfigError(
      'TRUST_PROXY=true would let any client choose its IP; give the hop count or the proxy addresses',
    );
  return list(raw);
}

export function loadChainCredential(env: NodeJS.ProcessEnv): ChainCredential {
  const apiKey = env.CHAIN_API_KEY || undefined;
  const clientId = env.CHAIN_CLIENT_ID || undefined;
  const tokenUrl = env.CHAIN_TOKEN_URL || undefined;
  const clientSecret = env.CHAIN_CLIENT_SECRET || undefined;
  const audience = env.CHAIN_TOKEN_AUDIENCE || undefined;
  const scope = env.CHAIN_TOKEN_SCOPE || undefined;
  if (apiKey && (clientId || tokenUrl))
    throw new ConfigError('set either CHAIN_API_KEY or CHAIN_CLIENT_ID/CHAIN_TOKEN_URL, not both');
  if (apiKey) return { type: 'apiKey', apiKey };
  if (!clientId && !tokenUrl && !clientSecret) return { type: 'none' };
  if (!clientId || !tokenUrl || !clientSecret)
    throw new ConfigError(
      'client credentials for the Chain service need CHAIN_TOKEN_URL, CHAIN_CLIENT_ID and CHAIN_CLIENT_SECRET',
    );
  return {
    type: 'clientCredentials',
    tokenUrl: secureUrl('CHAIN_TOKEN_URL', tokenUrl),
    clientId,
    clientSecret,
    ...(audience ? { audience } : {}),
    ...(scope ? { scope } : {}),
  };
}
