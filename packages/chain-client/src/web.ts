/**
 * @mystira/chain-client/web: the Chain client for browsers, on Connect-Web (fetch). Same facade
 * as the Node entry except `batchRegister`, which needs client streaming over HTTP/2 and throws
 * ChainUnsupportedError here. Imports no Node built-ins.
 *
 * @packageDocumentation
 */
import { Code, ConnectError, type Interceptor, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import {
  type ChainClient,
  type ChainClientOptions,
  type ChainProtocol,
  createCoreClient,
} from './core/client.js';
import { ChainUnsupportedError } from './core/errors.js';
import { checkClientOptions } from './core/options.js';

export * from './shared-exports.js';

/** Options of the browser client's `createChainClient`. */
export interface WebChainClientOptions extends ChainClientOptions {
  /** A fetch to use instead of the global one, e.g. to set `credentials: 'include'`. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Creates a browser client. `protocol` may be `connect` (default, JSON) or `grpc-web`; `grpc`
 * needs HTTP/2 trailers that browsers do not expose, and its calls fail with ChainUnsupportedError.
 * `baseUrl` must be absolute (for the page's own origin: `new URL('/chain', location.href).href`).
 *
 * @throws ChainClientOptionsError (a TypeError) naming the option when `baseUrl` is missing or
 * not an absolute http(s) URL, or another option has an impossible value.
 */
export function createChainClient(options: WebChainClientOptions): ChainClient {
  checkClientOptions(options);
  return createCoreClient(options, {
    defaultProtocol: 'connect',
    supportsClientStreaming: false,
    createTransport(protocol: ChainProtocol, interceptors: Interceptor[]): Transport {
      const common = {
        baseUrl: options.baseUrl,
        interceptors,
        fetch: networkErrorsAsUnavailable(options.fetch),
      };
      switch (protocol) {
        case 'grpc-web':
          return createGrpcWebTransport({ ...common, useBinaryFormat: true });
        case 'connect':
          return createConnectTransport({ ...common, useBinaryFormat: false });
        default:
          return unsupported(protocol);
      }
    },
  });
}

/**
 * fetch rejects with a TypeError when no answer arrived at all: connection refused or reset,
 * DNS, offline, blocked by CORS ("Failed to fetch", "NetworkError …", "Load failed"). Connect
 * would report that as UNKNOWN, which is neither retried nor counted by the breaker; it is the
 * service being unreachable, UNAVAILABLE. Aborts (DOMException) pass through unchanged.
 */
function networkErrorsAsUnavailable(
  fetchImpl: typeof globalThis.fetch | undefined,
): typeof globalThis.fetch {
  return async (input, init) => {
    try {
      return await (fetchImpl ?? globalThis.fetch)(input, init);
    } catch (err) {
      if (err instanceof TypeError) {
        throw new ConnectError(err.message, Code.Unavailable, undefined, undefined, err);
      }
      throw err;
    }
  };
}

function unsupported(protocol: string): Transport {
  const fail = () =>
    Promise.reject(
      new ChainUnsupportedError({
        code: 12,
        message: `protocol "${protocol}" is not available in browsers; use "connect" or "grpc-web"`,
      }),
    );
  return { unary: fail, stream: fail };
}
