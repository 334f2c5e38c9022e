/** Runs the host as `npm start` would (node src/main.ts) and calls it over real sockets. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ChainService } from '@mystira/chain-protos';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, parseApiKeys } from '../src/config.ts';
import { freePort, startHost, stopHost } from './run-host.ts';

const { version } = JSON.parse(
  readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'),
) as { version: string };
let child: ChildProcess | undefined;

/** Starts the host (stopped after each test); resolves with its log lines once it listens. */
async function start(env: Record<string, string>): Promise<{ logs: Record<string, unknown>[] }> {
  const host = await startHost(env);
  child = host.child;
  return { logs: host.logs };
}

afterEach(async () => {
  await stopHost(child);
  child = undefined;
});

describe('host', () => {
  it('runs open on a devnet, says so, serves gRPC and Connect JSON, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { logs } = await start({
      PORT: String(port),
      BLOCK_INTERVAL_MS: '50',
      CONFIRMATIONS: '1',
    });
    expect(logs.some((l) => String(l.msg).includes('OPEN'))).toBe(true);
    const client = createClient(
      ChainService,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }),
    );
    // The host's release from its package.json, not the server's 0.0.0 default.
    const info = await client.getServiceInfo({});
    expect(info).toMatchObject({ network: 'devnet', serviceName: 'mystira-chain-server' });
    expect(info.version).toBe(version);
    expect(info.version).not.toBe('0.0.0');
    const res = await fetch(`http://127.0.0.1:${port}/mystira.chain.v1.ChainService/IsRegistered`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"contentId":"demo"}',
    });
    expect(await res.json()).toEqual({ contentId: 'demo' });
    // One access-log line per call.
    await vi.waitFor(() =>
      expect(
        logs.some(
          (l) =>
            l.msg === 'call' &&
            l.procedure === '/mystira.chain.v1.ChainService/IsRegistered' &&
            l.code === 'OK',
        ),
      ).toBe(true),
    );
    const exited = new Promise<number | null>((r) => child?.once('exit', r));
    child?.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('requires API keys when CHAIN_API_KEYS is set', async () => {
    const port = await freePort();
    await start({ PORT: String(port), CHAIN_API_KEYS: 'app:s3cret,dash:s3cret2/read' });
    const call = (key?: string) =>
      fetch(`http://127.0.0.1:${port}/mystira.chain.v1.ChainService/GetServiceInfo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: '{}',
      }).then((r) => r.status);
    expect(await call()).toBe(401);
    expect(await call('s3cret2')).toBe(200);
  });

  it('verifies bearer JWTs from CHAIN_JWKS_URL for the configured issuer and audience', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const jwks = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    try {
      const port = await freePort();
      const { logs } = await start({
        PORT: String(port),
        CHAIN_JWKS_URL: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks`,
        CHAIN_JWT_ISSUER: 'https://idp.test/',
        CHAIN_JWT_AUDIENCE: 'mystira-chain',
      });
      expect(logs.some((l) => String(l.msg).includes('OPEN'))).toBe(false);
      const token = (aud: string) =>
        new SignJWT({ scope: 'chain:read' })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuer('https://idp.test/')
          .setAudience(aud)
          .setSubject('publisher-1')
          .setExpirationTime('5m')
          .sign(privateKey);
      const call = async (authorization?: string) =>
        (
          await fetch(`http://127.0.0.1:${port}/mystira.chain.v1.ChainService/GetServiceInfo`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(authorization ? { authorization } : {}),
            },
            body: '{}',
          })
        ).status;
      expect(await call()).toBe(401);
      expect(await call(`Bearer ${await token('another-service')}`)).toBe(401);
      expect(await call(`Bearer ${await token('mystira-chain')}`)).toBe(200);
    } finally {
      jwks.close();
    }
  });

  it('limits each caller (RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST): 429 resource_exhausted', async () => {
    const port = await freePort();
    await start({ PORT: String(port), RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
    const call = async () => {
      const res = await fetch(
        `http://127.0.0.1:${port}/mystira.chain.v1.ChainService/IsRegistered`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"contentId":"x"}',
        },
      );
      return { status: res.status, body: (await res.json()) as { code?: string } };
    };
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('resource_exhausted');
  });
});

