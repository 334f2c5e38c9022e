/**
 * The lean path for the common case: unary calls with the gRPC protocol over HTTP/2, and with
 * the Connect protocol (JSON or binary) over HTTP/1.1 or HTTP/2, uncompressed. It calls the same handlers and the same authenticator as the Connect router
 * and writes the same wire format (status codes, error JSON, grpc-status-details-bin via
 * connect's own encoders), but skips the adapter layer's per-call plumbing (async iterables,
 * an AbortController per call), which is where profiling put the cost.
 *
 * Deadlines (grpc-timeout, connect-timeout-ms) are honoured here as on the router. Anything else
 * (streams, compression, gRPC-Web, GET requests, other protocol versions) returns false and goes to the Connect router, which handles the full protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import {
  type DescMessage,
  fromBinary,
  fromJson,
  type JsonReadOptions,
  type JsonValue,
  type JsonWriteOptions,
  toBinary,
  toJson,
} from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  codeToHttpStatus,
  errorToJsonBytes,
  parseTimeout as parseConnectTimeout,
} from '@connectrpc/connect/protocol-connect';
import {
  parseTimeout as parseGrpcTimeout,
  setTrailerStatus,
} from '@connectrpc/connect/protocol-grpc';
import { ChainService } from '@mystira/chain-protos';
import type { Authenticator } from './auth.js';
import { type CallContext, type ChainHandlers, toConnectError } from './handlers.js';
import { type CallObserver, protocolOf } from './observe.js';
import type { RpcTelemetry } from './telemetry.js';

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

interface UnaryRoute {
  input: DescMessage;
  output: DescMessage;
  procedure: string;
  // biome-ignore lint/suspicious/noExplicitAny: one table for twelve differently typed handlers
  handler: (req: any, call: CallContext) => Promise<any>;
}

export interface FastPathOptions {
  handlers: ChainHandlers;
  authenticator?: Authenticator;
  readMaxBytes: number;
  writeMaxBytes: number;
  jsonOptions: Partial<JsonReadOptions & JsonWriteOptions>;
  maxTimeoutMs: number;
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

/** Returns listeners that answer the fast cases and return false for the rest. */
export function createFastPath(options: FastPathOptions): FastPath {
  const routes = new Map<string, UnaryRoute>();
  for (const m of ChainService.methods) {
    if (m.methodKind !== 'unary') continue;
    const procedure = `/${ChainService.typeName}/${m.name}`;
    routes.set(procedure, {
      input: m.input,
      output: m.output,
      procedure,
      handler: (options.handlers as unknown as Record<string, UnaryRoute['handler']>)[
        m.localName
      ] as UnaryRoute['handler'],
    });
  }
  const {
    authenticator,
    readMaxBytes,
    writeMaxBytes,
    jsonOptions,
    maxTimeoutMs,
    onCall,
    telemetry,
  } = options;

  async function invoke(
    route: UnaryRoute,
    req: AnyRequest,
    res: AnyResponse,
    message: unknown,
    timeoutMs: number | undefined,
  ): Promise<unknown> {
    // The client went away when the response closes before it was finished (a request's own
    // 'close' also fires after a normal end of its body, so it cannot tell).
    return invokeWith(
      route,
      req.headers,
      message,
      (abort) => {
        if (res.destroyed) abort();
        else res.once('close', () => (res.writableFinished ? undefined : abort()));
      },
      timeoutMs,
    );
  }

  async function invokeWith(
    route: UnaryRoute,
    headers: http2.IncomingHttpHeaders,
    message: unknown,
    onClientGone: (abort: () => void) => void,
    timeoutMs?: number,
  ): Promise<unknown> {
    const header = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    // The signal is made only if a handler asks for it: most unary calls never do.
    let controller: AbortController | undefined;
    const call: CallContext = {
      get signal() {
        if (!controller) {
          const c = new AbortController();
          controller = c;
          onClientGone(() => c.abort());
        }
        return controller.signal;
      },
      principal: undefined,
    };
    const run = async () => {
      if (authenticator) call.principal = await authenticator.authenticate(route.procedure, header);
      return route.handler(message, call);
    };
    if (telemetry) {
      return traced(telemetry, route, header, call, () =>
        timeoutMs === undefined ? run() : withDeadline(run, call, () => controller, timeoutMs),
      );
    }
    if (onCall) {
      const start = performance.now();
      const result =
        timeoutMs === undefined ? run() : withDeadline(run, call, () => controller, timeoutMs);
      result.then(
        () => reportCall(onCall, route, header, call, start, undefined),
        (e: unknown) => reportCall(onCall, route, header, call, start, toConnectError(e).code),
      );
      return result;
    }
    if (timeoutMs === undefined) return run();
    return withDeadline(run, call, () => controller, timeoutMs);
  }

  /** The call inside its telemetry scope (and reported to onCall, if set). */
  function traced(
    telemetry: RpcTelemetry,
    route: UnaryRoute,
    header: (name: string) => string | undefined,
    call: CallContext,
    exec: () => Promise<unknown>,
  ): Promise<unknown> {
    const start = performance.now();
    const scope = telemetry.startCall(route.procedure, protocolOf(header('content-type')), header);
    // The handler (and so the ledger calls) runs in the call's context, and so does onCall: an
    // access-log line written there can carry the call's trace id.
    return scope.run(() => {
      const result = exec();
      result.then(
        () => {
          scope.end(undefined);
          if (onCall) reportCall(onCall, route, header, call, start, undefined);
        },
        (e: unknown) => {
          const code = toConnectError(e).code;
          scope.end(code, e);
          if (onCall) reportCall(onCall, route, header, call, start, code);
        },
      );
      return result;
    });
  }

  function reportCall(
    observer: CallObserver,
    route: UnaryRoute,
    header: (name: string) => string | undefined,
    call: CallContext,
    start: number,
    code: Code | undefined,
  ): void {
    try {
      observer({
        procedure: route.procedure,
        protocol: protocolOf(header('content-type')),
        code,
        durationMs: performance.now() - start,
        principal: call.principal?.id,
        streaming: false,
      });
    } catch {
      // An observer's bug must not fail the call.
    }
  }

  /**
   * A deadline: the handler's signal aborts and the client gets DEADLINE_EXCEEDED, as on the
   * Connect router.
   */
  function withDeadline(
    run: () => Promise<unknown>,
    call: CallContext,
    controllerOf: () => AbortController | undefined,
    timeoutMs: number,
  ): Promise<unknown> {
    const signal = call.signal;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const e = new ConnectError(
          `the operation timed out after ${timeoutMs} ms`,
          Code.DeadlineExceeded,
        );
        controllerOf()?.abort(e);
        reject(e);
      }, timeoutMs);
      run().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(signal.aborted && signal.reason instanceof ConnectError ? signal.reason : error);
        },
      );
    });
  }

  function readBody(
    req: AnyRequest,
    done: (error: ConnectError | undefined, body: Buffer) => void,
  ): void {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > readMaxBytes + 5) {
      req.resume();
      done(tooLarge(), Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > readMaxBytes + 5) {
        failed = true;
        done(tooLarge(), Buffer.alloc(0));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed)
        done(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
  }

  function tooLarge(): ConnectError {
    return new ConnectError(
      `message is larger than configured readMaxBytes ${readMaxBytes}`,
      Code.ResourceExhausted,
    );
  }

  // --- gRPC over HTTP/2 ------------------------------------------------------------------------

  function grpcError(res: Http2ServerResponse, error: unknown): void {
    if (res.stream.destroyed) return;
    const trailer = setTrailerStatus(new Headers(), toConnectError(error));
    res.writeHead(200, { 'content-type': 'application/grpc' });
    res.addTrailers(Object.fromEntries(trailer));
    res.end();
  }

  /** The one message of a unary gRPC request body (5-byte prefix + message), decoded. */
  function parseGrpcUnary(route: UnaryRoute, body: Buffer): unknown {
    if (body.length < 5)
      throw new ConnectError('protocol error: missing message', Code.Unimplemented);
    if (body[0] !== 0) {
      throw new ConnectError(
        'protocol error: received compressed message without grpc-encoding',
        Code.Internal,
      );
    }
    const length = body.readUInt32BE(1);
    if (length !== body.length - 5) {
      throw new ConnectError(
        'protocol error: unary request must hold exactly one message',
        Code.Unimplemented,
      );
    }
    try {
      return fromBinary(route.input, body.subarray(5));
    } catch (e) {
      throw new ConnectError(
        `parse binary: ${e instanceof Error ? e.message : String(e)}`,
        Code.Internal,
      );
    }
  }

  /** The framed response message; RESOURCE_EXHAUSTED past writeMaxBytes. */
  function frameOf(route: UnaryRoute, output: unknown): Buffer {
    const bytes = toBinary(route.output, output as never);
    if (bytes.length > writeMaxBytes) {
      throw new ConnectError(
        'message is larger than configured writeMaxBytes',
        Code.ResourceExhausted,
      );
    }
    const frame = Buffer.allocUnsafe(5 + bytes.length);
    frame[0] = 0;
    frame.writeUInt32BE(bytes.length, 1);
    frame.set(bytes, 5);
    return frame;
  }

  function grpc(
    route: UnaryRoute,
    req: Http2ServerRequest,
    res: Http2ServerResponse,
    timeoutMs: number | undefined,
  ): void {
    readBody(req, (error, body) => {
      if (error) return grpcError(res, error);
      let message: unknown;
      try {
        message = parseGrpcUnary(route, body);
      } catch (e) {
        return grpcError(res, e);
      }
      invoke(route, req, res, message, timeoutMs).then(
        (output) => {
          if (res.stream.destroyed) return;
          let frame: Buffer;
          try {
            frame = frameOf(route, output);
          } catch (e) {
            return grpcError(res, e);
          }
          res.writeHead(200, { 'content-type': 'application/grpc' });
          res.addTrailers({ 'grpc-status': '0' });
          res.end(frame);
        },
        (e: unknown) => grpcError(res, e),
      );
    });
  }

  // --- gRPC on a raw HTTP/2 stream (no compatibility-layer objects at all) ----------------------

  function streamError(stream: http2.ServerHttp2Stream, error: unknown): void {
    if (stream.destroyed || stream.headersSent) return;
    const trailer = Object.fromEntries(setTrailerStatus(new Headers(), toConnectError(error)));
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc' },
      { waitForTrailers: true },
    );
    stream.once('wantTrailers', () => stream.sendTrailers(trailer));
    stream.end();
  }

  function grpcOnStream(
    route: UnaryRoute,
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    timeoutMs: number | undefined,
  ): void {
    // A reset by the client or a destroyed session at shutdown: the call is over, nothing to send.
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > readMaxBytes + 5) {
        failed = true;
        streamError(stream, tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (failed) return;
      let message: unknown;
      try {
        message = parseGrpcUnary(
          route,
          chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
        );
      } catch (e) {
        return streamError(stream, e);
      }
      invokeWith(
        route,
        headers,
        message,
        (abort) => {
          if (stream.destroyed) abort();
          else stream.once('close', () => (stream.headersSent ? undefined : abort()));
        },
        timeoutMs,
      ).then(
        (output) => {
          if (stream.destroyed) return;
          let frame: Buffer;
          try {
            frame = frameOf(route, output);
          } catch (e) {
            return streamError(stream, e);
          }
          stream.respond(
            { ':status': 200, 'content-type': 'application/grpc' },
            { waitForTrailers: true },
          );
          stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame);
        },
        (e: unknown) => streamError(stream, e),
      );
    });
  }

  // --- Connect unary (HTTP/1.1 or HTTP/2) ------------------------------------------------------

  function connectError(res: AnyResponse, error: unknown): void {
    if (res.destroyed || res.headersSent) return;
    const e = toConnectError(error);
    const body = errorToJsonBytes(e, jsonOptions);
    const header: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of e.metadata) header[k] = v;
    (res as ServerResponse).writeHead(codeToHttpStatus(e.code), header);
    res.end(body);
  }

  function connect(
    route: UnaryRoute,
    binary: boolean,
    req: AnyRequest,
    res: AnyResponse,
    timeoutMs: number | undefined,
  ): void {
    readBody(req, (error, body) => {
      if (error) return connectError(res, error);
      let message: unknown;
      try {
        if (binary) {
          try {
            message = fromBinary(route.input, body);
          } catch (e) {
            throw new ConnectError(
              `parse binary: ${e instanceof Error ? e.message : String(e)}`,
              Code.Internal,
            );
          }
        } else {
          try {
            message = fromJson(
              route.input,
              JSON.parse(body.toString('utf8')) as JsonValue,
              jsonOptions,
            );
          } catch (e) {
            throw ConnectError.from(e, Code.InvalidArgument);
          }
        }
      } catch (e) {
        return connectError(res, e);
      }
      invoke(route, req, res, message, timeoutMs).then(
        (output) => {
          if (res.destroyed) return;
          const out = binary
            ? toBinary(route.output, output as never)
            : Buffer.from(JSON.stringify(toJson(route.output, output as never, jsonOptions)));
          if (out.length > writeMaxBytes) {
            return connectError(
              res,
              new ConnectError(
                'message is larger than configured writeMaxBytes',
                Code.ResourceExhausted,
              ),
            );
          }
          (res as ServerResponse).writeHead(200, {
            'content-type': binary ? 'application/proto' : 'application/json',
            'content-length': String(out.length),
          });
          res.end(out);
        },
        (e: unknown) => connectError(res, e),
      );
    });
  }

  /** The deadline in ms, undefined for none, false when the router must answer (malformed). */
  function grpcTimeout(raw: string | string[] | undefined): number | undefined | false {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') return false;
    const parsed = parseGrpcTimeout(raw, maxTimeoutMs);
    return parsed.error ? false : parsed.timeoutMs;
  }

  const stream: FastPath['stream'] = (s, headers) => {
    if (headers[':method'] !== 'POST') return false;
    const route = routes.get(headers[':path'] ?? '');
    if (!route) return false;
    const type = headers['content-type'];
    if (type !== 'application/grpc' && type !== 'application/grpc+proto') return false;
    // Browsers never speak native gRPC; a request with an Origin goes the CORS-aware way.
    if (headers.origin !== undefined) return false;
    const timeout = grpcTimeout(headers['grpc-timeout']);
    if (timeout === false) return false;
    const enc = headers['grpc-encoding'];
    if (enc !== undefined && enc !== 'identity') return false;
    grpcOnStream(route, s, headers, timeout);
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
      const timeout = grpcTimeout(h['grpc-timeout']);
      if (timeout === false) return false;
      const enc = h['grpc-encoding'];
      if (enc !== undefined && enc !== 'identity') return false;
      grpc(route, req as Http2ServerRequest, res as Http2ServerResponse, timeout);
      return true;
    }
    if (type === undefined) return false;
    const semi = type.indexOf(';');
    const base = (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
    if (base !== 'application/json' && base !== 'application/proto') return false;
    const raw = h['connect-timeout-ms'];
    let timeout: number | undefined;
    if (raw !== undefined) {
      if (typeof raw !== 'string') return false;
      const parsed = parseConnectTimeout(raw, maxTimeoutMs);
      // A malformed or too long deadline: the router answers it with the protocol's own error.
      if (parsed.error) return false;
      timeout = parsed.timeoutMs;
    }
    const version = h['connect-protocol-version'];
    if (version !== undefined && version !== '1') return false;
    const enc = h['content-encoding'];
    if (enc !== undefined && enc !== 'identity') return false;
    connect(route, base === 'application/proto', req, res, timeout);
    return true;
  };

  return { request, stream };
}
