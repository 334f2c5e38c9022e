/**
 * The seam between the server and a tracing/metrics library, kept free of any such import so the
 * main entry works without `@opentelemetry/api` installed. `@mystira/chain-server/otel` provides
 * the OpenTelemetry implementation (`otelTelemetry()`); anything with this shape works.
 *
 * Both serving paths use it the same way: `startCall` once per decoded call (the stage where
 * `onCall` observes too), the handler runs inside `scope.run`, and `scope.end` reports the
 * outcome. The handlers get the ledger through `wrapLedger`, so ledger calls become child spans
 * of the call whatever the ledger is (its `ip` port's calls too).
 */
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import type { Ledger } from './ledger.js';
import { type CallInfo, protocolOf } from './observe.js';

/** One call's span (or whatever the implementation records). */
export interface CallScope {
  /** Runs `fn` in the call's context, so work it starts (ledger calls) is attributed to it. */
  run<T>(fn: () => T): T;
  /** Ends the call: `code` undefined means OK; `error` is what failed it. Called once. */
  end(code: Code | undefined, error?: unknown): void;
}

/**
 * The telemetry seam: spans and metrics for calls and ledger calls (`otelTelemetry()` of
 * `@mystira/chain-server/otel`).
 */
export interface RpcTelemetry {
  /**
   * Starts a server call. `header` reads the request headers (lower-case names), for the
   * caller's trace context (`traceparent`, `tracestate`, `baggage`).
   */
  startCall(
    procedure: string,
    protocol: CallInfo['protocol'],
    header: (name: string) => string | undefined,
  ): CallScope;
  /**
   * The ledger the handlers use: the same port, with each call recorded. Keep `ip` when the
   * ledger has one (wrapped too) and leave it out when it has none: the handlers read it, e.g.
   * GetServiceInfo lists the mystira.chain.ip.v1 RPCs only when it is there.
   */
  wrapLedger(ledger: Ledger): Ledger;
}

/** A Connect interceptor running each call inside a {@link CallScope}; put it first (outermost). */
export function telemetryInterceptor(telemetry: RpcTelemetry): Interceptor {
  return (next) => async (req) => {
    const scope = telemetry.startCall(
      `/${req.service.typeName}/${req.method.name}`,
      protocolOf(req.header.get('content-type')),
      (name) => req.header.get(name) ?? undefined,
    );
    let ended = false;
    const end = (code: Code | undefined, error?: unknown) => {
      if (ended) return;
      ended = true;
      scope.end(code, error);
    };
    try {
      const res = await scope.run(() => next(req));
      if (!res.stream) {
        end(undefined);
        return res;
      }
      // A server stream's handler body runs as the router pulls messages, outside the context
      // entered above: each pull is entered in the call's context again.
      const it = res.message[Symbol.asyncIterator]();
      const message: AsyncIterable<unknown> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            try {
              const r = await scope.run(() => it.next());
              if (r.done) end(undefined);
              return r;
            } catch (error) {
              end(ConnectError.from(error).code, error);
              throw error;
            }
          },
          return: async (value?: unknown) => {
            // Stopped before the end: the client went away (CANCELLED, as grpc reports it).
            end(Code.Canceled);
            return (await it.return?.(value)) ?? { done: true, value: undefined };
          },
        }),
      };
      return { ...res, message } as typeof res;
    } catch (error) {
      end(ConnectError.from(error).code, error);
      throw error;
    }
  };
}
