/**
 * What the Node transport promises about connections: TLS options honoured (custom CA, client
 * certificate for mutual TLS, certificate verification on by default), one HTTP/2 session reused
 * by every call and protocol, keep-alive PINGs on an idle connection; and the client as a
 * @mystira/health check.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import {
  ChainError,
  chainHealthCheck,
  createChainClient,
  type NodeChainClientOptions,
} from '@mystira/chain-client';
import { createHealthRegistry } from '@mystira/health';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { fakeRoutes, type ObservedCall, serveFake } from './support/fake-chain.js';

let dir: string;
const pem = (name: string) => readFileSync(join(dir, name));

/** A client for the running test, closed when it ends (before any server the test started). */
function testClient(options: NodeChainClientOptions) {
  const client = createChainClient(options);
  onTestFinished(() => client.close());
  return client;
}

beforeAll(() => {
  // A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it.
  dir = mkdtempSync(join(tmpdir(), 'chain-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  // Every certificate gets its own P-256 key, left unencrypted.
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
  );
  for (const who of ['server', 'client']) {
    ssl('req', ...newKey, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
  }
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  // The CA signs each request, valid for a day; the server's certificate also names 127.0.0.1.
  const signByCa = (who: string, ...extra: string[]) =>
    ssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.pem`,
      '-days',
      '1',
      ...extra,
    );
  signByCa('server', '-extfile', 'san.ext');
  signByCa('client');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  let server: http2.Http2SecureServer;
  let url: string;
  const observed: ObservedCall[] = [];
  const peers: string[] = [];
  beforeAll(async () => {
    const adapter = connectNodeAdapter({ routes: fakeRoutes({}, observed) });
    server = http2.createSecureServer(
      {
        key: pem('server.key'),
        cert: pem('server.pem'),
        ca: pem('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
        allowHTTP1: false,
      },
      (req, res) => {
        peers.push(
          String((req.socket as import('node:tls').TLSSocket).getPeerCertificate()?.subject?.CN),
        );
        adapter(req, res);
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('mutual TLS with a custom CA and a client certificate, over each protocol', async () => {
    for (const protocol of ['grpc', 'grpc-web', 'connect'] as const) {
      const client = testClient({
        baseUrl: url,
        protocol,
        tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') },
      });
      expect((await client.getServiceInfo()).serviceName).toBe('fake-chain');
    }
    expect(peers.at(-1)).toBe('client');
  });

  it('verifies the server certificate by default', async () => {
    const client = testClient({
      baseUrl: url,
      retry: false,
      tls: { cert: pem('client.pem'), key: pem('client.key') },
    });
    const err = await client.getServiceInfo().catch((e) => e);
    expect(err).toBeInstanceOf(ChainError);
    // Our CA is not in the default trust store: the handshake fails, nothing is sent.
    expect(err.message).toMatch(/certificate|self.signed|verify/i);
  });

  it('rejectUnauthorized: false skips verification (development only)', async () => {
    const client = testClient({
      baseUrl: url,
      tls: { rejectUnauthorized: false, cert: pem('client.pem'), key: pem('client.key') },
    });
    expect(await client.isRegistered('x')).toBe(false);
  });
});

/**
 * The fake on a cleartext HTTP/2 server that counts the sessions clients open and their PINGs,
 * for the running test: closed when it ends, after the clients the test made.
 */
async function sessionCountingServer(observed: ObservedCall[] = []) {
  const counts = { sessions: 0, pings: 0 };
  const raw = http2.createServer();
  raw.on('session', (session) => {
    counts.sessions++;
    session.on('ping', () => counts.pings++);
  });
  raw.on('request', connectNodeAdapter({ routes: fakeRoutes({}, observed) }));
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  onTestFinished(() => new Promise<void>((r) => raw.close(() => r())));
  return { url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, counts };
}

describe('HTTP/2 sessions', () => {
  it('reuses one session for every call and every protocol, and pings during a long call', async () => {
    const adapterObserved: ObservedCall[] = [];
    const raw = await sessionCountingServer(adapterObserved);
    let protocol: 'grpc' | 'grpc-web' | 'connect' = 'grpc';
    const client = testClient({
      baseUrl: raw.url,
      protocol: () => protocol,
      http2: { pingIntervalMs: 50, pingTimeoutMs: 5000 },
    });
    for (protocol of ['grpc', 'grpc-web', 'connect', 'grpc'] as const) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => client.isRegistered(`c${i}`)));
    }
    expect(adapterObserved).toHaveLength(40);
    expect(raw.counts.sessions).toBe(1);
    // A watch on a transaction that stays PENDING keeps a stream open: the connection is
    // verified with PINGs while it waits.
    const it = client.watchTransactions(['0xpending'])[Symbol.asyncIterator]();
    await it.next();
    await expect.poll(() => raw.counts.pings, { timeout: 5000 }).toBeGreaterThan(0);
    await it.return?.();
    expect(raw.counts.sessions).toBe(1);
  });
});

describe('connection pool', () => {
  it('spreads calls round-robin over `connections` HTTP/2 sessions', async () => {
    const raw = await sessionCountingServer();
    const client = testClient({ baseUrl: raw.url, http2: { connections: 3 } });
    await Promise.all(Array.from({ length: 12 }, (_, i) => client.isRegistered(`c${i}`)));
    expect(raw.counts.sessions).toBe(3);
    await Promise.all(Array.from({ length: 12 }, () => client.getServiceInfo()));
    expect(raw.counts.sessions).toBe(3);
  });
});

describe('as a @mystira/health check', () => {
  it('is healthy while the service serves', async () => {
    const s = await serveFake();
    const client = testClient({ baseUrl: s.url });
    const registry = createHealthRegistry();
    registry.register(chainHealthCheck(client));
    const report = await registry.run();
    expect(report.status).toBe('healthy');
    expect(report.checks[0]).toMatchObject({ name: 'chain', status: 'healthy' });
    await s.close();
    const down = await registry.run();
    expect(down.status).toBe('unhealthy');
  });
});
