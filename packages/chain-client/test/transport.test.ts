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
import { ChainError, chainHealthCheck, createChainClient } from '@mystira/chain-client';
import { createHealthRegistry } from '@mystira/health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRoutes, type ObservedCall, serveFake } from './support/fake-chain.js';

let dir: string;
const pem = (name: string) => readFileSync(join(dir, name));

beforeAll(() => {
  // A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it.
  dir = mkdtempSync(join(tmpdir(), 'chain-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
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
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.csr`,
      '-subj',
      `/CN=${who}`,
    );
  }
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  ssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.pem',
    '-days',
    '1',
  );
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
      const client = createChainClient({
        baseUrl: url,
        protocol,
        tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') },
      });
      try {
        expect((await client.getServiceInfo()).serviceName).toBe('fake-chain');
      } finally {
        client.close();
      }
    }
    expect(peers.at(-1)).toBe('client');
  });

  it('verifies the server certificate by default', async () => {
    const client = createChainClient({
      baseUrl: url,
      retry: false,
      tls: { cert: pem('client.pem'), key: pem('client.key') },
    });
    try {
      const err = await client.getServiceInfo().catch((e) => e);
      expect(err).toBeInstanceOf(ChainError);
      // Our CA is not in the default trust store: the handshake fails, nothing is sent.
      expect(err.message).toMatch(/certificate|self.signed|verify/i);
    } finally {
      client.close();
    }
  });

  it('rejectUnauthorized: false skips verification (development only)', async () => {
    const client = createChainClient({
      baseUrl: url,
      tls: { rejectUnauthorized: false, cert: pem('client.pem'), key: pem('client.key') },
    });
    try {
      expect(await client.isRegistered('x')).toBe(false);
    } finally {
      client.close();
    }
  });
});

/** The fake on a cleartext HTTP/2 server that counts the sessions clients open and their PINGs. */
async function sessionCountingServer(observed: ObservedCall[] = []) {
  const counts = { sessions: 0, pings: 0 };
  const raw = http2.createServer();
  raw.on('session', (session) => {
    counts.sessions++;
    session.on('ping', () => counts.pings++);
  });
  raw.on('request', connectNodeAdapter({ routes: fakeRoutes({}, observed) }));
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`,
    counts,
    close: () => new Promise<void>((r) => raw.close(() => r())),
  };
}

describe('HTTP/2 sessions', () => {
  it('reuses one session for every call and every protocol, and pings during a long call', async () => {
    const adapterObserved: ObservedCall[] = [];
    const raw = await sessionCountingServer(adapterObserved);
    let protocol: 'grpc' | 'grpc-web' | 'connect' = 'grpc';
    const client = createChainClient({
      baseUrl: raw.url,
      protocol: () => protocol,
      http2: { pingIntervalMs: 50, pingTimeoutMs: 5000 },
    });
    try {
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
    } finally {
      client.close();
      await raw.close();
    }
  });
});

describe('connection pool', () => {
  it('spreads calls round-robin over `connections` HTTP/2 sessions', async () => {
    const raw = await sessionCountingServer();
    const client = createChainClient({ baseUrl: raw.url, http2: { connections: 3 } });
    try {
      await Promise.all(Array.from({ length: 12 }, (_, i) => client.isRegistered(`c${i}`)));
      expect(raw.counts.sessions).toBe(3);
      await Promise.all(Array.from({ length: 12 }, () => client.getServiceInfo()));
      expect(raw.counts.sessions).toBe(3);
    } finally {
      client.close();
      await raw.close();
    }
  });
});

describe('as a @mystira/health check', () => {
  it('is healthy while the service serves', async () => {
    const s = await serveFake();
    const client = createChainClient({ baseUrl: s.url });
    try {
      const registry = createHealthRegistry();
      registry.register(chainHealthCheck(client));
      const report = await registry.run();
      expect(report.status).toBe('healthy');
      expect(report.checks[0]).toMatchObject({ name: 'chain', status: 'healthy' });
      await s.close();
      const down = await registry.run();
      expect(down.status).toBe('unhealthy');
    } finally {
      client.close();
    }
  });
});
