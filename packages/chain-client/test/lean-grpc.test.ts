/**
 * The lean unary gRPC path against a hand-written node:http2 server, for the corners a
 * well-behaved server never shows: trailers-only errors, HTTP errors without grpc-status,
 * refused streams, percent-encoded messages, malformed frames.
 */
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  ChainError,
  ChainInvalidArgumentError,
  ChainUnavailableError,
  ChainUnsupportedError,
  createChainClient,
} from '@mystira/chain-client';
import { IsRegisteredResponseSchema } from '@mystira/chain-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Behaviour = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;
let behaviour: Behaviour = () => {};
let server: http2.Http2Server;
let url: string;

beforeAll(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    behaviour(stream, headers);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function frame(bytes: Uint8Array): Buffer {
  const b = Buffer.alloc(5 + bytes.length);
  b.writeUInt32BE(bytes.length, 1);
  b.set(bytes, 5);
  return b;
}

async function call(b: Behaviour) {
  behaviour = b;
  const client = createChainClient({ baseUrl: url, retry: false, breaker: false });
  try {
    return await client.checkRegistration('c1');
  } finally {
    client.close();
  }
}

describe('lean gRPC unary path', () => {
  it('sends a well-formed gRPC request and reads headers + message + trailers', async () => {
    let seen: http2.IncomingHttpHeaders = {};
    const res = await call((stream, headers) => {
      seen = headers;
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc' },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(
        frame(
          toBinary(
            IsRegisteredResponseSchema,
            create(IsRegisteredResponseSchema, { contentId: 'c1', isRegistered: true }),
          ),
        ),
      );
    });
    expect(res).toEqual({ contentId: 'c1', registered: true });
    expect(seen['content-type']).toBe('application/grpc+proto');
    expect(seen.te).toBe('trailers');
    expect(seen['grpc-timeout']).toMatch(/^\d+m$/);
  });

  it('maps a trailers-only error with a percent-encoded message', async () => {
    const err = await call((stream) => {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '3',
          'grpc-message': 'bad%20id%20%E2%9C%97',
        },
        { endStream: true },
      );
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainInvalidArgumentError);
    expect(err.message).toBe('bad id ✗');
  });

  it('maps HTTP statuses without grpc-status as the gRPC spec says', async () => {
    const err503 = await call((stream) => {
      stream.respond({ ':status': 503 }, { endStream: true });
    }).catch((e) => e);
    expect(err503).toBeInstanceOf(ChainUnavailableError);
    const err404 = await call((stream) => {
      stream.respond({ ':status': 404 }, { endStream: true });
    }).catch((e) => e);
    expect(err404).toBeInstanceOf(ChainUnsupportedError);
  });

  it('a refused stream is UNAVAILABLE (safe to retry: the server did nothing)', async () => {
    const err = await call((stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ChainUnavailableError);
  });

  it('rejects a malformed response frame and a missing grpc-status', async () => {
    const bad = await call((stream) => {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc' },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 9, 1, 2]));
    }).catch((e) => e);
    expect(bad).toBeInstanceOf(ChainError);
    expect(bad.codeName).toBe('UNIMPLEMENTED');
    const missing = await call((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.end();
    }).catch((e) => e);
    expect(missing.codeName).toBe('INTERNAL');
  });
});