describe('telemetry', () => {
  it("continues callers' traces, puts trace ids in the access log, serves /metrics and exports OTLP", async () => {
    const received: { path: string; body: Buffer }[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const collectorPort = (collector.address() as { port: number }).port;
    try {
      const port = await freePort();
      const metricsPort = await freePort();
      const { logs } = await start({
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
      });
      const traceId = '5b8efff798038103d269b633813fc60c';
      const res = await fetch(
        `http://127.0.0.1:${port}/mystira.chain.v1.ChainService/IsRegistered`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            traceparent: `00-${traceId}-eee19b7ec3c1b174-01`,
          },
          body: '{"contentId":"traced"}',
        },
      );
      expect(res.status).toBe(200);
      await vi.waitFor(() =>
        expect(logs.find((l) => l.msg === 'call' && l.trace_id === traceId)).toBeDefined(),
      );
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/rpc_server_duration\w*_count\{[^}]*rpc_method="IsRegistered"/);

      // SIGTERM flushes the batched spans to the collector.
      const exited = new Promise<number | null>((r) => child?.once('exit', r));
      child?.kill('SIGTERM');
      expect(await exited).toBe(0);
      const traces = received.filter((r) => r.path === '/v1/traces');
      const all = Buffer.concat(traces.map((t) => t.body));
      expect(all.includes('mystira.chain.v1.ChainService/IsRegistered')).toBe(true);
      expect(all.includes('ledger.getAssetByContentId')).toBe(true);
      expect(all.includes(Buffer.from(traceId, 'hex'))).toBe(true);
      expect(all.includes('mystira-chain-server')).toBe(true);
    } finally {
      collector.close();
    }
  });
});

describe('config', () => {
  it('reads defaults and rejects bad values with the variable named', () => {
    expect(loadConfig({})).toMatchObject({
      ledger: { kind: 'devnet' },
      port: 50051,
      host: '127.0.0.1',
      blockIntervalMs: 1000,
      confirmations: 3,
      apiKeys: [],
      metricsPort: 9464,
      heapGrowingPercent: 0,
    });
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HEAP_GROWING_PERCENT: '20' }).heapGrowingPercent).toBe(20);
    expect(() => loadConfig({ HEAP_GROWING_PERCENT: '-5' })).toThrow(/HEAP_GROWING_PERCENT/);
    expect(loadConfig({ METRICS_PORT: 'off' }).metricsPort).toBeUndefined();
    expect(() => loadConfig({ METRICS_PORT: 'x' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ PORT: 'x' })).toThrow(/PORT/);
    expect(() => loadConfig({ TLS_CERT_FILE: 'a' })).toThrow(ConfigError);
    const [hashed] = parseApiKeys(`ops:sha256=${'a'.repeat(64)}/read`);
    expect(hashed).toEqual({ id: 'ops', sha256: 'a'.repeat(64), scopes: ['chain:read'] });
    expect(() => parseApiKeys('nocolon')).toThrow(ConfigError);
    expect(loadConfig({}).rateLimit).toEqual({ perSecond: 100, burst: 200 });
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: 'off' }).rateLimit).toBeUndefined();
    expect(() => loadConfig({ RATE_LIMIT_PER_SECOND: '0' })).toThrow(/RATE_LIMIT_PER_SECOND/);
    // JWT settings come as a set, and keys only over TLS (or from this machine).
    expect(() => loadConfig({ CHAIN_JWKS_URL: 'https://idp/jwks' })).toThrow(/together/);
    const jwt = {
      CHAIN_JWKS_URL: 'http://idp.example/jwks',
      CHAIN_JWT_ISSUER: 'https://idp.example/',
      CHAIN_JWT_AUDIENCE: 'chain',
    };
    expect(() => loadConfig(jwt)).toThrow(/https/);
    expect(loadConfig({ ...jwt, CHAIN_JWKS_URL: 'https://idp.example/jwks' }).jwt?.audience).toBe(
      'chain',
    );
  });
});
