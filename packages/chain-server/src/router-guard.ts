/**
 * The request limits for calls the Connect router serves (streams, compressed or gRPC-Web text
 * bodies, GET requests). The router reads their bodies itself, checking each message against
 * readMaxBytes as its prefix arrives; around it this guard
 *
 * - charges the body's bytes, as they arrive, to the connection's and the server's byte budget
 *   until the body ends, and refuses the call with RESOURCE_EXHAUSTED when the budget has no room
 *   (a client stream's whole body counts: BatchRegisterIpAssets keeps every item until the end);
 * - hands a single-message body to the router whole, once it has ended, with no envelope that
 *   declares more than has arrived (the router's decoder allocates what a prefix declares): an
 *   oversize prefix is refused as it arrives, a cut-off envelope is cut to its first byte;
 * - gives a single-message body `bodyTimeoutMs` to arrive, then answers DEADLINE_EXCEEDED itself
 *   and closes the stream (client streams are bound by the handlers' idle timeouts instead);
 * - closes the HTTP/2 stream once the router has answered a request whose body is still coming
 *   (a message over readMaxBytes, say): nobody reads the rest.
 */
import type { JsonReadOptions, JsonWriteOptions } from '@bufbuild/protobuf';
import type { ConnectError } from '@connectrpc/connect';
import {
  ChainService,
  CollectionService,
  IpAssetService,
  LicensingService,
} from '@mystira/chain-protos';
import type { ByteBudget } from './byte-budget.js';
import { bodyTimeout } from './lean/body.js';
import { safeEnvelopes, tooLarge } from './lean/envelope.js';
import {
  type AnyRequest,
  type AnyResponse,
  ConnectReply,
  closeWhenAnswered,
  GrpcCompatReply,
  GrpcWebReply,
  type Reply,
} from './lean/replies.js';

export interface RouterGuardOptions {
  budget: ByteBudget;
  readMaxBytes: number;
  bodyTimeoutMs: number;
  writeMaxBytes: number;
  jsonOptions: Partial<JsonReadOptions & JsonWriteOptions>;
}

/**
 * Paths whose request is a single message: their body gets the body deadline, and reaches the
 * router whole (connect gathers a message by copying its buffer on every chunk: quadratic
 * garbage, which a client could make it produce by sending a large message in small pieces).
 */
const SINGLE_MESSAGE_PATHS = new Set(
  [ChainService, CollectionService, LicensingService, IpAssetService].flatMap((service) =>
    service.methods
      .filter((m) => m.methodKind === 'unary' || m.methodKind === 'server_streaming')
      .map((m) => `/${service.typeName}/${m.name}`),
  ),
);

/**
 * Bodies of envelopes whose prefixes can be read as they arrive (not gRPC-Web text, which is
 * base64). The router's decoder allocates what a prefix declares as soon as it reads it, so it is
 * handed no envelope that declares more than has arrived (see safeEnvelopes).
 */
const BINARY_ENVELOPED = new Set([
  'application/grpc',
  'application/grpc+proto',
  'application/grpc-web',
  'application/grpc-web+proto',
  'application/connect+proto',
  'application/connect+json',
]);

