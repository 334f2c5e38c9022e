/**
 * One server, three protocols: gRPC, gRPC-Web and Connect (JSON and binary) on one port.
 *
 * - TLS: one `http2.createSecureServer` with ALPN offering h2 and http/1.1.
 * - Plaintext: a TCP listener reads the first bytes of each connection; the HTTP/2 client preface
 *   ("PRI * HTTP/2.0…") goes to an HTTP/2 server (h2c gRPC clients), anything else to an HTTP/1.1
 *   server (browsers, curl), so both share the port.
 * - Every request passes CORS, then the lean unary path (src/fast-path.ts), then the Connect
 *   router (all protocols, streaming, compression), which hosts the same handlers. Both admit a
 *   call the same way (src/admission.ts: auth, per-caller rate limit) and both live within the
 *   request limits (src/router-guard.ts and src/lean/body.ts: size, body deadline, byte budget).
 * - Graceful shutdown: stop accepting, end watch streams with UNAVAILABLE, let unary calls finish,
 *   and destroy whatever is left at the deadline.
 */
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { DescFile, DescService } from '@bufbuild/protobuf';
import { type ConnectRouter, cors as connectCors } from '@connectrpc/connect';
import { compressionBrotli, compressionGzip, connectNodeAdapter } from '@connectrpc/connect-node';
import { ChainService, chainFiles, chainIpFiles } from '@mystira/chain-protos';
import {
  createHealthRegistry,
  grpcHealthRoutes,
  Health,
  type HealthRegistry,
} from '@mystira/health';
import {
  Admission,
  admissionInterceptor,
  peerContextValues,
  type RateLimitOptions,
} from './admission.js';
import { Authenticator, type AuthOptions } from './auth.js';
import { ByteBudget } from './byte-budget.js';
import { createFastPath } from './fast-path.js';
import * as reflectionV1 from './gen/grpc/reflection/v1/reflection_pb.js';
import * as reflectionV1alpha from './gen/grpc/reflection/v1alpha/reflection_pb.js';
import {
  type ChainHandlers,
  chainServiceImpl,
  createChainHandlers,
  type StreamLimits,
} from './handlers.js';
import { type IdempotencyStore, MemoryIdempotencyStore } from './idempotency.js';
import { createIpHandlers, type IpHandlers } from './ip-handlers.js';
import { ipServices, registerIpServices } from './ip-services.js';
import type { Ledger } from './ledger.js';
import { type CallObserver, observingInterceptor } from './observe.js';
import { registerReflection } from './reflection.js';
import { createRouterGuard } from './router-guard.js';
import { type RpcTelemetry, telemetryInterceptor } from './telemetry.js';

/** Every limit the server applies to what clients send; the README's Security section lists them. */
export interface ServerLimits extends StreamLimits {
  /**
   * Largest request message accepted, in bytes. A message that declares more (envelope prefix or
   * content-length) is refused at once with RESOURCE_EXHAUSTED. Default 1 MiB (the library
   * default is ~4 GiB).
   */
  readMaxBytes: number;
  /** Largest response message sent, in bytes. Default 4 MiB. */
  writeMaxBytes: number;
  /** Largest deadline a client may ask for, in ms. Default 5 minutes. */
  maxTimeoutMs: number;
  /**
   * A unary request's authentication and whole body must arrive within this time (from its
   * headers), else the call ends with DEADLINE_EXCEEDED (HTTP 408 for Connect) and what it sent
   * is freed. Streaming requests are bound by `streamIdleTimeoutMs` instead. Default 10 s.
   */
  bodyTimeoutMs: number;
  /**
   * Request-body bytes the server holds for one connection at once; a body that would go over is
   * refused with RESOURCE_EXHAUSTED and RetryInfo. Default 16 MiB.
   */
  maxBufferedBytesPerConnection: number;
  /** The same, over all connections. Default 128 MiB. */
  maxBufferedBytes: number;
  /** Concurrent HTTP/2 streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS). Default 256. */
  maxConcurrentStreams: number;
}

/**
 * 1 MiB requests, 4 MiB responses, 5-minute deadlines, 10 s bodies, 16 MiB buffered per connection
 * and 128 MiB in all, 256 streams per connection, and the {@link defaultStreamLimits}.
 */
