/**
 * The request limits for calls the Connect router serves (streams, compressed or gRPC-Web text
 * bodies, GET requests). The router reads their bodies itself, checking each message against
 * readMaxBytes as its prefix arrives; around it this guard
 *
 * - reserves readMaxBytes (the most the router keeps of one message; less when content-length
 *   says so) in the connection's and the server's byte budget until the request body ends, and
 *   refuses the call with RESOURCE_EXHAUSTED when the budget has no room;
 * - gives a unary body `bodyTimeoutMs` to arrive, then answers DEADLINE_EXCEEDED itself and
 *   closes the stream (streams are bound by the handlers' idle timeouts instead);
 * - closes the HTTP/2 stream once the router has answered a request whose body is still coming
 *   (a message over readMaxBytes, say): nobody reads the rest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as http2 from 'node:http2';
import type { JsonReadOptions, JsonWriteOptions } from '@bufbuild/protobuf';
import { ChainService } from '@mystira/chain-protos';
import type { ByteBudget } from './byte-budget.js';
import { bodyTimeout } from './lean/body.js';
import {
  ConnectReply,
  closeWhenAnswered,
  GrpcCompatReply,
  GrpcWebReply,
  type Reply,
} from './lean/replies.js';

type AnyRequest = IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = ServerResponse | http2.Http2ServerResponse;

export interface RouterGuardOptions {
  budget: ByteBudget;
  readMaxBytes: number;
  bodyTimeoutMs: number;
  writeMaxBytes: number;
  jsonOptions: Partial<JsonReadOptions & JsonWriteOptions>;
}

/** Paths whose request is a single message (the body deadline applies to them). */
const UNARY_PATHS = new Set(
  ChainService.methods
    .filter((m) => m.methodKind === 'unary' || m.methodKind === 'server_streaming')
    .map((m) => `/${ChainService.typeName}/${m.name}`),
);

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
    const connection = ('stream' in req ? req.stream.session : undefined) ?? req.socket ?? req;
    const declared = Number(req.headers['content-length']);
    const reserved = declared >= 0 ? Math.min(declared, readMaxBytes) : readMaxBytes;
    const refusal = budget.charge(connection, reserved);
    if (refusal) {
      refuse(req, res, refusal);
      return false;
    }
    const path = (req.url ?? '').split('?', 1)[0] as string;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      req.off('end', release);
      req.off('close', release);
      budget.refund(connection, reserved);
    };
    req.once('end', release);
    req.once('close', release);
    // HTTP/1.1 needs nothing here: node drops what is left of the body to keep the connection,
    // and its requestTimeout ends a client that keeps sending (ending the socket ourselves raced
    // clients reusing the connection).
    if ('stream' in req) closeWhenAnswered(req.stream);
    if (UNARY_PATHS.has(path)) {
      timer = setTimeout(() => {
        release();
        refuse(req, res, bodyTimeout(bodyTimeoutMs));
      }, bodyTimeoutMs);
    }
    return true;
  };
}
