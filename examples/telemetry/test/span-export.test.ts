/**
 * Spans exported from the worker thread are the spans the SDK ended: every field the OTLP
 * serializer reads survives the trip as text (src/span-records.ts), and ids come from the pool.
 */
import {
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { PooledIdGenerator } from '../src/pooled-ids.ts';
import { decodeSpans, SpanEncoder } from '../src/span-records.ts';

/** What the OTLP serializer reads of a span. */
function exported(span: ReadableSpan) {
  const sc = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    context: { ...sc, traceState: sc.traceState?.serialize() },
    parent: span.parentSpanContext && {
      ...span.parentSpanContext,
      traceState: span.parentSpanContext.traceState?.serialize(),
    },
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    events: span.events,
    links: span.links.map((l) => ({
      ...l,
      context: { ...l.context, traceState: l.context.traceState?.serialize() },
    })),
    scope: { ...span.instrumentationScope },
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
  };
}

describe('spans sent to the export worker', () => {
  it('decode to what the SDK ended: ids, parent, times, status, attributes, events, links, scope', () => {
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
      spanLimits: { attributeCountLimit: 3 },
    });
    const tracer = provider.getTracer('scope-a', '1.2.3');
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState('vendor=value'),
    });
    const server = tracer.startSpan(
      'mystira.chain.v1.ChainService/IsRegistered',
      {
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'grpc', n: 3, ok: true, list: ['a', 'b'], extra: 'x' },
        links: [
          {
            context: {
              traceId: 'a'.repeat(32),
              spanId: 'b'.repeat(16),
              traceFlags: 0,
              traceState: createTraceState('k=v'),
            },
            attributes: { why: 'retry' },
          },
        ],
      },
      remote,
    );
    server.recordException(new Error('boom'));
    server.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    server.end();
    provider.getTracer('scope-b').startSpan('ledger.getAssetByContentId').end();
    const ended = memory.getFinishedSpans();
    expect(ended).toHaveLength(2);

    const resource = resourceFromAttributes({ 'service.name': 'svc' });
    const scopes = new Map<string, InstrumentationScope>();
    // Encoded one by one as they end, then joined into a batch, as the processor does.
    const encoder = new SpanEncoder();
    const encodeBatch = (spans: typeof ended) => encoder.batch(spans.map((s) => encoder.encode(s)));
    const decoded = decodeSpans(encodeBatch(ended), resource, scopes);
    expect(decoded.map(exported)).toEqual(ended.map(exported));
    expect(decoded.every((s) => s.resource === resource && s.ended)).toBe(true);
    // One scope object per scope, across batches too (the serializer groups by identity).
    const again = decodeSpans(encodeBatch(ended), resource, scopes);
    expect(again[0]?.instrumentationScope).toBe(decoded[0]?.instrumentationScope);
    expect(again[1]?.instrumentationScope).not.toBe(again[0]?.instrumentationScope);
    // A batch of one span still carries every scope the encoder numbered.
    const last = decodeSpans(encodeBatch(ended.slice(1)), resource, scopes);
    expect(last.map(exported)).toEqual(ended.slice(1).map(exported));
  });
});

describe('PooledIdGenerator', () => {
  it('gives valid, distinct trace and span ids', () => {
    const ids = new PooledIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const traceId = ids.generateTraceId();
      const spanId = ids.generateSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(traceId).not.toBe('0'.repeat(32));
      seen.add(traceId);
    }
    expect(seen.size).toBe(2000);
  });
});