export const defaultServerLimits: ServerLimits = {
  readMaxBytes: 1024 * 1024,
  writeMaxBytes: 4 * 1024 * 1024,
  maxTimeoutMs: 5 * 60_000,
  bodyTimeoutMs: 10_000,
  maxBufferedBytesPerConnection: 16 * 1024 * 1024,
  maxBufferedBytes: 128 * 1024 * 1024,
  maxConcurrentStreams: 256,
  maxWatchedHashes: 100,
  maxBatchItems: 1000,
  streamIdleTimeoutMs: 5 * 60_000,
};

/** Extra gRPC services hosted beside the ChainService, e.g. grpc.health.v1 from @mystira/health. */
export interface ExtraRoutes {
  /** Registers the services on the router, e.g. `grpcHealthRoutes(registry)`. */
  routes: (router: ConnectRouter) => void;
  /** Their descriptors, so reflection lists them and serves their files. */
  services: readonly DescService[];
}

/** Options of {@link createChainServer}. */
export interface ChainServerOptions {
  /** The ledger the server hosts, e.g. a `DevnetLedger` or your chain adapter. */
  ledger: Ledger;
  /**
   * Where idempotency keys are kept, for ChainService and the mystira.chain.ip.v1 services alike.
   * Default a {@link MemoryIdempotencyStore} (one process only).
   */
  idempotency?: IdempotencyStore;
  /** API keys / bearer verifier. Omit for an open server (the devnet host logs that it is open). */
  auth?: AuthOptions;
  /**
   * Per-caller rate limit, e.g. `{ limiter: memoryRateLimiter({ capacity: 100, refillPerSecond:
   * 50 }) }` with the limiters of `@mystira/resilience`. A refused call gets RESOURCE_EXHAUSTED with
   * google.rpc.RetryInfo. Default: none.
   */
  rateLimit?: RateLimitOptions;
  /** Browser origins allowed by CORS ("*" for any). Default: none (no CORS headers). */
  corsOrigins?: readonly string[];
  /** PEM key and certificate: serve TLS with ALPN (h2, http/1.1). Default: plaintext h2c + HTTP/1.1. */
  tls?: {
    /** The private key, PEM. */
    key: string | Buffer;
    /** The certificate (chain), PEM. */
    cert: string | Buffer;
    /** CA certificates to trust instead of the defaults, PEM. */
    ca?: string | Buffer;
  };
  /** Size, time and concurrency bounds. Default {@link defaultServerLimits}. */
  limits?: Partial<ServerLimits>;
  /** Accept and send gzip/br compressed messages (on the Connect router). Default true. */
  compression?: boolean;
  /** Serve grpc.reflection.v1 and v1alpha. Default true. */
  reflection?: boolean;
  /**
   * More services, e.g. the standard grpc.health.v1 from `@mystira/health`:
   * `{ routes: grpcHealthRoutes(registry), services: [Health] }`.
   */
  extraRoutes?: readonly ExtraRoutes[];
  /**
   * The health registry behind the standard grpc.health.v1 service (from `@mystira/health`).
   * Default: a new registry. The server adds a `chain-ledger` check (the ledger's health), sets
   * `mystira.chain.v1.ChainService` SERVING when it listens (and the three mystira.chain.ip.v1
   * services, when the ledger has `ip`) and everything NOT_SERVING on close.
   * `false` leaves grpc.health.v1 out.
   */
  health?: HealthRegistry | false;
  /** Answer the common unary calls on the lean path. Default true; false routes all through Connect. */
  fastPath?: boolean;
  /**
   * Your release, reported by GetServiceInfo and HealthCheck, e.g. the `version` of your host's
   * package.json. Default `0.0.0`.
   */
  version?: string;
  /** Reported by GetServiceInfo. Default `mystira-chain-server`. */
  serviceName?: string;
  /** Called with the cause of every INTERNAL failure (clients only see "internal error"). */
  onInternalError?: (error: unknown, method: string) => void;
  /**
   * Called once per call that got past decoding, on either serving path: procedure, protocol,
   * status code (undefined = OK), duration, principal. For access logs and metrics.
   */
  onCall?: CallObserver;
  /**
   * Spans and metrics for every call on both serving paths and for every ledger call, e.g.
   * `otelTelemetry()` from `@mystira/chain-server/otel` (OpenTelemetry). Default: none.
   */
  telemetry?: RpcTelemetry;
}

