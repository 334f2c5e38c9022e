/**
 * @mystira/chain-client/otel: an OpenTelemetry interceptor. One CLIENT span per call (named
 * `mystira.chain.v1.ChainService/RegisterIpAsset`, with the rpc.* semantic-convention
 * attributes) and the W3C trace context in the request headers, so a Python or .NET server
 * continues the trace; and the `rpc.client.duration` histogram (ms). Needs the optional peer
 * dependency `@opentelemetry/api`.
 *
 * @packageDocumentation
 */

import { ConnectError, type Interceptor, type StreamResponse } from '@connectrpc/connect';
import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  type Meter,
  metrics,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/** Options of {@link otelInterceptor}. */
export interface OtelInterceptorOptions {
  /** Default: `trace.getTracer('@mystira/chain-client')` from the global provider. */
  tracer?: Tracer;
  /** Parent context of the spans. Default: the active context. */
  context?: () => Context;
  /** For `rpc.client.duration`. Default: `metrics.getMeter('@mystira/chain-client')`. */
  meter?: Meter;
}

/** Bucket bounds in ms, from sub-millisecond loopback calls to slow ledger writes. */
const DURATION_BUCKETS_MS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

const setter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * A Connect interceptor that traces and measures every call: a CLIENT span named after the
 * procedure (with the rpc.* attributes and the gRPC status code), the W3C trace context in the
 * request headers, and the `rpc.client.duration` histogram in ms. Add it to the client's
 * `interceptors`.
 */
export function otelInterceptor(options: OtelInterceptorOptions = {}): Interceptor {
  const tracer = options.tracer ?? trace.getTracer('@mystira/chain-client');
  const meter = options.meter ?? metrics.getMeter('@mystira/chain-client');
  const duration = meter.createHistogram('rpc.client.duration', {
    description: 'Duration of outbound RPCs, until the response (or the end of its stream).',
    unit: 'ms',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
  });
  return (next) => async (req) => {
    const start = performance.now();
    const parent = options.context?.() ?? context.active();
    const service = req.service.typeName;
    const method = req.method.name;
    const url = new URL(req.url);
    const rpcAttributes: Attributes = {
      'rpc.system':
        req.requestMethod === 'POST' &&
        req.header.get('content-type')?.startsWith('application/grpc')
          ? 'grpc'
          : 'connect_rpc',
      'rpc.service': service,
      'rpc.method': method,
    };
    const span = tracer.startSpan(
      `${service}/${method}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          ...rpcAttributes,
          'server.address': url.hostname,
          'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        },
      },
      parent,
    );
    const timing: Timing = { duration, start, attributes: rpcAttributes };
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
        end(span, timing);
        return res;
      }
      // Streams: the span covers the whole stream, ended when it finishes or fails.
      return {
        ...res,
        message: traced(res as StreamResponse, span, timing, req.signal),
      } as typeof res;
    } catch (err) {
      end(span, timing, err);
      throw err;
    }
  };
}

/** What `rpc.client.duration` needs to record a call's end. */
interface Timing {
  duration: Histogram;
  start: number;
  attributes: Attributes;
}

function record(timing: Timing, code: number): void {
  timing.duration.record(performance.now() - timing.start, {
    ...timing.attributes,
    'rpc.grpc.status_code': code,
  });
}

async function* traced(
  res: StreamResponse,
  span: Span,
  timing: Timing,
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
    record(timing, 1);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const m of res.message) yield m;
    if (!ended) end(span, timing);
  } catch (err) {
    if (!ended) end(span, timing, err);
    throw err;
  } finally {
    ended = true;
    signal.removeEventListener('abort', onAbort);
  }
}

function end(span: Span, timing: Timing, err?: unknown): void {
  let code = 0;
  if (err === undefined) {
    span.setAttribute('rpc.grpc.status_code', 0);
  } else {
    const ce = ConnectError.from(err);
    code = ce.code;
    span.setAttribute('rpc.grpc.status_code', ce.code);
    span.recordException(ce);
    span.setStatus({ code: SpanStatusCode.ERROR, message: ce.rawMessage });
  }
  span.end();
  record(timing, code);
}
