/**
 * The lean path for the common case: unary calls, uncompressed, with the gRPC protocol over
 * HTTP/2, the gRPC-Web protocol (binary) and the Connect protocol (JSON or binary) over HTTP/1.1
 * or HTTP/2. It calls the same handlers, admission (auth, rate limit) and telemetry as the Connect
 * router and writes the same wire format, but skips the adapter layer's per-call plumbing (async
 * iterables, an AbortController per call), which is where profiling put the cost.
 *
 * One call, in order: admission (headers only, so an unknown caller costs no body buffering),
 * the body within its limits (src/lean/body.ts), the handler within its deadline and telemetry
 * (src/lean/invoke.ts), the answer (src/lean/replies.ts, which cannot throw).
 *
 * Anything else (streams, compression, gRPC-Web text or JSON, GET requests, other protocol
 * versions, malformed deadlines) returns false and goes to the Connect router.
 */
import type * as http2 from 'node:http2';
import {
  fromBinary,
  fromJson,
  type JsonReadOptions,
  type JsonValue,
  type JsonWriteOptions,
} from '@bufbuild/protobuf';
import { parseTimeout as parseConnectTimeout } from '@connectrpc/connect/protocol-connect';
import { parseTimeout as parseGrpcTimeout } from '@connectrpc/connect/protocol-grpc';
import { trailerFlag } from '@connectrpc/connect/protocol-grpc-web';
import { ChainService } from '@mystira/chain-protos';
import { withDeadline } from '../../../shared/waiting.js';
import type { Admission } from './admission.js';
import type { ByteBudget } from './byte-budget.js';
import type { ChainHandlers } from './handlers.js';
import { type BodyReader, bodyTimeout, PlainBodyReader, readBody } from './lean/body.js';
import { parseFailure, UnaryEnvelopeReader } from './lean/envelope.js';
import { type CallRequest, createInvoke, headerGetter, type UnaryRoute } from './lean/invoke.js';
import {
  type AnyRequest,
  type AnyResponse,
  ConnectReply,
  GrpcCompatReply,
  GrpcStreamReply,
  GrpcWebReply,
  type Reply,
} from './lean/replies.js';
import { CompatCallRequest, StreamCallRequest } from './lean/requests.js';
import type { CallObserver } from './observe.js';
import type { RpcTelemetry } from './telemetry.js';

export interface FastPathOptions {
  handlers: ChainHandlers;
  admission: Admission;
  budget: ByteBudget;
  readMaxBytes: number;
  writeMaxBytes: number;
  /** Time for admission and the whole request body, from the request's headers. */
  bodyTimeoutMs: number;
  maxTimeoutMs: number;
  jsonOptions: Partial<JsonReadOptions & JsonWriteOptions>;
  onCall?: CallObserver;
  /** Spans and metrics per call (see src/telemetry.ts). */
  telemetry?: RpcTelemetry;
}

export interface FastPath {
  /** For compatibility-layer requests (HTTP/1.1, or HTTP/2 through node's compat API). */
  request(req: AnyRequest, res: AnyResponse): boolean;
  /** For raw HTTP/2 streams: unary gRPC without any compatibility-layer objects. */
  stream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean;
}

/** A unary method with its decoders for each body the lean path reads. */
interface FastRoute extends UnaryRoute {
  /** A gRPC or gRPC-Web envelope's message (the reader turns a throw into the router's error). */
  decodeEnvelope: (bytes: Uint8Array) => unknown;
  /** A Connect binary body. */
  decodeProto: (bytes: Buffer) => unknown;
  /** A Connect JSON body (strict UTF-8). */
  decodeJson: (bytes: Buffer) => unknown;
}

type BodySource = Parameters<typeof readBody>[0];

/** Runs a refusal as a call: it fails with the refusal's error. */
function refuse(error: unknown): Promise<never> {
  return Promise.reject(error);
}

