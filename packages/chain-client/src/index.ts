/**
 * @mystira/chain-client: the typed client of the mystira.chain.v1 Chain service for Node.
 *
 * gRPC over HTTP/2 by default; gRPC-Web and Connect (JSON) on the same pooled connections,
 * switchable per call. Deadlines, safe retries with idempotency keys, a circuit breaker, opt-in
 * hedging, auth, resumable transaction watching and batch registration with backpressure.
 * Browsers use `@mystira/chain-client/web`.
 *
 * @packageDocumentation
 */
import { type ChainClient, type ChainClientOptions, createCoreClient } from './core/client.js';
import { checkClientOptions } from './core/options.js';
import {
  type Http2Options,
  Http2SessionPool,
  nodeTransportFactory,
  type TlsOptions,
  tlsToNodeOptions,
} from './node-transport.js';

export { type Http2Options, Http2SessionPool, type TlsOptions } from './node-transport.js';
export * from './shared-exports.js';

/** Options of the Node client's {@link createChainClient}. */
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
 * @throws ChainClientOptionsError (a TypeError) naming the option when `baseUrl` is missing or
 * not an absolute http(s) URL, or another option has an impossible value.
 */
export function createChainClient(options: NodeChainClientOptions): ChainClient {
  checkClientOptions(options);
  const pool = new Http2SessionPool(options.baseUrl, options.http2, tlsToNodeOptions(options.tls));
  return createCoreClient(options, {
    createTransport: nodeTransportFactory(options.baseUrl, pool, options.leanUnary ?? true),
    defaultProtocol: 'grpc',
    supportsClientStreaming: true,
    close: () => pool.close(),
  });
}
