/**
 * The JSON-RPC transport of the ledger: several node URLs with failover, a circuit breaker per
 * endpoint and a deadline on every request (`@mystira/resilience`), as a viem transport.
 *
 * - **Reads** (every method but the two that send) are retried: on a transient failure (network,
 *   timeout, HTTP 5xx/429, the node's "limit exceeded") the next endpoint in order gets the
 *   request, for up to `attempts` tries in all (an open breaker fails a try at once). A node's own answer ("execution
 *   reverted", bad params) is not a failure of the node and is returned at once.
 * - **Sends** (`eth_sendRawTransaction`, `eth_sendTransaction`) are not retried here. One is
 *   failed over only when it surely never reached a node (the breaker was open, or the connection
 *   was refused); after a timeout nobody knows whether the node took it, and the submission
 *   journal, which holds the signed bytes, decides whether to broadcast them again.
 * - **No silent public RPC**: viem's `http()` without a URL falls back to the chain's public
 *   endpoint. Here an empty URL list is an error, never a default.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
} from '@mystira/resilience';
import {
  custom,
  type EIP1193RequestFn,
  HttpRequestError,
  http,
  RpcRequestError,
  TimeoutError,
  type Transport,
} from 'viem';

/** Options of {@link failoverTransport}. */
export interface FailoverTransportOptions {
  /** The node URLs (http or https), most preferred first. At least one. */
  urls: readonly string[];
  /** Deadline of one request to one endpoint. Default 5000 ms. */
  timeoutMs?: number;
  /** Tries of a read across the endpoints, the first included. Default 3. */
  attempts?: number;
  /** Consecutive failures that open an endpoint's breaker. Default 5. */
  breakerThreshold?: number;
  /** How long an open breaker refuses before it lets a probe through. Default 10 000 ms. */
  halfOpenAfterMs?: number;
}

/** One endpoint's state, for health reports. */
export interface EndpointState {
  /** The URL, without credentials or query (safe to log). */
  url: string;
  /** The breaker's state. */
  state: 'closed' | 'open' | 'half-open';
}

/** A viem transport with failover, and the state of its endpoints. */
export interface FailoverTransport {
  /** Pass to `createPublicClient` / `createWalletClient`. */
  transport: Transport;
  /** Each endpoint's breaker state. */
  endpoints(): EndpointState[];
}

const SENDS = new Set(['eth_sendRawTransaction', 'eth_sendTransaction']);

/** A transport over `urls` with failover and per-endpoint breakers. */
export function failoverTransport(options: FailoverTransportOptions): FailoverTransport {
  if (options.urls.length === 0) {
    throw new TypeError(
      'failoverTransport: no RPC URL given (refusing to fall back to a public endpoint)',
    );
  }
  const timeout = options.timeoutMs ?? 5000;
  const attempts = options.attempts ?? 3;
  const endpoints = options.urls.map((url) => {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`failoverTransport: not an http(s) URL: ${safeUrl(parsed)}`);
    }
    return {
      url: safeUrl(parsed),
      // viem's own retries are off: this layer decides what may be repeated.
      request: http(url, { retryCount: 0, timeout })({ retryCount: 0 }).request as EIP1193RequestFn,
      breaker: circuitBreaker({
        breaker: { consecutive: options.breakerThreshold ?? 5 },
        halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
        shouldCount: isTransient,
      }) as CircuitBreakerPolicy,
    };
  });
  const request = async ({ method, params }: { method: string; params?: unknown }) => {
    const send = SENDS.has(method);
    let lastError: unknown;
    for (let i = 0; i < (send ? endpoints.length : Math.max(attempts, 1)); i++) {
      // Always in the configured order: an endpoint whose breaker is open fails at once and the
      // next one is asked, so a broken preferred node costs nothing once its breaker has opened,
      // and it gets traffic back as soon as a half-open probe succeeds.
      const endpoint = endpoints[i % endpoints.length]!;
      try {
        const result = await endpoint.breaker.execute(() =>
          endpoint.request({ method, params } as Parameters<EIP1193RequestFn>[0]),
        );
        return result;
      } catch (error) {
        lastError = error;
        if (
          send
            ? !neverDelivered(error)
            : !isTransient(error) && !(error instanceof BrokenCircuitError)
        ) {
          throw error;
        }
      }
    }
    throw lastError;
  };

  return {
    transport: custom({ request } as { request: EIP1193RequestFn }, { retryCount: 0 }),
    endpoints: () =>
      endpoints.map((e) => ({
        url: e.url,
        state:
          e.breaker.state === CircuitState.Open || e.breaker.state === CircuitState.Isolated
            ? 'open'
            : e.breaker.state === CircuitState.HalfOpen
              ? 'half-open'
              : 'closed',
      })),
  };
}

/** A failure of the endpoint (worth another endpoint or a retry), not an answer of the node. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (error instanceof RpcRequestError) return error.code === -32005 || error.status === 429;
  if (error instanceof HttpRequestError)
    return error.status === undefined || error.status >= 500 || error.status === 429;
  return false;
}

/** True when a send surely never reached a node: refused connection or an open breaker. */
function neverDelivered(error: unknown): boolean {
  if (error instanceof BrokenCircuitError) return true;
  const text = `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`;
  return (
    error instanceof HttpRequestError && error.status === undefined && /ECONNREFUSED/.test(text)
  );
}

/** The URL without credentials, path secrets or query: what may appear in logs and health. */
function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}`;
}
