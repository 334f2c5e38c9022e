/**
 * Node transports: gRPC, gRPC-Web and Connect over node:http2, all sharing one pool of HTTP/2
 * sessions to the endpoint (TLS options and keep-alive pings applied once, in the pool).
 */
import type * as http2 from 'node:http2';
import type { Interceptor, Transport } from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from '@connectrpc/connect-node';
import type { ChainProtocol } from './core/client.js';
import type { NodeHttp2ClientSessionManager } from './http2-session-manager.js';
import { createLeanGrpcTransport, MAX_RESPONSE_BYTES } from './lean-grpc.js';

/** TLS of the Node client's connections (`NodeChainClientOptions.tls`). */
export interface TlsOptions {
  /** Trusted CA certificate(s), PEM; the system store when omitted. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain (PEM) for mutual TLS. */
  cert?: string | Buffer;
  /** Client private key (PEM) for mutual TLS. */
  key?: string | Buffer;
  /** Verify the server certificate. Default true; false only for development. */
  rejectUnauthorized?: boolean;
  /** SNI / certificate name when it differs from the URL's host. */
  servername?: string;
}

/** The Node client's HTTP/2 connections (`NodeChainClientOptions.http2`). */
export interface Http2Options {
  /** Send an HTTP/2 PING after this much silence to keep NATs and load balancers from dropping the connection. Default 30 000 ms. */
  pingIntervalMs?: number;
  /**
   * Also ping while no call is open. Default false: gRPC servers (grpc-core, grpc-go) answer
   * frequent pings without calls with GOAWAY "too_many_pings"; enable it only with a server that
   * permits it (e.g. behind a load balancer that drops idle connections).
   */
  pingIdleConnection?: boolean;
  /** Close the connection when a PING is not answered in time. Default 15 000 ms. */
  pingTimeoutMs?: number;
  /** Close a connection idle for this long. Default 15 minutes. */
  idleConnectionTimeoutMs?: number;
  /**
   * HTTP/2 connections to open to the endpoint, used round-robin. One connection serialises all
   * frames through one socket; 2–4 lift throughput under high concurrency. Default 1.
   */
  connections?: number;
}

/**
 * Round-robins requests over several `Http2SessionManager`s (each one connection, with its own
 * reconnect and keep-alive logic). A response stream reports reads to the manager that opened it.
 */
export class Http2SessionPool implements NodeHttp2ClientSessionManager {
  readonly authority: string;
  private readonly managers: Http2SessionManager[];
  private readonly owner = new WeakMap<http2.ClientHttp2Stream, Http2SessionManager>();
  private next = 0;

  constructor(
    baseUrl: string,
    http2Options: Http2Options = {},
    nodeOptions: http2.SecureClientSessionOptions = {},
  ) {
    const count = Math.max(1, Math.floor(http2Options.connections ?? 1));
    const ping = {
      pingIntervalMs: http2Options.pingIntervalMs ?? 30_000,
      pingTimeoutMs: http2Options.pingTimeoutMs ?? 15_000,
      pingIdleConnection: http2Options.pingIdleConnection ?? false,
      idleConnectionTimeoutMs: http2Options.idleConnectionTimeoutMs ?? 15 * 60_000,
    };
    this.managers = Array.from(
      { length: count },
      () => new Http2SessionManager(baseUrl, ping, nodeOptions),
    );
    this.authority = (this.managers[0] as Http2SessionManager).authority;
  }

  async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, 'signal'>,
  ): Promise<http2.ClientHttp2Stream> {
    const manager = this.managers[this.next] as Http2SessionManager;
    this.next = (this.next + 1) % this.managers.length;
    const stream = await manager.request(method, path, headers, options);
    if (this.managers.length > 1) this.owner.set(stream, manager);
    return stream;
  }

  notifyResponseByteRead(stream: http2.ClientHttp2Stream): void {
    (this.owner.get(stream) ?? (this.managers[0] as Http2SessionManager)).notifyResponseByteRead(
      stream,
    );
  }

  /** Closes every connection; pending calls fail with CANCELED. */
  close(): void {
    for (const m of this.managers) m.abort();
  }
}

export function nodeTransportFactory(
  baseUrl: string,
  pool: Http2SessionPool,
  leanUnary = true,
): (protocol: ChainProtocol, interceptors: Interceptor[]) => Transport {
  return (protocol, interceptors) => {
    const common = {
      baseUrl,
      httpVersion: '2' as const,
      sessionManager: pool,
      interceptors,
      // Connect's default is 4 GiB per message; the lean path refuses more than this too.
      readMaxBytes: MAX_RESPONSE_BYTES,
    };
    switch (protocol) {
      case 'grpc':
        // Unary calls on the lean path (see lean-grpc.ts), streams on Connect's transport.
        return leanUnary
          ? createLeanGrpcTransport(baseUrl, pool, interceptors, createGrpcTransport(common))
          : createGrpcTransport(common);
      case 'grpc-web':
        return createGrpcWebTransport({ ...common, useBinaryFormat: true });
      case 'connect':
        // JSON: the REST-style path a proxy, curl or a browser can read.
        return createConnectTransport({ ...common, useBinaryFormat: false });
    }
  };
}

export function tlsToNodeOptions(tls: TlsOptions | undefined): http2.SecureClientSessionOptions {
  if (!tls) return {};
  const o: http2.SecureClientSessionOptions = {};
  if (tls.ca !== undefined) o.ca = tls.ca;
  if (tls.cert !== undefined) o.cert = tls.cert;
  if (tls.key !== undefined) o.key = tls.key;
  if (tls.rejectUnauthorized !== undefined) o.rejectUnauthorized = tls.rejectUnauthorized;
  if (tls.servername !== undefined) o.servername = tls.servername;
  return o;
}
