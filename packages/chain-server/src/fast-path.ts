/**
 * The lean path for the common case: unary calls, uncompressed, with the gRPC protocol over
 * HTTP/2, the gRPC-Web protocol (binary) and the Connect protocol (JSON or binary) over HTTP/1.1
 * or HTTP/2. It calls the same handlers and the same authenticator as the Connect router and
 * writes the same wire format (status codes, error JSON, trailers, grpc-status-details-bin via
 * connect's own encoders), but skips the adapter layer's per-call plumbing (async iterables, an
 * AbortController per call), which is where profiling put the cost.
 *
 * Deadlines (grpc-timeout, connect-timeout-ms) are honoured here as on the router. Anything else
 * (streams, compression, gRPC-Web text or JSON, GET requests, other protocol versions) returns
 * false and goes to the Connect router, which handles the full protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Readable } from 'node:stream';
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
import { trailerFlag, trailerSerialize } from '@connectrpc/connect/protocol-grpc-web';
import { ChainService } from '@mystira/chain-protos';
import type { Authenticator } from './auth.js';
import { type CallContext, type ChainHandlers, toConnectError } from './handlers.js';
import { type CallObserver, protocolOf } from './observe.js';
import type { RpcTelemetry } from './telemetry.js';

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

const EMPTY = Buffer.alloc(0);

/** Where one enveloped unary call (gRPC or gRPC-Web) writes its answer. */
interface EnvelopedAnswer {
  /** The client is gone: nothing more to write. */
  closed(): boolean;
  fail(error: unknown): void;
  /** The framed response message (followed by `suffix`, if any). */
  send(frame: Buffer): void;
  suffix?: Buffer;
}

interface EnvelopeScan {
  /** Offset of the next envelope's prefix. */
  at: number;
  /** Message envelopes seen whole so far. */
  messages: number;
}

/**
 * `chunk` after the first `used` bytes of `buffer`: the chunk itself when nothing came before it,
 * else in a buffer grown by doubling, so that a body of n bytes in many chunks costs O(n) copying.
 */
