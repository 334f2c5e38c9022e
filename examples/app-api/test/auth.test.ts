/**
 * Authentication over a real socket (the App API listens; every call is `fetch`), with tokens
 * from a local issuer whose JWKS the API fetches like it would Auth0's or Entra ID's: anonymous
 * writes are 401 with `WWW-Authenticate: Bearer`; every way a token can be wrong (expired, no
 * `sub`, no `exp`, another audience, another issuer, HS256 signed with the published public key,
 * `alg: none`, a key the issuer does not publish, garbage) is 401 `invalid_token`; an issuer that
 * cannot be reached is 503, not 401.
 */
import { createPublicKey } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_API_AUDIENCE,
  type Harness,
  identityOf,
  randomWallet,
  startHarness,
} from './support/harness.ts';

let h: Harness;
let url: string;

beforeAll(async () => {
  h = await startHarness('auth');
  url = await h.api.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await h?.close();
});

interface Answer {
  status: number;
  contentType: string | null;
  wwwAuthenticate: string | null;
  retryAfter: string | null;
  body: { type?: string; title?: string; status?: number; detail?: string };
}

async function call(
  method: string,
  path: string,
  options: { token?: string; authorization?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization) headers.authorization = options.authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    wwwAuthenticate: res.headers.get('www-authenticate'),
    retryAfter: res.headers.get('retry-after'),
    body: res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : {},
  };
}

const newAccount = () => ({
  email: `someone-${Math.random().toString(36).slice(2)}@example.com`,
  displayName: 'Someone',
  walletAddress: randomWallet(),
});

function expectUnauthorized(a: Answer, detail?: RegExp) {
  expect(a.status, JSON.stringify(a.body)).toBe(401);
  expect(a.contentType).toMatch(/^application\/problem\+json/);
  expect(a.wwwAuthenticate).toMatch(/^Bearer realm="mystira-app-api"/);
  expect(a.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  if (detail) {
    expect(a.wwwAuthenticate).toContain('error="invalid_token"');
    expect(a.body.detail).toMatch(detail);
  }
}

/** A well-formed user token with some claims replaced (undefined removes one). */
const tokenWith = (claims: Record<string, unknown>, expiresInSec?: number) =>
  h.issuer.sign(
    { sub: 'test|mallory', aud: [APP_API_AUDIENCE], roles: ['payer', 'admin'], ...claims },
    { expiresInSec },
  );

describe('without a token', () => {
  it('every write and every private read is 401 with WWW-Authenticate: Bearer', async () => {
    const calls: [string, string, unknown?][] = [
      ['POST', '/v1/accounts', newAccount()],
      ['GET', '/v1/accounts/any'],
      ['POST', '/v1/stories', { authorId: 'any', title: 'Mine now' }],
      ['PATCH', '/v1/stories/any', { title: 'Mine now' }],
      ['POST', '/v1/stories/any/publish', {}],
      [
        'POST',
        '/v1/stories/any/royalties/payments',
        { amountWei: '1000000000000000000000000000000' },
      ],
      ['GET', '/v1/stories/any/royalties'],
      ['POST', '/v1/stories/any/royalties/claims', { walletAddress: randomWallet() }],
      ['GET', '/v1/admin/polyglot/phases'],
      ['PUT', '/v1/admin/polyglot/accounts/phase', { phase: 'PrimaryOnly' }],
    ];
    for (const [method, path, body] of calls) {
      const answer = await call(method, path, { body });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expectUnauthorized(answer);
      // No hint of what the body should have been: 401 comes before validation.
      expect(answer.body).not.toHaveProperty('errors');
    }
  });

  it('health, docs and metrics stay open', async () => {
    for (const path of ['/healthz', '/readyz', '/docs/json', '/metrics'])
      expect((await call('GET', path)).status, path).toBe(200);
  });
});

describe('tokens that must not verify', () => {
  it('expired, without sub, without exp, for another audience, from another issuer: 401 invalid_token', async () => {
    const cases: [string, Promise<string>, RegExp][] = [
      ['expired', tokenWith({}, -120), /expired/],
      ['no sub', tokenWith({ sub: undefined }), /no sub claim/],
      ['empty sub', tokenWith({ sub: '' }), /no subject/],
      ['no exp', tokenWith({ exp: undefined }), /no exp claim/],
      ['other audience', tokenWith({ aud: 'https://api.mystira.example/chain' }), /aud/],
      ['other issuer', tokenWith({ iss: 'https://evil.example/' }), /another issuer/],
      ['not yet valid', tokenWith({ nbf: Math.floor(Date.now() / 1000) + 600 }), /not valid yet/],
    ];
    for (const [name, token, detail] of cases) {
      const answer = await call('POST', '/v1/accounts', { token: await token, body: newAccount() });
      expectUnauthorized(answer, detail);
      expect(answer.body.detail, name).toMatch(detail);
    }
  });

  it('an HS256 token signed with the published public key as the secret (key confusion): 401', async () => {
    // What an attacker can fetch from the JWKS URL, used as an HMAC secret in several spellings.
    const jwks = (await (await fetch(h.issuer.jwksUrl)).json()) as { keys: JWK[] };
    const jwk = jwks.keys[0] as JWK & { kid: string };
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const now = Math.floor(Date.now() / 1000);
    for (const secret of [String(pem), JSON.stringify(jwk), jwk.x ?? '']) {
      const forged = await new SignJWT({
        sub: 'test|mallory',
        aud: APP_API_AUDIENCE,
        iss: h.issuer.url,
        roles: ['payer', 'admin'],
        exp: now + 600,
      })
        .setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(secret));
      const answer = await call('GET', '/v1/admin/polyglot/phases', { token: forged });
      expectUnauthorized(answer, /algorithm this API does not accept/);
    }
  });

  it('alg none, a key the issuer does not publish, a tampered payload, garbage: 401', async () => {
    const claims = {
      sub: 'test|mallory',
      aud: APP_API_AUDIENCE,
      iss: h.issuer.url,
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const unsigned = new UnsecuredJWT(claims).encode();
    expectUnauthorized(
      await call('POST', '/v1/accounts', { token: unsigned, body: newAccount() }),
      /algorithm|malformed/,
    );

    // Same claims, same kid, the attacker's own key.
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const foreignKid = (await exportJWK(publicKey)).x as string;
    for (const kid of [h.issuer.publicJwk.kid as string, foreignKid]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid })
        .sign(privateKey);
      expectUnauthorized(
        await call('POST', '/v1/accounts', { token: forged, body: newAccount() }),
        /signature does not verify|key the issuer does not publish/,
      );
    }

    // A real token whose payload was edited (more roles): the signature no longer matches.
    const real = await tokenWith({ roles: [] });
    const [header, , signature] = real.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] }), 'utf8').toString(
      'base64url',
    );
    expectUnauthorized(
      await call('GET', '/v1/admin/polyglot/phases', {
        token: `${header}.${payload}.${signature}`,
      }),
      /signature does not verify/,
    );

    expectUnauthorized(await call('GET', '/v1/accounts/x', { token: 'not.a.jwt' }), /malformed/);
    expectUnauthorized(
      await call('GET', '/v1/accounts/x', { authorization: 'Basic dXNlcjpwYXNz' }),
      /Bearer <token>/,
    );
  });

  it('a bad token on a public read is 401 too (the client should learn its token is expired)', async () => {
    expectUnauthorized(
      await call('GET', '/v1/stories', { token: await tokenWith({}, -120) }),
      /expired/,
    );
    // Without one, the same read is fine.
    expect((await call('GET', '/v1/stories')).status).toBe(200);
  });
});