/** Invalid UTF-8 in a JSON body is an error, not a silent U+FFFD (two ids must not collide). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Returns listeners that answer the fast cases and return false for the rest. */
export function createFastPath(options: FastPathOptions): FastPath {
  const { admission, budget, readMaxBytes, bodyTimeoutMs, maxTimeoutMs, jsonOptions } = options;
  const routes = new Map<string, FastRoute>();
  for (const m of ChainService.methods) {
    if (m.methodKind !== 'unary') continue;
    const procedure = `/${ChainService.typeName}/${m.name}`;
    const input = m.input;
    // The decoders are made once per method here, not once per call.
    routes.set(procedure, {
      input,
      output: m.output,
      procedure,
      handler: (options.handlers as unknown as Record<string, UnaryRoute['handler']>)[
        m.localName
      ] as UnaryRoute['handler'],
      decodeEnvelope: (bytes) => fromBinary(input, bytes),
      decodeProto: (bytes) => {
        try {
          return fromBinary(input, bytes);
        } catch (e) {
          throw parseFailure(e);
        }
      },
      decodeJson: (bytes) =>
        fromJson(input, JSON.parse(utf8.decode(bytes)) as JsonValue, jsonOptions),
    });
  }
  const invoke = createInvoke(options);
  const replyOptions = { writeMaxBytes: options.writeMaxBytes, jsonOptions };

  /** The body within `timeoutMs`, then the handler, then the answer. */
  function answer(
    request: CallRequest,
    source: BodySource,
    reader: BodyReader,
    reply: Reply,
    connection: object,
    timeoutMs: number,
  ): void {
    const route = request.route;
    readBody(source, reader, { budget, connection, timeoutMs }, (outcome) => {
      if (outcome.kind === 'gone') return;
      if (!outcome.result.ok) return reply.fail(outcome.result.error);
      invoke(request, route.handler, outcome.result.message).then(
        (output) => reply.ok(route.output, output),
        (e: unknown) => reply.fail(e),
      );
    });
  }

  /**
   * Admission, then the body, then the handler, then the answer; see the file's comment.
   * `connection` is the HTTP/2 session or the socket (for the byte budget); `address` the
   * client's, read only when admission is active.
   */
  function serve(
    request: CallRequest,
    source: BodySource,
    reader: BodyReader,
    reply: Reply,
    connection: object,
    address: string | undefined,
  ): void {
    if (!admission.active) {
      answer(request, source, reader, reply, connection, bodyTimeoutMs);
      return;
    }
    // The body gets what admission left of bodyTimeoutMs.
    const deadline = performance.now() + bodyTimeoutMs;
    const header = headerGetter(request.headers);
    withDeadline(admission.admit(request.route.procedure, header, address), bodyTimeoutMs, () =>
      bodyTimeout(bodyTimeoutMs),
    ).then(
      (principal) => {
        if (reply.done) return;
        request.principal = principal;
        answer(
          request,
          source,
          reader,
          reply,
          connection,
          Math.max(1, deadline - performance.now()),
        );
      },
      // A refusal is a call too: traced and reported like the router's interceptor failures.
      (error: unknown) => {
        invoke(request, refuse, error).catch((e: unknown) => reply.fail(e));
      },
    );
  }

  function envelopeReader(route: FastRoute, skipFlag?: number): UnaryEnvelopeReader {
    return new UnaryEnvelopeReader(readMaxBytes, route.decodeEnvelope, skipFlag);
  }

  function connectReader(route: FastRoute, binary: boolean, req: AnyRequest): PlainBodyReader {
    const length = req.headers['content-length'];
    return new PlainBodyReader(
      readMaxBytes,
      binary ? route.decodeProto : route.decodeJson,
      length === undefined ? undefined : Number(length),
    );
  }

  /** The deadline in ms, undefined for none, false when the router must answer (malformed). */
  function grpcTimeout(raw: string | string[] | undefined): number | undefined | false {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') return false;
    const parsed = parseGrpcTimeout(raw, maxTimeoutMs);
    return parsed.error ? false : parsed.timeoutMs;
  }

  function compatRequest(
    route: FastRoute,
    req: AnyRequest,
    res: AnyResponse,
    timeoutMs: number | undefined,
  ): CallRequest {
    return new CompatCallRequest(route, req.headers, timeoutMs, res);
  }

  /** Serves a compatibility-layer request: its connection is found here. */
  function serveCompat(request: CallRequest, req: AnyRequest, reader: BodyReader, reply: Reply) {
    const socket = req.socket;
    // HTTP/2: the session's socket is shared by every stream; HTTP/1.1: one request at a time.
    const connection = 'stream' in req ? (req.stream.session ?? socket) : socket;
    serve(request, req, reader, reply, connection ?? req, socket?.remoteAddress);
  }

  const stream: FastPath['stream'] = (s, headers) => {
    if (headers[':method'] !== 'POST') return false;
    const route = routes.get(headers[':path'] ?? '');
    if (!route) return false;
    const type = headers['content-type'];
    if (type !== 'application/grpc' && type !== 'application/grpc+proto') return false;
    // Browsers never speak native gRPC; a request with an Origin goes the CORS-aware way.
    if (headers.origin !== undefined) return false;
    const timeoutMs = grpcTimeout(headers['grpc-timeout']);
    if (timeoutMs === false) return false;
    const enc = headers['grpc-encoding'];
    if (enc !== undefined && enc !== 'identity') return false;
    const request = new StreamCallRequest(route, headers, timeoutMs, s);
    const session = s.session;
    const address = admission.active ? session?.socket?.remoteAddress : undefined;
    const reply = new GrpcStreamReply(s, replyOptions);
    serve(request, s, envelopeReader(route), reply, session ?? s, address);
    return true;
  };

  const request: FastPath['request'] = (req, res) => {
    if (req.method !== 'POST') return false;
    const route = routes.get(req.url ?? '');
    if (!route) return false;
    const h = req.headers;
    const type = h['content-type'];
    if (type === 'application/grpc' || type === 'application/grpc+proto') {
      if (req.httpVersionMajor !== 2) return false;
      const timeoutMs = grpcTimeout(h['grpc-timeout']);
      if (timeoutMs === false) return false;
      const enc = h['grpc-encoding'];
      if (enc !== undefined && enc !== 'identity') return false;
      const reply = new GrpcCompatReply(req, res, replyOptions);
      serveCompat(compatRequest(route, req, res, timeoutMs), req, envelopeReader(route), reply);
      return true;
    }
    if (type === 'application/grpc-web' || type === 'application/grpc-web+proto') {
      const timeoutMs = grpcTimeout(h['grpc-timeout']);
      if (timeoutMs === false) return false;
      const enc = h['grpc-encoding'];
      if (enc !== undefined && enc !== 'identity') return false;
      const reply = new GrpcWebReply(req, res, replyOptions);
      const reader = envelopeReader(route, trailerFlag);
      serveCompat(compatRequest(route, req, res, timeoutMs), req, reader, reply);
      return true;
    }
    if (type === undefined) return false;
    const semi = type.indexOf(';');
    const base = (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
    if (base !== 'application/json' && base !== 'application/proto') return false;
    const raw = h['connect-timeout-ms'];
    let timeoutMs: number | undefined;
    if (raw !== undefined) {
      if (typeof raw !== 'string') return false;
      const parsed = parseConnectTimeout(raw, maxTimeoutMs);
      // A malformed or too long deadline: the router answers it with the protocol's own error.
      if (parsed.error) return false;
      timeoutMs = parsed.timeoutMs;
    }
    const version = h['connect-protocol-version'];
    if (version !== undefined && version !== '1') return false;
    const enc = h['content-encoding'];
    if (enc !== undefined && enc !== 'identity') return false;
    const binary = base === 'application/proto';
    const reply = new ConnectReply(req, res, replyOptions, binary);
    const reader = connectReader(route, binary, req);
    serveCompat(compatRequest(route, req, res, timeoutMs), req, reader, reply);
    return true;
  };

  return { request, stream };
}