function appended(buffer: Buffer, used: number, chunk: Buffer): Buffer {
  if (used === 0) return chunk;
  let target = buffer;
  // A borrowed chunk is never written into: its length is exactly `used`.
  if (buffer.length - used < chunk.length) {
    target = Buffer.allocUnsafe(Math.max(2 * buffer.length, used + chunk.length));
    buffer.copy(target, 0, 0, used);
  }
  chunk.copy(target, used);
  return target;
}

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

  /**
   * Buffers a Connect request body (not enveloped), then calls `done`. Past readMaxBytes, or
   * when its content-length says it will be, it stops buffering and calls `done` with no body
   * and `truncated` set.
   */
  function readBody(
    source: Readable,
    contentLength: string | undefined,
    done: (body: Buffer, truncated: boolean) => void,
  ): void {
    const limit = readMaxBytes;
    if (contentLength !== undefined && Number(contentLength) > limit) {
      source.resume();
      done(EMPTY, true);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    source.on('data', (chunk: Buffer) => {
      if (truncated) return;
      size += chunk.length;
      chunks.push(chunk);
      if (size > limit) {
        truncated = true;
        chunks.length = 0;
        done(EMPTY, true);
      }
    });
    source.on('end', () => {
      if (!truncated)
        done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size), false);
    });
  }

  /**
   * A gRPC or gRPC-Web body, read until it is decided, then parsed (see parseGrpcUnary). Reading
   * stops early, as the router's does, once an envelope declares more than readMaxBytes or two
   * whole message envelopes have arrived (the call fails then, whatever follows); a body of only
   * skipped envelopes is cut off after `envelopedCap` bytes.
   */
  function readEnveloped(
    route: UnaryRoute,
    source: Readable,
    skipFlag: number | undefined,
    done: (error: unknown, message: unknown) => void,
  ): void {
    let body: Buffer = EMPTY; // what has arrived, contiguous (a lone chunk is used as it is)
    let size = 0;
    const scan: EnvelopeScan = { at: 0, messages: 0 };
    let finished = false;
    const finish = (truncated: boolean) => {
      if (finished) return;
      finished = true;
      let message: unknown;
      try {
        message = parseGrpcUnary(route, body.subarray(0, size), truncated, skipFlag);
      } catch (e) {
        return done(e, undefined);
      }
      done(undefined, message);
    };
    source.on('data', (chunk: Buffer) => {
      if (finished) return;
      body = appended(body, size, chunk);
      size += chunk.length;
      if (size <= readMaxBytes + 5) return; // the common case: one small message
      if (size > envelopedCap || decided(body.subarray(0, size), skipFlag, scan)) finish(true);
    });
    source.on('end', () => finish(false));
  }

  const envelopedCap = 16 * (readMaxBytes + 5);

  /**
   * Whether the body so far already fails a unary call, whatever else arrives. `scan` carries the
   * position between calls, so each byte is looked at once.
   */
  function decided(body: Buffer, skipFlag: number | undefined, scan: EnvelopeScan): boolean {
    while (scan.at + 5 <= body.length) {
      const flags = body[scan.at] as number;
      const length = body.readUInt32BE(scan.at + 1);
      if (length > readMaxBytes) return true;
      if (scan.at + 5 + length > body.length) return false;
      if (skipFlag === undefined || (flags & skipFlag) !== skipFlag || flags & 0b01) {
        scan.messages++;
        if (scan.messages === 2) return true;
      }
      scan.at += 5 + length;
    }
    return false;
  }

  function tooLarge(size?: number): ConnectError {
    return new ConnectError(
      `message size${size === undefined ? '' : ` ${size}`} is larger than configured readMaxBytes ${readMaxBytes}`,
      Code.ResourceExhausted,
    );
  }

  /**
   * The one message of a unary gRPC or gRPC-Web request body, decoded. The body is read as the
   * router reads it, envelope by envelope (5-byte prefix + message), and fails with the router's
   * code and message: size over readMaxBytes, incomplete envelope, compressed envelope, parse
   * failure, extra or missing message. gRPC-Web envelopes flagged as trailers are skipped. A
   * `truncated` body ends where reading stopped, not where the client's body ended.
   */
  function parseGrpcUnary(
    route: UnaryRoute,
    body: Buffer,
    truncated: boolean,
    skipFlag: number | undefined,
  ): unknown {
    let message: unknown;
    let found = false;
    const incomplete = () =>
      truncated
        ? tooLarge()
        : new ConnectError('protocol error: incomplete envelope', Code.InvalidArgument);
    // The router splits every envelope that has arrived before it reads any, so a size over the
    // limit anywhere in the body is what it reports first.
    for (let at = 0; at + 5 <= body.length; at += 5 + body.readUInt32BE(at + 1)) {
      const length = body.readUInt32BE(at + 1);
      if (length > readMaxBytes) throw tooLarge(length);
    }
    for (let at = 0; at < body.length; ) {
      if (body.length - at < 5) throw incomplete();
      const flags = body[at] as number;
      const length = body.readUInt32BE(at + 1);
      if (body.length - at - 5 < length) throw incomplete();
      const data = body.subarray(at + 5, at + 5 + length);
      at += 5 + length;
      if (flags & 0b01) {
        throw new ConnectError(
          'received compressed envelope, but do not know how to decompress',
          Code.Internal,
        );
      }
      if (skipFlag !== undefined && (flags & skipFlag) === skipFlag) continue;
      try {
        message = fromBinary(route.input, data);
      } catch (e) {
        throw new ConnectError(
          `parse binary: ${e instanceof Error ? e.message : String(e)}`,
          Code.Internal,
        );
      }
      if (found) {
        throw new ConnectError(
          'protocol error: received extra input message for unary method',
          Code.Unimplemented,
        );
      }
      found = true;
    }
    if (!found) {
      throw new ConnectError(
        'protocol error: missing input message for unary method',
        Code.Unimplemented,
      );
    }
    return message;
  }

  function tooLargeToWrite(size: number): ConnectError {
    return new ConnectError(
      `message size ${size} is larger than configured writeMaxBytes ${writeMaxBytes}`,
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

  /**
   * The framed response message, followed by `suffix` (gRPC-Web's trailer frame) in the same
   * buffer; RESOURCE_EXHAUSTED past writeMaxBytes.
   */
  function frameOf(route: UnaryRoute, output: unknown, suffix?: Buffer): Buffer {
    const bytes = toBinary(route.output, output as never);
    if (bytes.length > writeMaxBytes) {
      throw tooLargeToWrite(bytes.length);
    }
    const frame = Buffer.allocUnsafe(5 + bytes.length + (suffix?.length ?? 0));
    frame[0] = 0;
    frame.writeUInt32BE(bytes.length, 1);
    frame.set(bytes, 5);
    if (suffix) frame.set(suffix, 5 + bytes.length);
    return frame;
  }

  /** Reads the request's envelopes, runs the call and frames its result into `answer`. */
  function serveEnveloped(
    route: UnaryRoute,
    source: Readable,
    skipFlag: number | undefined,
    run: (message: unknown) => Promise<unknown>,
    answer: EnvelopedAnswer,
  ): void {
    readEnveloped(route, source, skipFlag, (error, message) => {
      if (error) return answer.fail(error);
      run(message).then(
        (output) => {
          if (answer.closed()) return;
          let frame: Buffer;
          try {
            frame = frameOf(route, output, answer.suffix);
          } catch (e) {
            return answer.fail(e);
          }
          answer.send(frame);
        },
        (e: unknown) => answer.fail(e),
      );
    });
  }

  function grpc(
    route: UnaryRoute,
    req: Http2ServerRequest,
    res: Http2ServerResponse,
    timeoutMs: number | undefined,
  ): void {
    serveEnveloped(route, req, undefined, (m) => invoke(route, req, res, m, timeoutMs), {
      closed: () => res.stream.destroyed,
      fail: (e) => grpcError(res, e),
      send: (frame) => {
        res.writeHead(200, { 'content-type': 'application/grpc' });
        res.addTrailers({ 'grpc-status': '0' });
        res.end(frame);
      },
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
    const onClientGone = (abort: () => void) => {
      if (stream.destroyed) abort();
      else stream.once('close', () => (stream.headersSent ? undefined : abort()));
    };
    serveEnveloped(
      route,
      stream,
      undefined,
      (m) => invokeWith(route, headers, m, onClientGone, timeoutMs),
      {
        closed: () => stream.destroyed,
        fail: (e) => streamError(stream, e),
        send: (frame) => {
          stream.respond(
            { ':status': 200, 'content-type': 'application/grpc' },
            { waitForTrailers: true },
          );
          stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame);
        },
      },
    );
  }

  // --- gRPC-Web, binary (HTTP/1.1 or HTTP/2) -----------------------------------------------------

  /** gRPC-Web sends the status as a last frame of the body, flagged 0x80, not as HTTP trailers. */
  function trailerFrame(trailer: Headers): Buffer {
    const bytes = trailerSerialize(trailer);
    const frame = Buffer.allocUnsafe(5 + bytes.length);
    frame[0] = trailerFlag;
    frame.writeUInt32BE(bytes.length, 1);
    frame.set(bytes, 5);
    return frame;
  }
  const grpcWebOk = trailerFrame(new Headers({ 'grpc-status': '0' }));

  function grpcWebBody(res: AnyResponse, body: Buffer): void {
    (res as ServerResponse).writeHead(200, {
      'content-type': 'application/grpc-web+proto',
      'content-length': String(body.length),
    });
    res.end(body);
  }

  function grpcWebError(res: AnyResponse, error: unknown): void {
    if (res.destroyed || res.headersSent) return;
    grpcWebBody(res, trailerFrame(setTrailerStatus(new Headers(), toConnectError(error))));
  }

  function grpcWeb(
    route: UnaryRoute,
    req: AnyRequest,
    res: AnyResponse,
    timeoutMs: number | undefined,
  ): void {
    serveEnveloped(route, req, trailerFlag, (m) => invoke(route, req, res, m, timeoutMs), {
      closed: () => res.destroyed,
      fail: (e) => grpcWebError(res, e),
      send: (frames) => grpcWebBody(res, frames),
      suffix: grpcWebOk,
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
    const length = req.headers['content-length'];
    readBody(req, typeof length === 'string' ? length : undefined, (body, truncated) => {
      if (truncated)
        return connectError(res, tooLarge(length === undefined ? undefined : Number(length)));
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
            return connectError(res, tooLargeToWrite(out.length));
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
    if (type === 'application/grpc-web' || type === 'application/grpc-web+proto') {
      const timeout = grpcTimeout(h['grpc-timeout']);
      if (timeout === false) return false;
      const enc = h['grpc-encoding'];
      if (enc !== undefined && enc !== 'identity') return false;
      grpcWeb(route, req, res, timeout);
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
