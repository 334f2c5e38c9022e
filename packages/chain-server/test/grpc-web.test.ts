/**
 * The lean unary path against the Connect router at the byte level: for any request body —
 * well-formed calls, handler errors, garbage, truncated, compressed-flagged, oversize or
 * several envelopes — both answer alike. gRPC-Web over HTTP/1.1 and HTTP/2: same status, content
 * type and body bytes, trailer frame included. gRPC: same grpc-status, grpc-message, details and
 * body (the router may send a trailers-only response where the lean path sends headers and
 * trailers; clients read both the same way).
 */
import * as http2 from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import { trailerFlag, trailerParse } from '@connectrpc/connect/protocol-grpc-web';
import {
  GetRoyaltyConfigurationRequestSchema,
  IsRegisteredRequestSchema,
  RegisterIpAssetRequestSchema,
} from '@mystira/chain-protos';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcFrame, type Running, rawH2, registration, startServer } from './helpers.js';

const SERVICE = '/mystira.chain.v1.ChainService';
const ORIGIN = 'https://publisher.example';

interface WebResponse {
  status: number;
  contentType: string | undefined;
  allowOrigin: string | undefined;
  body: Buffer;
}

async function overHttp1(
  port: number,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<WebResponse> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1', ...headers },
    body: new Uint8Array(body),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? undefined,
    allowOrigin: res.headers.get('access-control-allow-origin') ?? undefined,
    body: Buffer.from(await res.arrayBuffer()),
  };
}

