/**
 * A lean gRPC unary path on node:http2 for the Node client.
 *
 * Connect's generic client runs every call through async-iterable pipelines (request body,
 * envelope framing, response body), which costs more CPU per call than the call itself on a
 * busy service. A unary gRPC call is one framed message each way plus trailers, so this path
 * writes the 5-byte envelope and the protobuf bytes in one `end()`, collects the response frames
 * and reads grpc-status from the trailers, on the same pooled HTTP/2 sessions (reconnects and
 * keep-alive pings stay with connect-node's `Http2SessionManager`). Interceptors still run, with
 * the same request/response shapes as Connect's. Streaming RPCs use the Connect transport.
 *
 * Errors follow the gRPC spec's mapping: grpc-status/grpc-message (percent-decoded) and the
 * google.rpc.Status in grpc-status-details-bin become a ConnectError with its details; HTTP
 * statuses without grpc-status and RST_STREAM codes map as in the gRPC HTTP/2 protocol document.
 */
import * as http2 from 'node:http2';
import {
  create,
  type DescMessage,
  type DescMethodUnary,
  fromBinary,
  isMessage,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextValues,
  type Interceptor,
  type Transport,
  type UnaryRequest,
  type UnaryResponse,
} from '@connectrpc/connect';
// The gRPC HTTP-status mapping is Connect's own, the one its gRPC transport uses for streams.
// Connect marks the protocol-grpc helpers internal (outside semver): the lean-grpc test of the
// mapping guards an upgrade. Its trailer parser (findTrailerError) is not used: see grpcError.
import { codeFromHttpStatus } from '@connectrpc/connect/protocol-grpc';
import { StatusSchema } from '@mystira/chain-protos/google-rpc';
import type { NodeHttp2ClientSessionManager } from './http2-session-manager.js';

const NEVER = new AbortController().signal;
const USER_AGENT = 'mystira-chain-client/0.1 (node; grpc)';
/**
 * The largest response message the Node client reads (on every protocol: Connect's transports get
 * it as `readMaxBytes`). A contract message is small: anything this large is a broken or hostile
 * server, and it is refused with RESOURCE_EXHAUSTED before it is buffered whole.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const {
  NGHTTP2_CANCEL,
  NGHTTP2_NO_ERROR,
  NGHTTP2_REFUSED_STREAM,
  NGHTTP2_ENHANCE_YOUR_CALM,
  NGHTTP2_INADEQUATE_SECURITY,
} = http2.constants;

type UnaryFn = (req: UnaryRequest) => Promise<UnaryResponse>;
type LeanRequest = UnaryRequest & { timeoutMs?: number | undefined; path: string };

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_INVALID_SESSION',
]);

function fromNodeError(e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  const code = (e as { code?: unknown })?.code;
  const msg = e instanceof Error ? e.message : String(e);
  return new ConnectError(
    msg,
    typeof code === 'string' && NETWORK_CODES.has(code) ? Code.Unavailable : Code.Internal,
    undefined,
    undefined,
    e,
  );
}

function fromRstCode(rst: number): ConnectError {
  switch (rst) {
    case NGHTTP2_REFUSED_STREAM:
      return new ConnectError('stream refused by the server', Code.Unavailable);
    case NGHTTP2_CANCEL:
      return new ConnectError('stream cancelled by the server', Code.Canceled);
    case NGHTTP2_ENHANCE_YOUR_CALM:
      return new ConnectError(
        'server asked to slow down (ENHANCE_YOUR_CALM)',
        Code.ResourceExhausted,
      );
    case NGHTTP2_INADEQUATE_SECURITY:
      return new ConnectError('inadequate security', Code.PermissionDenied);
    default:
      return new ConnectError(`stream reset with HTTP/2 error code ${rst}`, Code.Internal);
  }
}

function toHeaders(...sources: (http2.IncomingHttpHeaders | undefined)[]): Headers {
  const h = new Headers();
  for (const src of sources) {
    if (!src) continue;
    for (const k in src) {
      if (k.startsWith(':')) continue;
      const v = src[k];
      if (Array.isArray(v)) for (const x of v) h.append(k, x);
      else if (v !== undefined) h.append(k, String(v));
    }
  }
  return h;
}

function decodeMessage(raw: string | string[] | undefined): string {
  const s = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The error of a call that ended with a non-zero grpc-status. Connect's `findTrailerError` does
 * the same job for its own gRPC transport but differs where this one must not change: it takes the
 * code and message from grpc-status-details-bin when present (ignoring grpc-status and
 * grpc-message, and treating a details code of 0 as success), fails with DATA_LOSS on details it
 * cannot decode, throws on a malformed percent-encoded message, and keeps as metadata only the
 * one header block it reads. Here
 * grpc-status and grpc-message always stand, undecodable details are dropped, a malformed message
 * is kept as sent, and the metadata holds headers and trailers.
 */
