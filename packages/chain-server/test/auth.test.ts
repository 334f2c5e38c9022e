/** The auth matrix over real sockets: API keys, JWT bearer tokens, scopes, open procedures. */
import { Code, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { jwtVerifier } from '@mystira/chain-server';
import { Health, HealthCheckResponse_ServingStatus } from '@mystira/health';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  codeOf,
  type Protocol,
  READ_WRITE_KEYS,
  type Running,
  registration,
  startServer,
} from './helpers.js';

const secret = new TextEncoder().encode('a-test-secret-that-is-long-enough-for-hs256');
const jwt = (
  scope: string,
  opts: { exp?: string | null; aud?: string; iss?: string; sub?: string | null } = {},
) => {
  const token = new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(opts.iss ?? 'mystira-test')
    .setAudience(opts.aud ?? 'chain');
  if (opts.sub !== null) token.setSubject(opts.sub ?? 'svc-1');
  if (opts.exp !== null) token.setExpirationTime(opts.exp ?? '5m');
  return token.sign(secret);
};

let r: Running;
beforeAll(async () => {
  r = await startServer({
    auth: {
      apiKeys: READ_WRITE_KEYS,
      verifyBearer: jwtVerifier({ key: secret, issuer: 'mystira-test', audience: 'chain' }),
    },
  });
});
afterAll(() => r.close());

type Cred = Record<string, string> | undefined;
const cases: [string, () => Promise<Cred>, Code | 'ok', Code | 'ok'][] = [
  // name, credentials, read RPC outcome, write RPC outcome
  ['no credentials', async () => undefined, Code.Unauthenticated, Code.Unauthenticated],
  [
    'unknown API key',
    async () => ({ 'x-api-key': 'nope' }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  ['read key', async () => ({ 'x-api-key': 'read-key' }), 'ok', Code.PermissionDenied],
  ['write key', async () => ({ 'x-api-key': 'write-key' }), 'ok', 'ok'],
  [
    'malformed authorization',
    async () => ({ authorization: 'Basic abc' }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  [
    'garbage bearer',
    async () => ({ authorization: 'Bearer abc.def.ghi' }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  [
    'JWT with chain:read',
    async () => ({ authorization: `Bearer ${await jwt('chain:read')}` }),
    'ok',
    Code.PermissionDenied,
  ],
  [
    'JWT with both scopes',
    async () => ({ authorization: `Bearer ${await jwt('chain:read chain:write')}` }),
    'ok',
    'ok',
  ],
  [
    'expired JWT',
    async () => ({ authorization: `Bearer ${await jwt('chain:read', { exp: '-1h' })}` }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  [
    'JWT for another audience',
    async () => ({ authorization: `Bearer ${await jwt('chain:read', { aud: 'x' })}` }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  [
    'JWT from another issuer',
    async () => ({ authorization: `Bearer ${await jwt('chain:read', { iss: 'x' })}` }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  // A token that never expires is a credential that cannot be taken back.
  [
    'JWT without exp',
    async () => ({ authorization: `Bearer ${await jwt('chain:read chain:write', { exp: null })}` }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  // Tokens without a subject would all be one caller (one idempotency scope, one rate bucket).
  [
    'JWT without sub',
    async () => ({ authorization: `Bearer ${await jwt('chain:read chain:write', { sub: null })}` }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
  [
    'JWT with an empty sub',
    async () => ({ authorization: `Bearer ${await jwt('chain:read chain:write', { sub: '' })}` }),
    Code.Unauthenticated,
    Code.Unauthenticated,
  ],
];

describe.each(['grpc', 'connect-json', 'grpc-web'] as Protocol[])('%s', (protocol) => {
  it.each(cases)('%s', async (_name, cred, read, write) => {
    const client = clientFor(protocol, r.baseUrl, await cred());
    expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe(read);
    expect(await codeOf(client.getServiceInfo({}))).toBe(read);
    expect(await codeOf(client.registerIpAsset(registration()))).toBe(write);
  });

  it('leaves the contract HealthCheck open', async () => {
    expect(await codeOf(clientFor(protocol, r.baseUrl).healthCheck({}))).toBe('ok');
  });
});

it('leaves grpc.health.v1 and reflection open', async () => {
  const health = createClient(Health, createGrpcTransport({ baseUrl: r.baseUrl }));
  expect((await health.check({ service: '' })).status).toBe(
    HealthCheckResponse_ServingStatus.SERVING,
  );
  expect((await health.check({ service: 'mystira.chain.v1.ChainService' })).status).toBe(
    HealthCheckResponse_ServingStatus.SERVING,
  );
});

it('verifies JWTs against a JWKS endpoint', async () => {
  const { createServer } = await import('node:http');
  const { exportJWK, generateKeyPair } = await import('jose');
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;
  const s = await startServer({
    auth: { verifyBearer: jwtVerifier({ jwksUrl, issuer: 'idp', audience: 'chain' }) },
  });
  try {
    const token = await new SignJWT({ scp: ['chain:read'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('svc-2')
      .setIssuer('idp')
      .setAudience('chain')
      .setExpirationTime('5m')
      .sign(privateKey);
    const client = clientFor('grpc', s.baseUrl, { authorization: `Bearer ${token}` });
    expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe('ok');
    expect(await codeOf(client.registerIpAsset(registration()))).toBe(Code.PermissionDenied);
  } finally {
    await s.close();
    jwks.close();
  }
});

it('will not verify JWTs without an issuer and an audience, unless told to accept any', () => {
  expect(() => jwtVerifier({ key: secret, audience: 'chain' })).toThrow(/issuer/);
  expect(() => jwtVerifier({ key: secret, issuer: 'mystira-test' })).toThrow(/audience/);
  expect(() =>
    jwtVerifier({ key: secret, allowAnyIssuer: true, allowAnyAudience: true }),
  ).not.toThrow();
});

it("scopes idempotency keys by caller: one caller never receives another's reply", async () => {
  const token = (sub: string) => jwt('chain:read chain:write', { sub });
  const a = clientFor('grpc', r.baseUrl, { authorization: `Bearer ${await token('alice')}` });
  const b = clientFor('grpc', r.baseUrl, { authorization: `Bearer ${await token('bob')}` });
  const key = 'shared-idempotency-key';
  const first = await a.registerIpAsset(registration('idem-alice', key));
  const second = await b.registerIpAsset(registration('idem-bob', key));
  expect(first.contentId).toBe('idem-alice');
  expect(second.contentId).toBe('idem-bob');
  expect(second.ipAssetId).not.toBe(first.ipAssetId);
  // The same caller with the same key still replays its own first answer.
  const again = await a.registerIpAsset(registration('idem-alice', key));
  expect(again.ipAssetId).toBe(first.ipAssetId);
});

it("answers UNAVAILABLE, not UNAUTHENTICATED, while the issuer's keys cannot be fetched", async () => {
  const { createServer } = await import('node:net');
  // A port that refuses connections: the JWKS endpoint is down.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  const s = await startServer({
    auth: {
      verifyBearer: jwtVerifier({
        jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
        issuer: 'idp',
        audience: 'chain',
      }),
    },
  });
  try {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'chain:read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('svc-3')
      .setIssuer('idp')
      .setAudience('chain')
      .setExpirationTime('5m')
      .sign(privateKey);
    for (const protocol of ['grpc', 'connect-json'] as Protocol[]) {
      const client = clientFor(protocol, s.baseUrl, { authorization: `Bearer ${token}` });
      expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe(Code.Unavailable);
    }
  } finally {
    await s.close();
  }
});
