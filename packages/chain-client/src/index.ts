/**
 * @mystira/chain-client: the typed client of the mystira.chain.v1 Chain service for Node.
 *
 * gRPC over HTTP/2 by default; gRPC-Web and Connect (JSON) on the same pooled connections,
 * switchable per call. Deadlines, safe retries with idempotency keys, a circuit breaker, opt-in
 * hedging, auth, resumable transaction watching and batch registration with backpressure.
 * Browsers use `@mystira/chain-client/web`.
 */
import { type ChainClient, type ChainClientOptions, createCoreClient } from './core/client.js';
import {
  type Http2Options,
  Http2SessionPool,
  nodeTransportFactory,
  type TlsOptions,
  tlsToNodeOptions,
} from './node-transport.js';

export { type Http2Options, Http2SessionPool, type TlsOptions } from './node-transport.js';
export * from './shared-exports.js';

export interface NodeChainClientOptions extends ChainClientOptions {
  /** TLS for `https:` base URLs: CA, client certificate (mTLS), certificate verification. */
  tls?: TlsOptions;
  /** HTTP/2 connection reuse and keep-alive. */
  http2?: Http2Options;
  /**
   * Unary gRPC calls on the client's lean HTTP/2 path instead of Connect's generic pipeline
   * (same wire format, interceptors and errors; less CPU per call). Default true.
   */
  leanUnary?: boolean;
}

/**
 * Creates a client for Node. All protocols share one pool of HTTP/2 connections to `baseUrl`;
 * call `close()` when done so the process can exit.
 *
 * @throws TypeError when `baseUrl` is not an http(s) URL.
 */
export function createChainClient(options: NodeChainClientOptions): ChainClient {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be http: or https:, got ${options.baseUrl}`);
  }
  const pool = new Http2SessionPool(options.baseUrl, options.http2, tlsToNodeOptions(options.tls));
  return createCoreClient(options, {
    createTransport: nodeTransportFactory(options.baseUrl, pool, options.leanUnary ?? true),
    defaultProtocol: 'grpc',
    supportsClientStreaming: true,
    close: () => pool.close(),
  });
}