function grpcError(
  code: number,
  headers: http2.IncomingHttpHeaders | undefined,
  trailers: http2.IncomingHttpHeaders | undefined,
): ConnectError {
  const src = trailers?.['grpc-status'] !== undefined ? trailers : headers;
  const err = new ConnectError(
    decodeMessage(src?.['grpc-message']),
    code as Code,
    toHeaders(headers, trailers),
  );
  const details = src?.['grpc-status-details-bin'];
  if (typeof details === 'string') {
    try {
      const status = fromBinary(StatusSchema, Buffer.from(details, 'base64'));
      for (const any of status.details) {
        err.details.push({
          type: any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1),
          value: any.value,
        });
      }
    } catch {
      // Undecodable details: the code and message still stand.
    }
  }
  return err;
}

/** Issues one unary gRPC call on the pool; `req.header` is sent as is. */
function leanCall(
  pool: NodeHttp2ClientSessionManager,
  req: LeanRequest,
  nodeHeaders: http2.OutgoingHttpHeaders,
): Promise<UnaryResponse> {
  const method = req.method as DescMethodUnary<DescMessage, DescMessage>;
  const bytes = toBinary(method.input, req.message);
  const frame = Buffer.allocUnsafe(5 + bytes.byteLength);
  frame[0] = 0;
  frame.writeUInt32BE(bytes.byteLength, 1);
  frame.set(bytes, 5);
  const signal = req.signal;
  return new Promise<UnaryResponse>((resolve, reject) => {
    let settled = false;
    let stream: http2.ClientHttp2Stream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      if (signal !== NEVER) signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: ConnectError) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (stream && !stream.closed) stream.close(NGHTTP2_CANCEL);
      reject(err);
    };
    function onAbort() {
      fail(
        new ConnectError(
          'the operation was aborted',
          Code.Canceled,
          undefined,
          undefined,
          signal.reason,
        ),
      );
    }
    if (signal.aborted) {
      onAbort();
      return;
    }
    if (signal !== NEVER) signal.addEventListener('abort', onAbort, { once: true });
    if (req.timeoutMs !== undefined) {
      timer = setTimeout(
        () => fail(new ConnectError('the operation timed out', Code.DeadlineExceeded)),
        req.timeoutMs,
      );
    }
    pool.request('POST', req.path, nodeHeaders, {}).then(
      (s) => {
        if (settled) {
          s.close(NGHTTP2_CANCEL);
          return;
        }
        stream = s;
        let headers: http2.IncomingHttpHeaders | undefined;
        let trailers: http2.IncomingHttpHeaders | undefined;
        let first: Buffer | undefined;
        let rest: Buffer[] | undefined;
        let received = 0;
        s.on('response', (h) => {
          headers = h;
        });
        s.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) {
            fail(
              new ConnectError(
                `response larger than ${MAX_RESPONSE_BYTES} bytes`,
                Code.ResourceExhausted,
              ),
            );
            return;
          }
          if (!first) first = chunk;
          else if (rest) rest.push(chunk);
          else rest = [first, chunk];
          pool.notifyResponseByteRead(s);
        });
        s.on('trailers', (t) => {
          trailers = t;
        });
        // A reset stream errors before it closes; its RST code says more than the Node error.
        s.on('error', (e) =>
          fail(
            s.rstCode !== undefined && s.rstCode !== NGHTTP2_NO_ERROR
              ? fromRstCode(s.rstCode)
              : fromNodeError(e),
          ),
        );
        s.on('close', () => {
          if (settled) return;
          if (!headers) {
            fail(
              s.rstCode !== undefined && s.rstCode !== NGHTTP2_NO_ERROR
                ? fromRstCode(s.rstCode)
                : new ConnectError('stream closed without a response', Code.Unavailable),
            );
            return;
          }
          const status = Number(headers[':status']);
          const grpcStatus = trailers?.['grpc-status'] ?? headers['grpc-status'];
          if (grpcStatus === undefined) {
            if (status !== 200) {
              fail(
                new ConnectError(`HTTP ${status}`, codeFromHttpStatus(status), toHeaders(headers)),
              );
            } else if (s.rstCode !== undefined && s.rstCode !== NGHTTP2_NO_ERROR) {
              fail(fromRstCode(s.rstCode));
            } else {
              fail(
                new ConnectError(
                  'protocol error: missing grpc-status',
                  Code.Internal,
                  toHeaders(headers),
                ),
              );
            }
            return;
          }
          const code = Number(grpcStatus);
          if (code !== 0) {
            fail(grpcError(code, headers, trailers));
            return;
          }
          const body = rest ? Buffer.concat(rest) : first;
          if (!body || body.length < 5) {
            fail(
              new ConnectError(
                'protocol error: missing output message for unary method',
                Code.Unimplemented,
              ),
            );
            return;
          }
          if ((body[0] as number) & 1) {
            fail(
              new ConnectError(
                'protocol error: compressed message without a negotiated encoding',
                Code.Internal,
              ),
            );
            return;
          }
          const len = body.readUInt32BE(1);
          if (body.length !== 5 + len) {
            fail(
              new ConnectError(
                'protocol error: unary response must be exactly one message',
                Code.Unimplemented,
              ),
            );
            return;
          }
          let message: MessageShape<DescMessage>;
          try {
            message = fromBinary(method.output, body.subarray(5));
          } catch (e) {
            fail(new ConnectError(`failed to decode the response: ${String(e)}`, Code.Internal));
            return;
          }
          settled = true;
          cleanup();
          const h = headers;
          const t = trailers;
          let hh: Headers | undefined;
          let th: Headers | undefined;
          // Headers objects are built on first use: most callers never look at them.
          resolve({
            stream: false,
            service: req.service,
            method,
            message,
            get header() {
              hh ??= toHeaders(h);
              return hh;
            },
            get trailer() {
              th ??= toHeaders(t);
              return th;
            },
          } as UnaryResponse);
        });
        s.end(frame);
      },
      (e) => fail(fromNodeError(e)),
    );
  });
}

