/**
 * A broken or hostile server (or anyone on a plaintext connection) must not make the Node client
 * buffer an arbitrarily large message: every protocol and call shape refuses a message larger
 * than 16 MiB with RESOURCE_EXHAUSTED, as the lean unary path always did. Connect's transports
 * default to 4 GiB per message.
 */
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import { type ChainProtocol, createChainClient } from '@mystira/chain-client';
import { IsRegisteredResponseSchema, TransactionUpdateSchema } from '@mystira/chain-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LIMIT = 16 * 1024 * 1024;
let server: http2.Http2Server;
let url: string;
let size = 0;

function envelope(bytes: Uint8Array, flags = 0): Buffer {
  const b = Buffer.alloc(5 + bytes.length);
  b[0] = flags;
  b.writeUInt32BE(bytes.length, 1);
  b.set(bytes, 5);
  return b;
}

/** Answers every call in the request's protocol with one message holding a `size`-byte string. */
function answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  const type = String(headers['content-type'] ?? '');
  const text = 'x'.repeat(size);
  if (String(headers[':path']).endsWith('/WatchTransactions')) {
    const msg = toBinary(
      TransactionUpdateSchema,
      create(TransactionUpdateSchema, { transactionHash: text, status: 3 }),
    );
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc' },
      { waitForTrailers: true },
    );
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(envelope(msg));
    return;
  }
  const msg = toBinary(
    IsRegisteredResponseSchema,
    create(IsRegisteredResponseSchema, { contentId: text, isRegistered: true }),
  );
  if (type.startsWith('application/grpc-web')) {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc-web+proto' });
    stream.end(Buffer.concat([envelope(msg), envelope(Buffer.from('grpc-status: 0\r\n'), 0x80)]));
  } else if (type.startsWith('application/grpc')) {
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc' },
      { waitForTrailers: true },
    );
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(envelope(msg));
  } else {
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    stream.end(JSON.stringify({ contentId: text, isRegistered: true }));
  }
}

beforeAll(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    // Read the request to its end first, as a real server does.
    stream.resume();
    stream.on('end', () => answer(stream, headers));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(protocol: ChainProtocol, leanUnary = true) {
  return createChainClient({
    baseUrl: url,
    protocol,
    leanUnary,
    retry: false,
    breaker: false,
    watch: { maxReconnects: 0 },
    timeoutMs: 30_000,
  });
}

const unary: [string, ChainProtocol, boolean][] = [
  ['gRPC, lean unary path', 'grpc', true],
  ["gRPC, Connect's transport", 'grpc', false],
  ['gRPC-Web', 'grpc-web', true],
  ['Connect JSON', 'connect', true],
];

describe('response size limit (16 MiB per message)', () => {
  it.each(unary)('%s: a message at the limit is read', async (_name, protocol, lean) => {
    size = LIMIT - 64;
    const chain = client(protocol, lean);
    try {
      expect((await chain.checkRegistration('c1')).contentId.length).toBe(size);
    } finally {
      chain.close();
    }
  });

  it.each(unary)('%s: a larger message is RESOURCE_EXHAUSTED', async (_name, protocol, lean) => {
    size = LIMIT + 1024;
    const chain = client(protocol, lean);
    try {
      const err = await chain.isRegistered('c1').catch((e) => e);
      expect(err?.codeName).toBe('RESOURCE_EXHAUSTED');
    } finally {
      chain.close();
    }
  });

  it('a server stream (watchTransactions): a larger message is RESOURCE_EXHAUSTED', async () => {
    size = LIMIT + 1024;
    const chain = client('grpc');
    try {
      const seen: string[] = [];
      const err = await (async () => {
        for await (const u of chain.watchTransactions(['0xabc'])) seen.push(u.transactionHash);
      })().catch((e) => e);
      expect(seen).toEqual([]);
      expect(err?.codeName).toBe('RESOURCE_EXHAUSTED');
    } finally {
      chain.close();
    }
  });
});
