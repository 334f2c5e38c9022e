/**
 * A local OIDC-style token issuer: what Auth0 or Entra ID is to a real deployment, small enough
 * to start in-process for `npm run demo` and the tests. Keys are generated at start (ES256, kept in
 * memory only), so every start has new keys and tokens of an earlier run stop verifying.
 *
 * It serves, on its own port:
 *   GET  /.well-known/openid-configuration   issuer, jwks_uri, token_endpoint
 *   GET  /.well-known/jwks.json              the public key (what the App API and the Chain host fetch)
 *   POST /oauth/token                        OAuth 2.0 client credentials (RFC 6749 §4.4), for services
 *
 * `iss` is the issuer's URL (`http://127.0.0.1:<port>`). User tokens are minted directly with
 * `sign` (there is no sign-in page: the demo prints them), so tests can also mint the broken tokens
 * a verifier must refuse (expired, no `sub`, another audience, …).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A service allowed to get tokens at the token endpoint (client credentials). */
export interface IssuerClient {
  id: string;
  secret: string;
  /** The audience(s) its tokens are for; a requested `audience` must be one of them. */
  audience: string | string[];
  /** The scopes it may have (space separated); a requested `scope` must be a subset. */
  scope: string;
  /** Token lifetime. Default 300 s. */
  ttlSec?: number;
}

export interface LocalIssuerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  clients?: readonly IssuerClient[];
}

export interface SignOptions {
  /** Lifetime from now; negative for an already expired token. Default 3600 s. */
  expiresInSec?: number;
}

export interface LocalIssuer {
  /** The `iss` of every token, and the base URL of the endpoints. */
  readonly url: string;
  readonly jwksUrl: string;
  readonly tokenUrl: string;
  /** The public signing key as published in the JWKS. */
  readonly publicJwk: JWK;
  /**
   * A signed token (ES256) with `iss`, `iat`, `exp` and `jti` set; `claims` add to or replace
   * them, and a claim given as `undefined` is left out (e.g. `{ sub: undefined }`).
   */
  sign(claims: Record<string, unknown>, options?: SignOptions): Promise<string>;
  close(): Promise<void>;
}

const ALG = 'ES256';

export async function startLocalIssuer(options: LocalIssuerOptions = {}): Promise<LocalIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  const clients = new Map((options.clients ?? []).map((c) => [c.id, c] as const));
  let url = '';

  const sign = async (claims: Record<string, unknown>, signOptions: SignOptions = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: url,
      iat: now,
      exp: now + (signOptions.expiresInSec ?? 3600),
      jti: randomUUID(),
      ...claims,
    };
    for (const [name, value] of Object.entries(payload))
      if (value === undefined) delete payload[name];
    return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid, typ: 'JWT' }).sign(privateKey);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://issuer').pathname;
    if (req.method === 'GET' && path === '/.well-known/jwks.json')
      return json(res, 200, { keys: [publicJwk] }, 'public, max-age=300');
    if (req.method === 'GET' && path === '/.well-known/openid-configuration')
      return json(res, 200, {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks.json`,
        token_endpoint: `${url}/oauth/token`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        id_token_signing_alg_values_supported: [ALG],
      });
    if (req.method === 'POST' && path === '/oauth/token') {
      void readForm(req)
        .then((form) => clientCredentials(form, req.headers.authorization, clients, sign))
        .then(({ status, body }) => json(res, status, body, 'no-store'))
        .catch(() => json(res, 400, { error: 'invalid_request' }, 'no-store'));
      return;
    }
    json(res, 404, { error: 'not_found' });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const host = options.host ?? '127.0.0.1';
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    tokenUrl: `${url}/oauth/token`,
    publicJwk,
    sign,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The client credentials grant: authenticate the client, check what it asks for, mint a token. */
async function clientCredentials(
  form: URLSearchParams,
  authorization: string | undefined,
  clients: ReadonlyMap<string, IssuerClient>,
  sign: LocalIssuer['sign'],
): Promise<TokenAnswer> {
  if (form.get('grant_type') !== 'client_credentials')
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  const presented = clientOf(form, authorization);
  const client = presented && clients.get(presented.id);
  // Compared as digests, so the time taken says nothing about how much of the secret matched.
  if (!client || !presented || !sameSecret(presented.secret, client.secret))
    return { status: 401, body: { error: 'invalid_client' } };

  const audiences = [client.audience].flat();
  const audience = form.get('audience') ?? audiences[0];
  if (!audience || !audiences.includes(audience))
    return { status: 400, body: { error: 'invalid_target' } };
  const allowed = new Set(client.scope.split(' ').filter(Boolean));
  const asked = (form.get('scope') ?? client.scope).split(' ').filter(Boolean);
  if (asked.some((s) => !allowed.has(s))) return { status: 400, body: { error: 'invalid_scope' } };

  const ttlSec = client.ttlSec ?? 300;
  const token = await sign(
    { sub: client.id, aud: audience, scope: asked.join(' '), client_id: client.id },
    { expiresInSec: ttlSec },
  );
  return {
    status: 200,
    body: { access_token: token, token_type: 'Bearer', expires_in: ttlSec, scope: asked.join(' ') },
  };
}

/** client_secret_basic (RFC 6749 §2.3.1: form-encoded, then Base64) or client_secret_post. */
function clientOf(
  form: URLSearchParams,
  authorization: string | undefined,
): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id && secret ? { id, secret } : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) throw new Error('token request too large');
  }
  return new URLSearchParams(body);
}

function json(res: http.ServerResponse, status: number, body: unknown, cache = 'no-store'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': cache,
  });
  res.end(text);
}