/**
 * A Transport whose unary calls take the lean path and whose streaming calls go to `streams`
 * (Connect's gRPC transport on the same pool).
 */
export function createLeanGrpcTransport(
  baseUrl: string,
  pool: NodeHttp2ClientSessionManager,
  interceptors: readonly Interceptor[],
  streams: Transport,
): Transport {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const origin = baseUrl.replace(/\/+$/, '');
  const final: UnaryFn = (req) => {
    const nodeHeaders: http2.OutgoingHttpHeaders = {};
    req.header.forEach((v, k) => {
      nodeHeaders[k] = v;
    });
    return leanCall(pool, req as LeanRequest, nodeHeaders);
  };
  let chain: UnaryFn = final;
  for (let i = interceptors.length - 1; i >= 0; i--)
    chain = (interceptors[i] as Interceptor)(chain as never) as UnaryFn;
  const withInterceptors = interceptors.length > 0;

  return {
    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const message = isMessage(input, method.input)
        ? input
        : create(method.input, input as MessageInitShape<I>);
      const path = `${prefix}/${method.parent.typeName}/${method.name}`;
      const grpcTimeout =
        timeoutMs === undefined ? undefined : `${Math.max(1, Math.ceil(timeoutMs))}m`;
      if (!withInterceptors) {
        // No interceptor can look at the request: skip the Headers object altogether.
        const nodeHeaders: http2.OutgoingHttpHeaders = {
          'content-type': 'application/grpc+proto',
          te: 'trailers',
          'user-agent': USER_AGENT,
        };
        if (grpcTimeout) nodeHeaders['grpc-timeout'] = grpcTimeout;
        if (header)
          new Headers(header).forEach((v, k) => {
            nodeHeaders[k] = v;
          });
        const req = {
          method,
          service: method.parent,
          message,
          signal: signal ?? NEVER,
          timeoutMs,
          path,
        } as unknown as LeanRequest;
        return leanCall(pool, req, nodeHeaders) as Promise<UnaryResponse<I, O>>;
      }
      const h = new Headers(header);
      h.set('content-type', 'application/grpc+proto');
      h.set('te', 'trailers');
      h.set('user-agent', USER_AGENT);
      if (grpcTimeout) h.set('grpc-timeout', grpcTimeout);
      const req = {
        stream: false as const,
        service: method.parent,
        method,
        requestMethod: 'POST',
        url: `${origin}/${method.parent.typeName}/${method.name}`,
        signal: signal ?? NEVER,
        header: h,
        contextValues: contextValues ?? createContextValues(),
        message,
        timeoutMs,
        path,
      };
      return chain(req as unknown as UnaryRequest) as Promise<UnaryResponse<I, O>>;
    },
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      streams.stream(method, signal, timeoutMs, header, input, contextValues),
  };
}