/** Returns the guard: true lets the router have the request, false means it was answered. */
export function createRouterGuard(options: RouterGuardOptions) {
  const { budget, readMaxBytes, bodyTimeoutMs } = options;
  const replyOptions = { writeMaxBytes: options.writeMaxBytes, jsonOptions: options.jsonOptions };

  /** An answer in the request's protocol; undefined for one we do not write (gRPC-Web text). */
  function replyFor(req: AnyRequest, res: AnyResponse): Reply | undefined {
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/grpc-web-text')) return undefined;
    if (type.startsWith('application/grpc-web')) return new GrpcWebReply(req, res, replyOptions);
    if (type.startsWith('application/grpc')) return new GrpcCompatReply(req, res, replyOptions);
    return new ConnectReply(req, res, replyOptions, type.startsWith('application/proto'));
  }

  /** Answers (the replies cannot throw) or, for a protocol we do not write, resets. */
  function refuse(req: AnyRequest, res: AnyResponse, error: Parameters<Reply['fail']>[0]): void {
    const reply = replyFor(req, res);
    if (reply) reply.fail(error);
    else res.destroy();
  }

  return function guard(req: AnyRequest, res: AnyResponse): boolean {
    // GET (Connect's cacheable reads) and anything else without a body: nothing to hold.
    if (req.method !== 'POST' || req.readableEnded) return true;
    const h2 = 'stream' in req ? req.stream : undefined;
    const connection = h2?.session ?? req.socket ?? req;
    const single = SINGLE_MESSAGE_PATHS.has((req.url ?? '').split('?', 1)[0] as string);
    const enveloped = BINARY_ENVELOPED.has(req.headers['content-type'] ?? '');
    /** A single-message body, kept here until it ends, then handed to the router in one piece. */
    const body: Buffer[] = [];
    let held = 0;
    let state: 'reading' | 'ended' | 'refused' = 'reading';
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Every body byte enters the request through push() (node's HTTP/1.1 parser and its HTTP/2
    // compat layer both call it), so wrapping it sees what arrives without reading ahead of the
    // router.
    const push = req.push;
    const settle = (next: 'ended' | 'refused') => {
      if (state !== 'reading') return;
      state = next;
      clearTimeout(timer);
      req.off('end', ended);
      req.off('close', ended);
      budget.refund(connection, held);
      held = 0;
      body.length = 0;
    };
    const ended = () => settle('ended');
    const stop = (error: ConnectError) => {
      settle('refused');
      refuse(req, res, error);
    };
    req.push = function (this: AnyRequest, chunk: unknown, encoding?: BufferEncoding) {
      // After a refusal nothing more goes in: the answer is out and closes the stream.
      if (state === 'refused') return false;
      if (state === 'ended') return push.call(this, chunk, encoding);
      if (chunk === null) {
        // A stream reset mid-body also ends here: its body is not worth reading (the readable
        // side must still end, node's compat layer insists on it).
        if (body.length > 0 && !(h2 && (h2.closed || h2.aborted))) {
          const whole = body.length === 1 ? (body[0] as Buffer) : Buffer.concat(body, held);
          const safe = enveloped
            ? safeEnvelopes(whole, readMaxBytes)
            : ({ ok: true, body: whole } as const);
          if (!safe.ok) {
            stop(safe.error);
            return false;
          }
          push.call(this, safe.body);
        }
        return push.call(this, null);
      }
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      const refusal = budget.charge(connection, bytes.length);
      if (refusal) {
        stop(refusal);
        return false;
      }
      held += bytes.length;
      if (!single) return push.call(this, bytes, encoding);
      body.push(bytes);
      const declared = enveloped ? declaredLength(body, held) : undefined;
      if (declared !== undefined && declared > readMaxBytes) {
        stop(tooLarge(readMaxBytes, declared));
        return false;
      }
      return true;
    };
    req.once('end', ended);
    req.once('close', ended);
    // HTTP/1.1 needs nothing more: node drops what is left of a body to keep the connection, and
    // its requestTimeout ends a client that keeps sending (ending the socket ourselves raced
    // clients reusing the connection).
    if (h2) closeWhenAnswered(h2);
    if (single) timer = setTimeout(() => stop(bodyTimeout(bodyTimeoutMs)), bodyTimeoutMs);
    return true;
  };
}

/** The length the first envelope declares, once its 5-byte prefix has arrived. */
function declaredLength(chunks: readonly Buffer[], held: number): number | undefined {
  if (held < 5) return undefined;
  const first = chunks[0] as Buffer;
  const prefix = first.length >= 5 ? first : Buffer.concat(chunks, held);
  return prefix.readUInt32BE(1);
}