async function overHttp2(
  port: number,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<WebResponse> {
  const res = await rawH2(
    port,
    path,
    { 'content-type': 'application/grpc-web+proto', ...headers },
    body,
  );
  return {
    status: res.status,
    contentType: res.headers['content-type'] as string | undefined,
    allowOrigin: res.headers['access-control-allow-origin'] as string | undefined,
    body: res.body,
  };
}

/** The frames of a gRPC-Web body: messages, then the trailer frame with the status. */
function framesOf(body: Buffer): { messages: Buffer[]; trailer: Headers | undefined } {
  const messages: Buffer[] = [];
  let trailer: Headers | undefined;
  for (let at = 0; at + 5 <= body.length; ) {
    const length = body.readUInt32BE(at + 1);
    const data = body.subarray(at + 5, at + 5 + length);
    if (body[at] === trailerFlag) trailer = trailerParse(data);
    else messages.push(data);
    at += 5 + length;
  }
  return { messages, trailer };
}

const isRegistered = (contentId: string) =>
  grpcFrame(toBinary(IsRegisteredRequestSchema, create(IsRegisteredRequestSchema, { contentId })));

describe('gRPC-Web: the lean path answers as the Connect router does', () => {
  let lean: Running;
  let router: Running;
  beforeAll(async () => {
    const options = { corsOrigins: [ORIGIN], limits: { readMaxBytes: 2048 } };
    [lean, router] = await Promise.all([
      startServer({ ...options, fastPath: true }),
      startServer({ ...options, fastPath: false }),
    ]);
  });
  afterAll(() => Promise.all([lean.close(), router.close()]));

  /**
   * Requests whose answers do not depend on the ledger's state (both ledgers start empty), as
   * recipes (a failing case prints the recipe, not kilobytes of body).
   */
  const request = fc
    .oneof(
      // Well-formed calls: any content id, valid or not (empty, long, odd characters).
      fc.record({
        method: fc.constant('IsRegistered'),
        envelopes: fc.tuple(
          fc.record({ flags: fc.constant(0), id: fc.string({ unit: 'binary', maxLength: 300 }) }),
        ),
      }),
      fc.record({
        method: fc.constant('GetRoyaltyConfiguration'),
        envelopes: fc.tuple(fc.record({ flags: fc.constant(0), id: fc.string({ maxLength: 80 }) })),
      }),
      // Any sequence of envelopes: any flags, sizes up to readMaxBytes (2048), or one over it
      // first. (Where an oversize envelope comes later, the router's answer depends on how the
      // body was split into chunks on the way: it checks sizes per chunk it has received.)
      fc.record({
        method: fc.constant('IsRegistered'),
        envelopes: fc
          .tuple(
            fc.boolean(),
            fc.array(
              fc.record({
                flags: fc.constantFrom(0, 0, 1, 2, 0x80, 0x81),
                id: fc.oneof(
                  fc.string({ maxLength: 20 }),
                  fc.integer({ min: 2030, max: 2039 }).map((n) => `long:${n}`),
                ),
              }),
              { maxLength: 3 },
            ),
          )
          .map(([oversize, rest]) => (oversize ? [{ flags: 0, id: 'long:2049' }, ...rest] : rest)),
      }),
      // Garbage message bytes.
      fc.record({ method: fc.constant('IsRegistered'), garbage: fc.uint8Array({ maxLength: 64 }) }),
    )
    // Cut short anywhere, or not.
    .chain((r) => fc.record({ recipe: fc.constant(r), cut: fc.option(fc.nat({ max: 30 })) }));

  type Recipe = typeof request extends fc.Arbitrary<infer T> ? T : never;

  /**
   * Whether a body cut short ends right after an envelope's 5-byte prefix. The router (connect-es
   * 2's envelope decoder) then drops that envelope silently and answers as if it were not there
   * ("missing input message", or the call itself); the lean path reports "incomplete envelope",
   * as the router does for an envelope cut anywhere else. The lean path must fail the call then.
   */
  function endsAfterAHeader(body: Buffer, cut: number | null): boolean {
    if (cut === null || cut === 0) return false;
    const end = Math.max(0, body.length - cut);
    let at = 0;
    while (at + 5 <= end) {
      if (at + 5 === end && body.readUInt32BE(at + 1) > 0) return true;
      at += 5 + body.readUInt32BE(at + 1);
    }
    return false;
  }

  function bodyOf({ recipe, cut }: Recipe): { path: string; body: Buffer; headerOnly: boolean } {
    const envelopes: ReadonlyArray<{ flags: number; id: string }> =
      'garbage' in recipe ? [] : recipe.envelopes;
    const body =
      'garbage' in recipe
        ? grpcFrame(recipe.garbage)
        : Buffer.concat(
            envelopes.map(({ flags, id }) => {
              const long = /^long:(\d+)$/.exec(id);
              const contentId = long ? 'x'.repeat(Number(long[1])) : id;
              const frame =
                recipe.method === 'IsRegistered'
                  ? isRegistered(contentId)
                  : grpcFrame(
                      toBinary(
                        GetRoyaltyConfigurationRequestSchema,
                        create(GetRoyaltyConfigurationRequestSchema, { ipAssetId: contentId }),
                      ),
                    );
              frame[0] = flags;
              return frame;
            }),
          );
    return {
      path: `${SERVICE}/${recipe.method}`,
      headerOnly: endsAfterAHeader(body, cut),
      body: cut === null ? body : body.subarray(0, Math.max(0, body.length - cut)),
    };
  }

  for (const [name, call] of [
    ['HTTP/1.1', overHttp1],
    ['HTTP/2', overHttp2],
  ] as const) {
    it(`same status, content type and body bytes over ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(request, async (recipe) => {
          const { path, body, headerOnly } = bodyOf(recipe);
          const headers = { origin: ORIGIN };
          const [a, b] = await Promise.all([
            call(lean.port, path, body, headers),
            call(router.port, path, body, headers),
          ]);
          if (headerOnly) {
            expect(framesOf(a.body).trailer?.get('grpc-status')).toMatch(/^[1-9]/);
            return;
          }
          expect(a.status).toBe(b.status);
          expect(a.contentType).toBe(b.contentType);
          expect(a.allowOrigin).toBe(ORIGIN);
          expect(b.allowOrigin).toBe(ORIGIN);
          const [fa, fb] = [framesOf(a.body), framesOf(b.body)];
          expect(fa.messages).toEqual(fb.messages);
          expect([...(fa.trailer ?? [])]).toEqual([...(fb.trailer ?? [])]);
          expect(a.body.equals(b.body)).toBe(true);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('gRPC: same grpc-status, message, details and body', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (recipe) => {
        const { path, body, headerOnly } = bodyOf(recipe);
        const headers = { 'content-type': 'application/grpc' };
        const [a, b] = await Promise.all([
          rawH2(lean.port, path, headers, body),
          rawH2(router.port, path, headers, body),
        ]);
        if (headerOnly) {
          expect(a.grpcStatus).toMatch(/^[1-9]/);
          return;
        }
        const status = (r: typeof a) => {
          const from = r.trailers['grpc-status'] !== undefined ? r.trailers : r.headers;
          return [
            r.status,
            ...['grpc-status', 'grpc-message', 'grpc-status-details-bin'].map((k) => from[k]),
          ];
        };
        expect(status(a)).toEqual(status(b));
        expect(a.body.equals(b.body)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("a body in many small pieces: read until decided, then the router's answer", async () => {
    /** Writes `body` 100 bytes at a time, as a slow client would. */
    const trickle = (port: number, contentType: string, body: Buffer) => {
      const session = http2.connect(`http://127.0.0.1:${port}`);
      return new Promise<string | undefined>((resolve, reject) => {
        const req = session.request({
          ':method': 'POST',
          ':path': `${SERVICE}/IsRegistered`,
          'content-type': contentType,
          te: 'trailers',
        });
        const chunks: Buffer[] = [];
        let status: string | undefined;
        req.on('response', (h) => {
          status = h['grpc-status'] as string | undefined;
        });
        req.on('trailers', (t) => {
          status = t['grpc-status'] as string | undefined;
        });
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const trailer = framesOf(Buffer.concat(chunks)).trailer;
          resolve(trailer?.get('grpc-status') ?? status);
        });
        req.on('error', reject);
        (async () => {
          for (let at = 0; at < body.length; at += 100) {
            if (req.destroyed || req.closed) return;
            req.write(body.subarray(at, at + 100));
            await new Promise((r) => setImmediate(r));
          }
          req.end();
        })().catch(reject);
      }).finally(() => session.close());
    };
    const three = Buffer.concat(
      [1, 2, 3].map((n) => isRegistered(`piece-${n}-${'y'.repeat(900)}`)),
    );
    for (const r of [lean, router]) {
      // A second whole message decides it: UNIMPLEMENTED, as the router says.
      expect(await trickle(r.port, 'application/grpc', three)).toBe(String(Code.Unimplemented));
    }
    // Only trailer-flagged envelopes (skipped by gRPC-Web), 20 × readMaxBytes of them: skipped
    // as they pass, never kept, and answered as the router answers them.
    const skipped = isRegistered('z'.repeat(2000));
    skipped[0] = 0x80;
    const endless = Buffer.concat(Array.from({ length: 20 }, () => skipped));
    const answers = await Promise.all(
      [lean, router].map((r) => trickle(r.port, 'application/grpc-web+proto', endless)),
    );
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).toBe(String(Code.Unimplemented));
  });

  it('a registration: the response message, then grpc-status 0 in the trailer frame', async () => {
    const req = create(RegisterIpAssetRequestSchema, registration());
    const res = await overHttp1(
      lean.port,
      `${SERVICE}/RegisterIpAsset`,
      grpcFrame(toBinary(RegisterIpAssetRequestSchema, req)),
      {},
    );
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/grpc-web+proto');
    const { messages, trailer } = framesOf(res.body);
    expect(messages).toHaveLength(1);
    expect(trailer?.get('grpc-status')).toBe('0');
  });

  it('errors travel in the trailer frame: validation, size limit, unknown enum', async () => {
    const statusOf = async (path: string, body: Buffer) => {
      const res = await overHttp2(lean.port, path, body, {});
      expect(res.status).toBe(200);
      const { messages, trailer } = framesOf(res.body);
      expect(messages).toHaveLength(0);
      return trailer;
    };
    const empty = await statusOf(`${SERVICE}/IsRegistered`, isRegistered(''));
    expect(empty?.get('grpc-status')).toBe(String(Code.InvalidArgument));
    expect(empty?.get('grpc-status-details-bin')).toBeTruthy();

    const big = await statusOf(`${SERVICE}/IsRegistered`, isRegistered('x'.repeat(4096)));
    expect(big?.get('grpc-status')).toBe(String(Code.ResourceExhausted));

    const req = create(RegisterIpAssetRequestSchema, registration());
    (req.contributors[0] as { contributorType: number }).contributorType = 42;
    const enumError = await statusOf(
      `${SERVICE}/RegisterIpAsset`,
      grpcFrame(toBinary(RegisterIpAssetRequestSchema, req)),
    );
    expect(enumError?.get('grpc-status')).toBe(String(Code.InvalidArgument));
    expect(enumError?.get('grpc-message')).toContain('contributor_type');
  });
});
