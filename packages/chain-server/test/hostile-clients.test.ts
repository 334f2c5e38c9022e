/**
 * The stream lifecycle, fuzzed: a fast-check model of hostile HTTP/2 and HTTP/1.1 clients that
 * open streams, send partial envelope prefixes and bodies, end, reset (RST_STREAM), send GOAWAY,
 * destroy their sockets and stall, in any order, against gRPC, gRPC-Web and Connect on the lean
 * path and on the Connect router. After every run the server still answers a normal call, and
 * once the clients are gone no request byte, timer or listener of theirs is left.
 *
 * A crash shows as an uncaught exception, which fails the run (the server is in this process).
 */
import { getEventListeners } from 'node:events';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import { IsRegisteredRequestSchema } from '@mystira/chain-protos';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, protocols, type Running, startServer } from './helpers.js';

const PATHS = [
  '/mystira.chain.v1.ChainService/IsRegistered',
  '/mystira.chain.v1.ChainService/RegisterIpAsset',
  '/mystira.chain.v1.ChainService/WatchTransactions',
];
const CONTENT_TYPES = [
  'application/grpc',
  'application/grpc-web+proto',
  'application/json',
  'application/proto',
] as const;

const message = Buffer.from(
  toBinary(IsRegisteredRequestSchema, create(IsRegisteredRequestSchema, { contentId: 'fuzz' })),
);
const envelope = (flags: number, length: number, body: Buffer) => {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(length, 1);
  return Buffer.concat([prefix, body]);
};
/** Pieces of a body a client may send, valid or not, whole or cut short. */
const PIECES: Record<string, Buffer> = {
  envelope: envelope(0, message.length, message),
  'prefix-only': envelope(0, message.length, Buffer.alloc(0)).subarray(0, 3),
  'half-envelope': envelope(0, message.length, message).subarray(0, 7),
  'oversize-prefix': envelope(0, 0xffffffff, Buffer.alloc(100)),
  'near-limit-prefix': envelope(0, 4000, Buffer.alloc(1000, 1)),
  'trailer-envelope': envelope(0x80, 10, Buffer.from('grpc-statu')),
  'compressed-envelope': envelope(1, message.length, message),
  json: Buffer.from('{"contentId":"fuzz"}'),
  'bad-utf8': Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22]),
  garbage: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
};
const PIECE_NAMES = Object.keys(PIECES);

/** The real side of the model: the client's connections and streams. */
class Clients {
  sessions: http2.ClientHttp2Session[] = [];
  streams: http2.ClientHttp2Stream[] = [];
  sockets: net.Socket[] = [];
  constructor(readonly port: number) {}

  connect(): void {
    const session = http2.connect(`http://127.0.0.1:${this.port}`);
    session.on('error', () => {});
    this.sessions.push(session);
  }

  open(session: number, path: string, contentType: string): void {
    const s = this.sessions[session % this.sessions.length] as http2.ClientHttp2Session;
    if (s.closed || s.destroyed) return;
    try {
      const stream = s.request(
        { ':method': 'POST', ':path': path, 'content-type': contentType, te: 'trailers' },
        { endStream: false },
      );
      stream.on('error', () => {});
      stream.resume();
      this.streams.push(stream);
    } catch {
      // The session is going away (GOAWAY received): no new streams, as a client would find.
    }
  }

  stream(i: number): http2.ClientHttp2Stream | undefined {
    const s = this.streams[i % this.streams.length];
    return s && !s.closed && !s.destroyed ? s : undefined;
  }

