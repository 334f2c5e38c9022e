/**
 * Ended spans as text, the form in which they cross to the span export worker
 * (src/span-export-worker.ts), and back into what the OTLP serializer reads. One JSON text per
 * batch, each span a flat array encoded when the span ends: measured with Chain server spans,
 * stringifying that costs about 1.3 µs per span, against 2–4 µs to structured-clone the same
 * spans as objects and about 9 µs to serialize them to OTLP protobuf, which is what the worker
 * then does off the event loop.
 *
 * JSON keeps what span attributes hold (strings, booleans, numbers, arrays of them), except that
 * a NaN or infinite number becomes null.
 */
import { createTraceState, type Link, type SpanContext } from '@opentelemetry/api';
import { hrTimeDuration, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** A span context as a tuple: trace id, span id, flags, remote (1 / 0 / -1 unset), trace state or 0. */
type ContextTuple = [string, string, number, number, string | 0];

/** One span as a flat array (the indices below). */
type SpanTuple = [
  name: string,
  kind: ReadableSpan['kind'],
  context: ContextTuple,
  parent: ContextTuple | 0,
  startTime: ReadableSpan['startTime'],
  endTime: ReadableSpan['endTime'],
  status: ReadableSpan['status'],
  attributes: ReadableSpan['attributes'],
  events: ReadableSpan['events'],
  links: { context: ContextTuple; attributes?: Link['attributes']; dropped?: number }[],
  scope: number,
  droppedAttributesCount: number,
  droppedEventsCount: number,
  droppedLinksCount: number,
];

interface Batch {
  scopes: [name: string, version: string | 0, schemaUrl: string | 0][];
  spans: SpanTuple[];
}

function contextTuple(sc: SpanContext): ContextTuple {
  return [
    sc.traceId,
    sc.spanId,
    sc.traceFlags,
    sc.isRemote === undefined ? -1 : sc.isRemote ? 1 : 0,
    sc.traceState?.serialize() || 0,
  ];
}

function spanContextOf(t: ContextTuple): SpanContext {
  return {
    traceId: t[0],
    spanId: t[1],
    traceFlags: t[2],
    isRemote: t[3] === -1 ? undefined : t[3] === 1,
    traceState: t[4] === 0 ? undefined : createTraceState(t[4]),
  };
}

/**
 * Encodes ended spans one at a time, as they end, so that a span waiting for its batch is one
 * flat string rather than the SDK's span with its attribute, event and context objects: those die
 * young instead of being promoted to the old generation with every batch that takes a while to
 * fill. Scopes are numbered once per encoder and every batch carries the table.
 */
export class SpanEncoder {
  readonly #scopeIndex = new Map<InstrumentationScope, number>();
  readonly #scopes: Batch['scopes'] = [];
  /** The scope table as JSON, remade only when a scope is added. */
  #scopesJson = '[]';

  /** One ended span as JSON text, for {@link batch}. */
  encode(span: ReadableSpan): string {
    const scope = span.instrumentationScope;
    let index = this.#scopeIndex.get(scope);
    if (index === undefined) {
      index = this.#scopes.push([scope.name, scope.version ?? 0, scope.schemaUrl ?? 0]) - 1;
      this.#scopeIndex.set(scope, index);
      this.#scopesJson = JSON.stringify(this.#scopes);
    }
    const tuple: SpanTuple = [
      span.name,
      span.kind,
      contextTuple(span.spanContext()),
      span.parentSpanContext ? contextTuple(span.parentSpanContext) : 0,
      span.startTime,
      span.endTime,
      span.status,
      span.attributes,
      span.events,
      span.links.length === 0
        ? []
        : span.links.map((link) => ({
            context: contextTuple(link.context),
            attributes: link.attributes,
            dropped: link.droppedAttributesCount,
          })),
      index,
      span.droppedAttributesCount,
      span.droppedEventsCount,
      span.droppedLinksCount,
    ];
    return JSON.stringify(tuple);
  }

  /** Spans this encoder encoded, as the one JSON text of a batch ({@link decodeSpans}). */
  batch(encoded: readonly string[]): string {
    return `{"scopes":${this.#scopesJson},"spans":[${encoded.join(',')}]}`;
  }
}

/**
 * The spans of a batch, for an exporter. `scopes` keeps one object per scope across batches:
 * the OTLP serializer groups spans by the identity of their resource and scope.
 */
export function decodeSpans(
  json: string,
  resource: Resource,
  scopes: Map<string, InstrumentationScope>,
): ReadableSpan[] {
  const batch = JSON.parse(json) as Batch;
  const batchScopes = batch.scopes.map(([name, version, schemaUrl]) => {
    const key = `${name}@${version || ''}:${schemaUrl || ''}`;
    let scope = scopes.get(key);
    if (!scope) {
      scope = { name, version: version || undefined, schemaUrl: schemaUrl || undefined };
      scopes.set(key, scope);
    }
    return scope;
  });
  return batch.spans.map((t) => {
    const context = spanContextOf(t[2]);
    return {
      name: t[0],
      kind: t[1],
      spanContext: () => context,
      parentSpanContext: t[3] === 0 ? undefined : spanContextOf(t[3]),
      startTime: t[4],
      endTime: t[5],
      duration: hrTimeDuration(t[4], t[5]),
      status: t[6],
      attributes: t[7],
      events: t[8],
      links: t[9].map((link) => ({
        context: spanContextOf(link.context),
        attributes: link.attributes,
        droppedAttributesCount: link.dropped,
      })),
      ended: true,
      resource,
      instrumentationScope: batchScopes[t[10]] as InstrumentationScope,
      droppedAttributesCount: t[11],
      droppedEventsCount: t[12],
      droppedLinksCount: t[13],
    };
  });
}
