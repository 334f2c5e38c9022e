/**
 * Malformed input at the protocol level (raw HTTP/2 and HTTP/1.1 requests): truncated and garbage
 * protobuf, oversize messages, unknown enum values, wrong content types. Each gets the right error
 * and the server keeps serving; the lean path and the Connect router answer alike.
 */
import { gzipSync } from 'node:zlib';
import { create, toBinary } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import { IsRegisteredRequestSchema, RegisterIpAssetRequestSchema } from '@mystira/chain-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, grpcFrame, type Running, rawH2, registration, startServer } from './helpers.js';

const IS_REGISTERED = '/mystira.chain.v1.ChainService/IsRegistered';
const REGISTER = '/mystira.chain.v1.ChainService/RegisterIpAsset';

async function h1(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer,
) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return {
    status: res.status,
    json: (await res.json().catch(() => undefined)) as { code?: string } | undefined,
  };
}

describe.each([true, false])('fastPath=%s', (fastPath) => {
  let r: Running;
  beforeAll(async () => {
    r = await startServer({ fastPath, limits: { readMaxBytes: 2048 } });
  });
  afterAll(async () => {
    // Whatever came before, the server still answers.
    expect(
      (await clientFor('grpc', r.baseUrl).isRegistered({ contentId: 'still-up' })).contentId,
    ).toBe('still-up');
    await r.close();
  });

  /** A raw gRPC request: `body` is sent as it is, frames and all. */
  const grpcCall = (path: string, body: Buffer) =>
    rawH2(r.port, path, { 'content-type': 'application/grpc' }, body);

  it('gRPC: garbage protobuf → INTERNAL (as grpc-js and connect report parse failures)', async () => {
    const res = await grpcCall(
      IS_REGISTERED,
      grpcFrame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
    );
    expect(res.grpcStatus).toBe(String(Code.Internal));
  });

  it('gRPC: a frame shorter than its declared length → an error status, not a hang', async () => {
    const frame = grpcFrame(
      toBinary(IsRegisteredRequestSchema, create(IsRegisteredRequestSchema, { contentId: 'abc' })),
    );
    const res = await grpcCall(IS_REGISTERED, frame.subarray(0, frame.length - 2));
    expect(res.grpcStatus).not.toBe('0');
    expect(res.grpcStatus).toBeDefined();
  });

  it('gRPC: oversize message → RESOURCE_EXHAUSTED', async () => {
    const big = create(RegisterIpAssetRequestSchema, {
      ...registration(),
      contentTitle: 'x'.repeat(4096),
    });
    const res = await grpcCall(REGISTER, grpcFrame(toBinary(RegisterIpAssetRequestSchema, big)));
    expect(res.grpcStatus).toBe(String(Code.ResourceExhausted));
  });

  it('gRPC: compressed flag without grpc-encoding → INTERNAL', async () => {
    const res = await grpcCall(IS_REGISTERED, grpcFrame(Buffer.from([0x0a, 0x01, 0x61]), true));
    expect(res.grpcStatus).toBe(String(Code.Internal));
  });

  it('gRPC: unknown enum value → INVALID_ARGUMENT naming the field', async () => {
    const req = create(RegisterIpAssetRequestSchema, registration());
    (req.contributors[0] as { contributorType: number }).contributorType = 42;
    const res = await grpcCall(REGISTER, grpcFrame(toBinary(RegisterIpAssetRequestSchema, req)));
    expect(res.grpcStatus).toBe(String(Code.InvalidArgument));
    expect(String(res.trailers['grpc-message'])).toContain('contributor_type');
  });

  it('wrong content type → 415', async () => {
    expect(
      (await rawH2(r.port, IS_REGISTERED, { 'content-type': 'text/plain' }, Buffer.from('hi')))
        .status,
    ).toBe(415);
    expect((await h1(r.port, IS_REGISTERED, { 'content-type': 'text/plain' }, 'hi')).status).toBe(
      415,
    );
  });

  it('Connect JSON: not JSON, wrong shape, unknown enum name → 400 invalid_argument', async () => {
    const json = { 'content-type': 'application/json' };
    for (const body of ['{not json', '{"contentId": 12}', '[]']) {
      const res = await h1(r.port, IS_REGISTERED, json, body);
      expect(res.status, body).toBe(400);
      expect(res.json?.code).toBe('invalid_argument');
    }
    const bad = JSON.stringify({
      ...registration(),
      contributors: [
        {
          walletAddress: '0x1111111111111111111111111111111111111111',
          contributorType: 'CONTRIBUTOR_TYPE_WIZARD',
          shareBasisPoints: 10000,
        },
      ],
    });
    expect((await h1(r.port, REGISTER, json, bad)).json?.code).toBe('invalid_argument');
  });

  it('Connect JSON: invalid UTF-8 is refused (400), never replaced with U+FFFD', async () => {
    const json = { 'content-type': 'application/json' };
    // "caf\xe9" (Latin-1) would otherwise become "caf\ufffd", colliding with every such id.
    const latin1 = Buffer.concat([
      Buffer.from('{"contentId":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]);
    const res = await h1(r.port, IS_REGISTERED, json, latin1);
    expect(res.status).toBe(400);
    expect(res.json?.code).toBe('invalid_argument');
    // Compressed, so the Connect router decodes it: the same answer.
    const gzipped = await h1(
      r.port,
      IS_REGISTERED,
      { ...json, 'content-encoding': 'gzip' },
      gzipSync(latin1),
    );
    expect(gzipped.status).toBe(400);
    expect(gzipped.json?.code).toBe('invalid_argument');
    // Valid UTF-8, including a real U+FFFD, still works.
    const ok = await h1(r.port, IS_REGISTERED, json, JSON.stringify({ contentId: 'café\ufffd' }));
    expect(ok.status).toBe(200);
  });

  it('Connect binary: garbage → an error JSON body; oversize → resource_exhausted', async () => {
    const proto = { 'content-type': 'application/proto' };
    const garbage = await h1(
      r.port,
      IS_REGISTERED,
      proto,
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    );
    expect(garbage.json?.code).toBe('internal');
    const big = await h1(
      r.port,
      IS_REGISTERED,
      { 'content-type': 'application/json' },
      JSON.stringify({ contentId: 'x'.repeat(5000) }),
    );
    expect(big.json?.code).toBe('resource_exhausted');
  });

  it('unknown method → 404 / UNIMPLEMENTED', async () => {
    const res = await grpcCall('/mystira.chain.v1.ChainService/Nope', grpcFrame(Buffer.alloc(0)));
    expect(res.status === 404 || res.grpcStatus === String(Code.Unimplemented)).toBe(true);
  });
});
