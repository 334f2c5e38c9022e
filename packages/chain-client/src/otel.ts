/**
 * @mystira/chain-client/otel: an OpenTelemetry interceptor. One CLIENT span per call (named
 * `mystira.chain.v1.ChainService/RegisterIpAsset`, with the rpc.* semantic-convention
 * attributes) and the W3C trace context in the request headers, so a Python or .NET server
 * continues the trace. Needs the optional peer dependency `@opentelemetry/api`.
 */

import { ConnectError, type Interceptor, type StreamResponse } from '@connectrpc/connect';
import {
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';

export interface OtelInterceptorOptions {
  /** Default: `trace.getTracer('@mystira/chain-client')` from the global provider. */
  tracer?: Tracer;
  /** Parent context of the spans. Default: the active context. */
  context?: () => Context;
}

const setter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function otelInterceptor(options: OtelInterceptorOptions = {}): Interceptor {
  const tracer = options.tracer ?? trace.getTracer('@mystira/chain-client');
  return (next) => async (req) => {
    const parent = options.context?.() ?? context.active();
    const service = req.service.typeName;
    const method = req.method.name;
    const url = new URL(req.url);
    const span = tracer.startSpan(
      `${service}/${method}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'rpc.system':
            req.requestMethod === 'POST' &&
            req.header.get('content-type')?.startsWith('application/grpc')
              ? 'grpc'
              : 'connect_rpc',
          'rpc.service': service,
          'rpc.method': method,
          'server.address': url.hostname,
          'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    propagation.inject(ctx, req.header, setter);
    // Without a registered propagator `inject` does nothing; W3C trace context is the contract
    // with the other Mystira services, so write it ourselves then.
    const sc = span.spanContext();
    if (!req.header.has('traceparent') && trace.isSpanContextValid(sc)) {
      req.header.set('traceparent', `00-${sc.traceId}-${sc.spanId}-${hex2(sc.traceFlags & 0xff)}`);
      const state = sc.traceState?.serialize();
      if (state) req.header.set('tracestate', state);
    }
    try {
      const res = await context.with(ctx, () => next(req));
      if (!res.stream) {
        end(span);
        return res;
      }
      // Streams: the span covers the whole stream, ended when it finishes or fails.
      return { ...res, message: traced(res as StreamResponse, span, req.signal) } as typeof res;
    } catch (err) {
      end(span, err);
      throw err;
    }
  };
}

async function* traced(
  res: StreamResponse,
  span: Span,
  signal: AbortSignal,
): AsyncIterable<unknown> {
  let ended = false;
  // A caller that stops reading early (break / return()) makes Connect abort the call's signal
  // without resuming this generator, so the span is also ended from there.
  const onAbort = () => {
    if (ended) return;
    ended = true;
    span.setAttribute('rpc.grpc.status_code', 1);
    span.end();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const m of res.message) yield m;
    if (!ended) end(span);
  } catch (err) {
    if (!ended) end(span, err);
    throw err;
  } finally {
    ended = true;
    signal.removeEventListener('abort', onAbort);
  }
}

function end(span: Span, err?: unknown): void {
  if (err === undefined) {
    span.setAttribute('rpc.grpc.status_code', 0);
  } else {
    const ce = ConnectError.from(err);
    span.setAttribute('rpc.grpc.status_code', ce.code);
    span.recordException(ce);
    span.setStatus({ code: SpanStatusCode.ERROR, message: ce.rawMessage });
  }
  span.end();
}