  /** An HTTP/1.1 request written by hand: headers, then some of a body, maybe all of it. */
  h1(contentType: string, path: string, piece: Buffer, declared: number, end: boolean): void {
    const socket = net.connect(this.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume();
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: ${contentType}\r\ncontent-length: ${declared}\r\n\r\n`,
    );
    socket.write(piece);
    if (end) socket.end();
    this.sockets.push(socket);
  }

  closeAll(): void {
    for (const s of this.sessions) s.destroy();
    for (const s of this.sockets) s.destroy();
  }
}

type Model = { sessions: number; streams: number };
type Cmd = fc.AsyncCommand<Model, Clients>;

const cmd = (
  name: string,
  check: (m: Model) => boolean,
  run: (m: Model, c: Clients) => void | Promise<void>,
): Cmd => ({
  check,
  run: async (m, c) => {
    await run(m, c);
  },
  toString: () => name,
});

const commands = [
  fc.constant(null).map(() =>
    cmd(
      'connect',
      (m) => m.sessions < 4,
      (m, c) => {
        c.connect();
        m.sessions++;
      },
    ),
  ),
  fc
    .record({
      session: fc.nat(),
      path: fc.constantFrom(...PATHS),
      type: fc.constantFrom(...CONTENT_TYPES),
    })
    .map(({ session, path, type }) =>
      cmd(
        `open(${session}, ${path.split('/').pop()}, ${type})`,
        (m) => m.sessions > 0 && m.streams < 40,
        (m, c) => {
          c.open(session, path, type);
          m.streams++;
        },
      ),
    ),
  fc.record({ stream: fc.nat(), piece: fc.constantFrom(...PIECE_NAMES) }).map(({ stream, piece }) =>
    cmd(
      `write(${stream}, ${piece})`,
      (m) => m.streams > 0,
      (_m, c) => {
        c.stream(stream)?.write(PIECES[piece] as Buffer);
      },
    ),
  ),
  fc.nat().map((stream) =>
    cmd(
      `end(${stream})`,
      (m) => m.streams > 0,
      (_m, c) => {
        c.stream(stream)?.end();
      },
    ),
  ),
  fc
    .record({
      stream: fc.nat(),
      code: fc.constantFrom(
        http2.constants.NGHTTP2_CANCEL,
        http2.constants.NGHTTP2_NO_ERROR,
        http2.constants.NGHTTP2_INTERNAL_ERROR,
      ),
    })
    .map(({ stream, code }) =>
      cmd(
        `reset(${stream}, ${code})`,
        (m) => m.streams > 0,
        (_m, c) => {
          c.stream(stream)?.close(code);
        },
      ),
    ),
  fc.nat().map((session) =>
    cmd(
      `goaway(${session})`,
      (m) => m.sessions > 0,
      (_m, c) => {
        const s = c.sessions[session % c.sessions.length];
        if (s && !s.destroyed && !s.closed) s.goaway(http2.constants.NGHTTP2_NO_ERROR);
      },
    ),
  ),
  fc.nat().map((session) =>
    cmd(
      `destroy-socket(${session})`,
      (m) => m.sessions > 0,
      (_m, c) => {
        c.sessions[session % c.sessions.length]?.socket?.destroy();
      },
    ),
  ),
  fc.integer({ min: 1, max: 30 }).map((ms) =>
    cmd(
      `stall(${ms})`,
      () => true,
      () => new Promise((r) => setTimeout(r, ms)),
    ),
  ),
  fc
    .record({
      type: fc.constantFrom(...CONTENT_TYPES),
      path: fc.constantFrom(...PATHS),
      piece: fc.constantFrom(...PIECE_NAMES),
      extra: fc.integer({ min: -3, max: 50 }),
      end: fc.boolean(),
    })
    .map(({ type, path, piece, extra, end }) =>
      cmd(
        `h1(${type}, ${path.split('/').pop()}, ${piece}, ${extra}, ${end ? 'end' : 'stall'})`,
        (m) => m.streams < 40,
        (m, c) => {
          const body = PIECES[piece] as Buffer;
          c.h1(type, path, body, Math.max(0, body.length + extra), end);
          m.streams++;
        },
      ),
    ),
];

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

async function eventually(check: () => boolean, what: () => string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`still ${what()} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each([true, false])('fastPath=%s', (fastPath) => {
  let r: Running;
  let baselineTimers: number;
  beforeAll(async () => {
    r = await startServer({
      fastPath,
      limits: { readMaxBytes: 2048, bodyTimeoutMs: 250, streamIdleTimeoutMs: 250 },
    });
    // Warm every protocol up once, so lazily made timers (e.g. Date caches) are in the baseline.
    for (const p of protocols) await clientFor(p, r.baseUrl).isRegistered({ contentId: 'warm' });
    await new Promise((res) => setTimeout(res, 100));
    baselineTimers = timers();
  });
  afterAll(() => r.close());

  it('survives any sequence of opens, partial bodies, resets, GOAWAYs, drops and stalls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const clients = new Clients(r.port);
        try {
          await fc.asyncModelRun(
            () => ({ model: { sessions: 0, streams: 0 }, real: clients }),
            cmds,
          );
          // Whatever happened, a well-behaved client is served meanwhile, on every protocol.
          for (const p of protocols) {
            const res = await clientFor(p, r.baseUrl).isRegistered({ contentId: 'still-up' });
            expect(res.contentId).toBe('still-up');
          }
        } finally {
          clients.closeAll();
        }
        // Once the clients are gone nothing of theirs is held: no bytes, timers or listeners.
        await eventually(
          () => r.server.bufferedBytes === 0,
          () => `${r.server.bufferedBytes} request bytes held`,
        );
        await eventually(
          () => timers() <= baselineTimers,
          () => `${timers() - baselineTimers} timers more than before`,
        );
        expect(getEventListeners(r.server.shutdownSignal, 'abort')).toHaveLength(0);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
