/**
 * Spans written by src/otlp-span-writer.ts decode to the message the OpenTelemetry exporter's own
 * serializer writes for them, for any span: ids, parent, trace state, flags, times, every kind of
 * attribute value, events, links, status, dropped counts, resource and scope.
 */
import { createTraceState, type HrTime, type SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closeResourceSpans,
  openResourceSpans,
  ProtoWriter,
  writeScopeSpans,
  writeSpan,
} from '../src/otlp-span-writer.ts';
import { type Decoded, decodeTraceRequest } from './otlp-schema.ts';

const hexId = (digits: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: digits, maxLength: digits });

const hrTime: fc.Arbitrary<HrTime> = fc.tuple(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 0, max: 999_999_999 }),
);

const spanContext: fc.Arbitrary<SpanContext> = fc.record(
  {
    traceId: hexId(32),
    spanId: hexId(16),
    traceFlags: fc.integer({ min: 0, max: 255 }),
    isRemote: fc.boolean(),
    traceState: fc.constantFrom('vendor=value', 'a=1,b=2').map(createTraceState),
  },
  { requiredKeys: ['traceId', 'spanId', 'traceFlags'] },
);

/** Integers around the edges of 32 and 64 bits, and any double. */
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    2 ** 32,
    2 ** 32 - 1,
    -(2 ** 32),
    2 ** 53,
    -(2 ** 60),
    2 ** 63 - 2 ** 10,
    -(2 ** 63),
  ),
);

/** What span attributes hold (the SDK never keeps an undefined value). */
const attributeValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  number,
  fc.array(fc.option(fc.string(), { nil: null })),
  fc.array(number),
  fc.array(fc.boolean()),
);
const attributes = fc.dictionary(fc.string({ maxLength: 20 }), attributeValue, { maxKeys: 6 });

const span = fc.record({
  name: fc.string({ unit: 'grapheme', maxLength: 80 }),
  kind: fc.integer({ min: 0, max: 4 }),
  context: spanContext,
  parent: fc.option(spanContext, { nil: undefined }),
  startTime: hrTime,
  endTime: hrTime,
  status: fc.record(
    { code: fc.integer({ min: 0, max: 2 }), message: fc.string() },
    { requiredKeys: ['code'] },
  ),
  attributes,
  events: fc.array(
    fc.record(
      {
        name: fc.string(),
        time: hrTime,
        attributes,
        droppedAttributesCount: fc.nat(1000),
      },
      { requiredKeys: ['name', 'time'] },
    ),
    { maxLength: 3 },
  ),
  links: fc.array(
    fc.record(
      { context: spanContext, attributes, droppedAttributesCount: fc.nat(1000) },
      { requiredKeys: ['context'] },
    ),
    { maxLength: 3 },
  ),
  dropped: fc.tuple(fc.nat(1000), fc.nat(2 ** 31), fc.nat(1000)),
});

const resource = resourceFromAttributes({
  'service.name': 'mystira-chain-server',
  'service.version': '1.2.3',
  'process.pid': 4242,
});

type GeneratedSpan = typeof span extends fc.Arbitrary<infer T> ? T : never;

function readable(s: GeneratedSpan, scope: InstrumentationScope): ReadableSpan {
  return {
    name: s.name,
    kind: s.kind,
    spanContext: () => s.context,
    parentSpanContext: s.parent,
    startTime: s.startTime,
    endTime: s.endTime,
    duration: [0, 0],
    status: s.status,
    attributes: s.attributes,
    events: s.events,
    links: s.links,
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: s.dropped[0],
    droppedEventsCount: s.dropped[1],
    droppedLinksCount: s.dropped[2],
  };
}

/** The request the processor sends for spans of one resource and scope. */
function ours(spans: ReadableSpan[], scope: InstrumentationScope): Uint8Array {
  const scoped = new ProtoWriter(16);
  for (const s of spans) writeSpan(scoped, s);
  const request = new ProtoWriter(16);
  const at = openResourceSpans(request, resource);
  writeScopeSpans(request, scope, scoped.bytes());
  closeResourceSpans(request, at, resource);
  return request.bytes();
}

/** An unset status is the default Status: one encoder writes it, the other leaves it out. */
function withDefaultStatus(decoded: Decoded): Decoded {
  for (const rs of decoded.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) s.status ??= { message: '', code: 0 };
    }
  }
  return decoded;
}

describe('otlp-span-writer', () => {
  it('writes what the exporter serializes, for any spans', () => {
    const scopes = fc.record(
      { name: fc.string(), version: fc.string(), schemaUrl: fc.webUrl() },
      { requiredKeys: ['name'] },
    );
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 8 }), scopes, (generated, scope) => {
        const spans = generated.map((s) => readable(s, scope));
        const expected = decodeTraceRequest(
          ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array(),
        );
        expect(withDefaultStatus(decodeTraceRequest(ours(spans, scope)))).toEqual(
          withDefaultStatus(expected),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('writes times as exact nanoseconds and lengths past one byte', () => {
    const s = readable(
      {
        name: 'x'.repeat(20_000),
        kind: 1,
        context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 },
        parent: undefined,
        startTime: [1_796_698_045, 123_456_789],
        endTime: [4_294_967_295, 999_999_999],
        status: { code: 0 },
        attributes: { big: 2 ** 60, negative: -1 },
        events: [],
        links: [],
        dropped: [0, 0, 0],
      },
      { name: 'scope' },
    );
    const decoded = decodeTraceRequest(ours([s], { name: 'scope' }));
    const written = decoded.resourceSpans[0].scopeSpans[0].spans[0];
    expect(written.startTimeUnixNano).toBe('1796698045123456789');
    expect(written.endTimeUnixNano).toBe('4294967295999999999');
    expect(written.name).toHaveLength(20_000);
    expect(written.attributes.map((a: Decoded) => a.value.intValue)).toEqual([
      (2n ** 60n).toString(),
      '-1',
    ]);
    expect(written.traceId).toBe('ab'.repeat(16));
  });
});