/** A Chain server (see {@link createChainServer}). */
export interface ChainServer {
  /** The handlers the server hosts (for embedding or tests). */
  readonly handlers: ChainHandlers;
  /** The handlers of the mystira.chain.ip.v1 services, when the ledger has `ip`. */
  readonly ipHandlers?: IpHandlers;
  /** The Node request listener (HTTP/1.1 and HTTP/2 compatible), for mounting in another server. */
  readonly requestListener: (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ) => void;
  /**
   * Starts listening; resolves with the bound port. Port 0 picks a free one. `host` defaults to
   * `127.0.0.1`, on purpose: nothing outside the machine reaches a server nobody chose to expose.
   * In a container, pass `0.0.0.0` (or `::`), or the published port reaches nothing.
   */
  listen(
    port?: number,
    host?: string,
  ): Promise<{
    /** The port bound (the one picked when `port` was 0). */
    port: number;
    /** The host listened on. */
    host: string;
  }>;
  /**
   * Graceful shutdown: stops accepting, ends streams with UNAVAILABLE, lets unary calls finish,
   * and destroys the remaining connections after `deadlineMs` (default 10 s).
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
  /** Aborted once close() starts. */
  readonly shutdownSignal: AbortSignal;
  /** Request-body bytes held now over all connections (what `maxBufferedBytes` bounds). */
  readonly bufferedBytes: number;
  /** The registry behind grpc.health.v1, if served. */
  readonly health?: HealthRegistry;
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Creates the server. Nothing listens until `listen()`. */
export function createChainServer(options: ChainServerOptions): ChainServer {
  const limits: ServerLimits = { ...defaultServerLimits, ...options.limits };
  const shutdown = new AbortController();
  const telemetry = options.telemetry;
  // One store for both packages: its keys carry the method, so they never meet.
  const idempotency = options.idempotency ?? new MemoryIdempotencyStore();
  // The handlers see the ledger (and its ip port) through the telemetry wrapper, so any ledger
  // gets child spans.
  const ledger = telemetry ? telemetry.wrapLedger(options.ledger) : options.ledger;
  const handlers = createChainHandlers({
    ledger,
    idempotency,
    limits,
    version: options.version,
    serviceName: options.serviceName,
    shutdownSignal: shutdown.signal,
    onInternalError: options.onInternalError,
  });
  const ip = ledger.ip;
  const ipHandlers = ip
    ? createIpHandlers({ ip, idempotency, onInternalError: options.onInternalError })
    : undefined;
  const authenticator = options.auth ? new Authenticator(options.auth) : undefined;
  const admission = new Admission(authenticator, options.rateLimit);
  const budget = new ByteBudget(limits.maxBufferedBytesPerConnection, limits.maxBufferedBytes);
  // Invalid UTF-8 in Connect JSON is INVALID_ARGUMENT on both paths, never a silent U+FFFD.
  const jsonOptions = {
    ignoreUnknownFields: true,
    textDecoder: new TextDecoder('utf-8', { fatal: true }),
  };
  const health = options.health === false ? undefined : (options.health ?? createHealthRegistry());
  if (health && !health.names.includes('chain-ledger')) {
    health.register({
      name: 'chain-ledger',
      async check() {
        const h = await options.ledger.health();
        if (!h.serving) throw new Error(`ledger not serving: ${JSON.stringify(h.details)}`);
        return { status: 'healthy', detail: h.details };
      },
    });
  }
  const extras: ExtraRoutes[] = [
    ...(health ? [{ routes: grpcHealthRoutes(health), services: [Health] }] : []),
    ...(options.extraRoutes ?? []),
  ];

  const routes = (router: ConnectRouter) => {
    router.service(ChainService, chainServiceImpl(handlers));
    registerIpServices(router, ipHandlers);
    for (const extra of extras) extra.routes(router);
    if (options.reflection !== false) {
      // The ip services are listed only when served: an UNIMPLEMENTED service is not offered.
      const services: DescService[] = [
        ChainService,
        ...(ipHandlers ? ipServices : []),
        ...extras.flatMap((e) => e.services),
        reflectionV1.ServerReflection,
        reflectionV1alpha.ServerReflection,
      ];
      const files = ipHandlers ? [...chainFiles, ...chainIpFiles] : chainFiles;
      registerReflection(router, services, files as DescFile[]);
    }
  };
  const compression = options.compression === false ? [] : [compressionGzip, compressionBrotli];
  const connectHandler = connectNodeAdapter({
    routes,
    interceptors: [
      ...(telemetry ? [telemetryInterceptor(telemetry)] : []),
      ...(options.onCall ? [observingInterceptor(options.onCall)] : []),
      ...(admission.active ? [admissionInterceptor(admission)] : []),
    ],
    ...(options.rateLimit ? { contextValues: peerContextValues } : {}),
    readMaxBytes: limits.readMaxBytes,
    writeMaxBytes: limits.writeMaxBytes,
    maxTimeoutMs: limits.maxTimeoutMs,
    acceptCompression: compression,
    compressMinBytes: 1024,
    jsonOptions,
    grpc: true,
    grpcWeb: true,
    connect: true,
  });
  const fast =
    options.fastPath === false
      ? undefined
      : createFastPath({
          handlers,
          admission,
          budget,
          readMaxBytes: limits.readMaxBytes,
          writeMaxBytes: limits.writeMaxBytes,
          bodyTimeoutMs: limits.bodyTimeoutMs,
          jsonOptions,
          maxTimeoutMs: limits.maxTimeoutMs,
          onCall: options.onCall,
          telemetry,
        });

  const guard = createRouterGuard({
    budget,
    readMaxBytes: limits.readMaxBytes,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    writeMaxBytes: limits.writeMaxBytes,
    jsonOptions,
  });

  const origins = options.corsOrigins ?? [];
  const anyOrigin = origins.includes('*');
  const allowMethods = connectCors.allowedMethods.join(', ');
  // traceparent/tracestate: browsers carrying W3C trace context (e.g. chain-client's
  // otelInterceptor) must pass the preflight, or every traced call fails CORS.
  const allowHeaders = [
    ...connectCors.allowedHeaders,
    'Authorization',
    'X-Api-Key',
    'traceparent',
    'tracestate',
  ].join(', ');
  const exposeHeaders = connectCors.exposedHeaders.join(', ');

  const requestListener: ChainServer['requestListener'] = (req, res) => {
    const origin = req.headers.origin;
    if (origin !== undefined && origins.length > 0 && (anyOrigin || origins.includes(origin))) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-expose-headers', exposeHeaders);
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', allowMethods);
        res.setHeader('access-control-allow-headers', allowHeaders);
        res.setHeader('access-control-max-age', '7200');
        (res as http.ServerResponse).writeHead(204);
        res.end();
        return;
      }
    }
    if (shutdown.signal.aborted && req.httpVersionMajor === 1) res.setHeader('connection', 'close');
    if (fast?.request(req, res)) return;
    if (guard(req, res)) connectHandler(req, res);
  };

  const onStream = (
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    _flags: number,
    rawHeaders: string[],
  ) => {
    if (fast?.stream(stream, headers)) return;
    // What node's compat layer does for each stream (we own 'stream', so we do it).
    requestListener(
      new http2.Http2ServerRequest(stream, headers, {}, rawHeaders),
      new http2.Http2ServerResponse(stream),
    );
  };

  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  let listener: net.Server | undefined;
  let h1: http.Server | undefined;

  const trackSession = (session: http2.Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  };
  const trackSocket = (socket: net.Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  async function listen(port = 0, host = '127.0.0.1') {
    if (listener) throw new Error('already listening');
    if (options.tls) {
      const server = http2.createSecureServer({
        key: options.tls.key,
        cert: options.tls.cert,
        ca: options.tls.ca,
        allowHTTP1: true,
        ALPNProtocols: ['h2', 'http/1.1'],
        settings: { maxConcurrentStreams: limits.maxConcurrentStreams },
      });
      // HTTP/1.1 connections arrive as 'request'. Adding that listener also makes node turn every
      // HTTP/2 stream into compat request/response objects; we take the streams over instead, so
      // unary gRPC skips that layer and everything else gets the same objects node would make.
      server.on('request', requestListener);
      server.removeAllListeners('stream');
      server.on('stream', onStream);
      server.on('session', trackSession);
      server.on('connection', trackSocket);
      listener = server;
    } else {
      const plainH2 = http2.createServer({
        settings: { maxConcurrentStreams: limits.maxConcurrentStreams },
      });
      plainH2.on('stream', onStream);
      plainH2.on('session', trackSession);
      h1 = http.createServer(
        {
          // A backstop behind the body deadline for requests the router reads (node answers 408
          // and closes); checked every second rather than node's default 30 s.
          requestTimeout: limits.bodyTimeoutMs + 1000,
          headersTimeout: Math.min(60_000, limits.bodyTimeoutMs + 1000),
          connectionsCheckingInterval: 1000,
        },
        requestListener,
      );
      const plainH1 = h1;
      // noDelay: gRPC writes small frames (headers, data, trailers); Nagle's algorithm would hold
      // them back waiting for ACKs. (http.createServer sets it by default; net does not.)
      listener = net.createServer({ noDelay: true }, (socket) => {
        trackSocket(socket);
        sniff(socket, (isH2) => {
          if (isH2) {
            // The HTTP/2 session reads the bytes put back from the socket's buffer itself.
            plainH2.emit('connection', socket);
          } else {
            plainH1.emit('connection', socket);
            socket.resume();
          }
        });
      });
    }
    const server = listener;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    health?.setServiceStatus(ChainService.typeName, 'SERVING');
    if (ipHandlers) for (const s of ipServices) health?.setServiceStatus(s.typeName, 'SERVING');
    const address = server.address() as net.AddressInfo;
    return { port: address.port, host: address.address };
  }

  async function close({ deadlineMs = 10_000 }: { deadlineMs?: number } = {}) {
    shutdown.abort();
    // Probes see NOT_SERVING at once, so load balancers drain us while calls finish.
    health?.statusBoard.shutdown();
    const closed = listener
      ? new Promise<void>((r) => listener?.close(() => r()))
      : Promise.resolve();
    // GOAWAY: HTTP/2 clients open no new streams; the ones in flight may finish.
    for (const s of sessions) if (!s.closed) s.close();
    // HTTP/1.1 keep-alive connections close as soon as they are idle (responses after shutdown
    // also say `connection: close`).
    h1?.closeIdleConnections();
    const poll = setInterval(() => h1?.closeIdleConnections(), 50);
    const deadline = new Promise<void>((r) => setTimeout(r, deadlineMs).unref());
    const drained = new Promise<void>((resolve) => {
      const check = () =>
        sockets.size === 0 && sessions.size === 0 ? resolve() : setTimeout(check, 20).unref();
      check();
    });
    await Promise.race([drained, deadline]);
    clearInterval(poll);
    for (const s of sessions) s.destroy();
    for (const s of sockets) s.destroy();
    await closed;
  }

  return {
    handlers,
    ipHandlers,
    requestListener,
    listen,
    close,
    shutdownSignal: shutdown.signal,
    health,
    get bufferedBytes() {
      return budget.bufferedBytes;
    },
  };
}

/**
 * Reads just enough of a new plaintext connection to tell HTTP/2 (the client preface starts
 * with "PRI ") from HTTP/1.1, puts the bytes back, and hands the socket on.
 */
function sniff(socket: net.Socket, route: (isH2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    const isPrefix = seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    if (isPrefix && n < 4) return; // too few bytes to decide ("PRI " vs "POST")
    socket.off('data', onData);
    socket.off('error', onError);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(seen);
    route(isPrefix);
  };
  const onError = () => socket.destroy();
  socket.on('data', onData);
  socket.on('error', onError);
  // A connection that says nothing is not kept forever.
  socket.setTimeout(10_000, () => socket.destroy());
}
