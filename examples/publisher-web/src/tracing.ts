/**
 * Browser tracing: the smallest correct OpenTelemetry set-up for trace context. A tracer
 * provider makes real (sampled) spans, the W3C propagator writes their `traceparent` into every
 * Chain call (through chain-client's otelInterceptor), a stack context manager keeps the active
 * span for synchronous code, and a processor tells the page about each finished call so it can
 * show the trace id. No exporter: shipping spans from the browser is the job of a real
 * deployment's collector set-up.
 */
import { context, propagation, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  type ReadableSpan,
  type SpanProcessor,
  StackContextManager,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export interface PageTracing {
  tracer: Tracer;
  /** Called with each finished Chain call span. */
  onSpanEnd(listener: (span: ReadableSpan) => void): void;
}

export function setUpTracing(): PageTracing {
  const listeners: ((span: ReadableSpan) => void)[] = [];
  const notify: SpanProcessor = {
    onStart() {},
    onEnd(span) {
      for (const listener of listeners) listener(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({ spanProcessors: [notify] });
  context.setGlobalContextManager(new StackContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: provider.getTracer('@mystira/example-publisher-web'),
    onSpanEnd: (listener) => listeners.push(listener),
  };
}
