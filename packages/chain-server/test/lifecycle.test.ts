/**
 * Server lifecycle over real sockets: graceful shutdown (unary calls finish, streams end with
 * UNAVAILABLE, health flips to NOT_SERVING, the port stops accepting), TLS with ALPN for both
 * HTTP/2 and HTTP/1.1, plaintext preface sniffing, CORS.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Code, createClient } from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import { ChainService } from '@mystira/chain-protos';
import {
  type AssetRecord,
  createChainServer,
  DevnetLedger,
  type RegisterAssetInput,
} from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, registration, startServer } from './helpers.js';

const exec = promisify(execFile);

/** A devnet whose registrations wait for a gate: a unary call that is in flight on demand. */
class GatedLedger extends DevnetLedger {
  gate: Promise<void> = Promise.resolve();
  entered: () => void = () => {};
  override async registerAsset(input: RegisterAssetInput): Promise<AssetRecord> {
    this.entered();
    await this.gate;
    return super.registerAsset(input);
  }
}

describe('graceful shutdown', () => {
  it('finishes unary calls, ends streams with UNAVAILABLE, reports NOT_SERVING, then stops', async () => {
    const ledger = new GatedLedger({ blockIntervalMs: 0 });
    const r = await startServer({ ledger });
    const client = clientFor('grpc', r.baseUrl);
    const first = await client.registerIpAsset(registration());
    let open!: () => void;
    ledger.gate = new Promise((resolve) => {
      open = resolve;
    });
    const entered = new Promise<void>((resolve) => {
      ledger.entered = resolve;
    });
    const inFlight = client.registerIpAsset(registration());
    const watch = (async () => {
      for await (const _ of clientFor('connect-json', r.baseUrl).watchTransactions({
        transactionHashes: [first.registrationTxHash as string],
      })) {
        // current state, then waits
      }
    })();
    await entered;
    const closing = r.server.close({ deadlineMs: 10_000 });
    await expect(watch).rejects.toMatchObject({ code: Code.Unavailable });
    expect(r.server.health?.statusBoard.get('')).toBe('NOT_SERVING');
    open();
    const done = await inFlight;
    expect(done.registrationTxHash).toMatch(/^0x/);
    await closing;
    // The port no longer accepts connections.
    await expect(
      new Promise((resolve, reject) =>
        net.connect(r.port, '127.0.0.1').once('connect', resolve).once('error', reject),
      ),
    ).rejects.toThrow();
  });

  it('destroys connections that outlive the deadline', async () => {
    const r = await startServer();
    const client = clientFor('grpc', r.baseUrl);
    const a = await client.registerIpAsset(registration());
    // A reader that never reads on: its stream is ended by shutdown, the socket destroyed by the deadline.
    const abort = new AbortController();
    const it = client
      .watchTransactions(
        { transactionHashes: [a.registrationTxHash as string] },
        { signal: abort.signal },
      )
      [Symbol.asyncIterator]();
    await it.next();
    await r.server.close({ deadlineMs: 200 });
    abort.abort();
  });
});

describe('TLS with ALPN', () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chain-server-tls-'));
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves gRPC over h2 and gRPC-Web / Connect over HTTP/1.1 on one TLS port', async () => {
    const server = createChainServer({
      ledger: new DevnetLedger({ blockIntervalMs: 0 }),
      tls: { key, cert },
    });
    const { port } = await server.listen(0);
    try {
      const baseUrl = `https://localhost:${port}`;
      const nodeOptions = { ca: cert };
      const grpc = createClient(ChainService, createGrpcTransport({ baseUrl, nodeOptions }));
      expect((await grpc.getServiceInfo({})).network).toBe('devnet');
      const web = createClient(
        ChainService,
        createGrpcWebTransport({ baseUrl, httpVersion: '1.1', nodeOptions }),
      );
      expect((await web.isRegistered({ contentId: 'x' })).isRegistered).toBe(false);
      const connect = createClient(
        ChainService,
        createConnectTransport({ baseUrl, httpVersion: '1.1', nodeOptions }),
      );
      expect((await connect.isRegistered({ contentId: 'y' })).contentId).toBe('y');
      // ALPN picks http/1.1 for a client that offers only that.
      const protocol = await new Promise<string>((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port,
            path: '/mystira.chain.v1.ChainService/IsRegistered',
            method: 'POST',
            ca: cert,
            servername: 'localhost',
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(`${res.httpVersion} ${res.statusCode}`);
          },
        );
        req.on('error', reject);
        req.end('{"contentId":"z"}');
      });
      expect(protocol).toBe('1.1 200');
    } finally {
      await server.close({ deadlineMs: 1000 });
    }
  });
});

describe('CORS', () => {
  it('answers preflights for configured origins only and exposes the gRPC-Web headers', async () => {
    const r = await startServer({ corsOrigins: ['https://publisher.example'] });
    try {
      const url = `${r.baseUrl}/mystira.chain.v1.ChainService/IsRegistered`;
      const headers = {
        origin: 'https://publisher.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-api-key',
      };
      const ok = await fetch(url, { method: 'OPTIONS', headers });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://publisher.example');
      expect(ok.headers.get('access-control-allow-headers')).toMatch(/x-api-key/i);
      const other = await fetch(url, {
        method: 'OPTIONS',
        headers: { ...headers, origin: 'https://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const call = await fetch(url, {
        method: 'POST',
        headers: { origin: 'https://publisher.example', 'content-type': 'application/json' },
        body: '{"contentId":"c"}',
      });
      expect(call.headers.get('access-control-allow-origin')).toBe('https://publisher.example');
      expect(call.headers.get('access-control-expose-headers')).toMatch(/grpc-status/i);
    } finally {
      await r.close();
    }
  });
});

describe('preface sniffing', () => {
  it('routes a connection whose first bytes arrive one at a time', async () => {
    const r = await startServer();
    try {
      const socket = net.connect(r.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const request =
        'POST /mystira.chain.v1.ChainService/IsRegistered HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 17\r\nconnection: close\r\n\r\n{"contentId":"s"}';
      for (const ch of request.slice(0, 3)) {
        socket.write(ch);
        await new Promise((res) => setTimeout(res, 5));
      }
      socket.write(request.slice(3));
      const chunks: Buffer[] = [];
      for await (const c of socket) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1.1 200/);
    } finally {
      await r.close();
    }
  });
});

describe('deadlines', () => {
  it.each([true, false])(
    'a unary call past its deadline gets DEADLINE_EXCEEDED (fastPath=%s)',
    async (fastPath) => {
      const ledger = new GatedLedger({ blockIntervalMs: 0 });
      ledger.gate = new Promise(() => {}); // registrations never finish
      const r = await startServer({ ledger, fastPath });
      try {
        for (const protocol of ['grpc', 'connect-json'] as const) {
          const client = clientFor(protocol, r.baseUrl);
          await expect(
            client.registerIpAsset(registration(), { timeoutMs: 150 }),
          ).rejects.toMatchObject({
            code: Code.DeadlineExceeded,
          });
          // Within its deadline a call answers normally.
          expect(
            (await client.isRegistered({ contentId: 'x' }, { timeoutMs: 5000 })).contentId,
          ).toBe('x');
        }
      } finally {
        await r.close();
      }
    },
  );
});
