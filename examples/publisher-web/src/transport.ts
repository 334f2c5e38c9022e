/**
 * The two ways the page calls the Chain service, with the same interceptors: the chain-client
 * (`createChainClient` from /web: typed calls, retries with idempotency keys, WatchTransactions
 * that resumes) and a Connect-Web transport for connect-query's hooks, which call the generated
 * service descriptors of @mystira/chain-protos directly. Both send the signed-in person's token
 * and a W3C traceparent on every call.
 */
import type { Interceptor, Transport } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { otelInterceptor } from '@mystira/chain-client/otel';
import { type ChainClient, createChainClient } from '@mystira/chain-client/web';
import type { PageConfig } from './config.js';
import { type ExplorerView, explorerLookup } from './explorer.js';
import type { Session } from './session.js';
import { setUpTracing } from './tracing.js';

/** Connect's code for UNAUTHENTICATED (the token was refused). */
const UNAUTHENTICATED = 16;

export interface PageTransport {
  chain: ChainClient;
  transport: Transport;
  explorer: () => Promise<ExplorerView | undefined>;
}

export interface PageTransportEvents {
  /** The Chain service refused the token. */
  onRefused(): void;
  /** A call finished: its method and trace id. */
  onCall(method: string, traceId: string): void;
}

/** `authorization: Bearer <token>` on every call; a refusal of the token is reported. */
function bearer(session: Session, onRefused: () => void): Interceptor {
  return (next) => async (req) => {
    req.header.set('authorization', `Bearer ${session.token}`);
    try {
      return await next(req);
    } catch (err) {
      if ((err as { code?: unknown }).code === UNAUTHENTICATED) onRefused();
      throw err;
    }
  };
}

export function createPageTransport(
  config: PageConfig,
  session: Session,
  events: PageTransportEvents,
): PageTransport {
  const tracing = setUpTracing();
  tracing.onSpanEnd((span) =>
    events.onCall(span.name.split('/').pop() ?? span.name, span.spanContext().traceId),
  );
  const traced = otelInterceptor({ tracer: tracing.tracer });
  const auth = bearer(session, events.onRefused);
  const chain = createChainClient({
    baseUrl: config.chainUrl,
    protocol: 'connect',
    timeoutMs: 10_000,
    interceptors: [traced],
    auth: { type: 'interceptor', interceptor: auth },
  });
  const transport = createConnectTransport({
    baseUrl: config.chainUrl,
    interceptors: [traced, auth],
    defaultTimeoutMs: 10_000,
  });
  // Asked once the first transaction is shown: which network, hence which explorer (if any).
  const explorer = explorerLookup(() => chain.getServiceInfo({ timeoutMs: 3_000, retry: false }));
  return { chain, transport, explorer };
}