describe('a valid token', () => {
  it('is accepted for the configured audience among others, within the clock tolerance', async () => {
    const token = await tokenWith({ aud: ['https://other.example', APP_API_AUDIENCE] }, -10);
    const created = await call('POST', '/v1/accounts', { token, body: newAccount() });
    // Expired 10 s ago, inside the 30 s tolerance.
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it('without the role a route needs is 403, not 401', async () => {
    const { token } = await identityOf(h.issuer, 'no-roles');
    const admin = await call('GET', '/v1/admin/polyglot/phases', { token });
    expect(admin.status).toBe(403);
    expect(admin.contentType).toMatch(/^application\/problem\+json/);
    expect(admin.body).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(admin.body.detail).toMatch(/"admin" role/);
    const pay = await call('POST', '/v1/stories/any/royalties/payments', {
      token,
      body: { amountWei: '1000' },
    });
    expect(pay.status).toBe(403);
    expect(pay.body.detail).toMatch(/"payer" role/);
  });
});

describe('when the issuer cannot be reached', () => {
  it('a token whose key is not cached yet is 503 with Retry-After, not 401', async () => {
    const { createAppApi } = await import('../src/app.ts');
    const { pino } = await import('pino');
    // Same stores and issuer, but keys fetched from a port where nothing listens.
    const api = await createAppApi(
      {
        ...h.config,
        auth: { ...h.config.auth, jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json' },
      },
      { logger: pino({ level: 'silent' }) },
    );
    try {
      const { token } = await identityOf(h.issuer, 'stranded');
      const res = await api.app.inject({
        method: 'GET',
        url: '/v1/accounts/any',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.json()).toMatchObject({ status: 503, retryable: true });
    } finally {
      await api.close();
    }
  });
});
