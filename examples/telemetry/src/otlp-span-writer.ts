/**
 * Ended spans written as OTLP protobuf (opentelemetry/proto/trace/v1, `Span` and what contains
 * it), one span at a time, into a growing byte buffer: what src/encoded-span-processor.ts keeps
 * for a batch instead of the spans themselves.
 *
 * Why not the exporter's own serializer: it serializes a whole batch when it is exported, so
 * every span of the batch (with its attribute, event and context objects) lives until the batch
 * is full and is promoted to the old generation on the way; and it measures every message before
 * writing it and copies each hex id into a new array. Here a span is written once, as it ends:
 * ids are decoded straight into the buffer, short ASCII strings are copied byte by byte (longer
 * or other text goes through Buffer's native UTF-8 encoder), and a message's length is written
 * after its content: one byte is kept for it, and a message of 128 bytes or more (a whole span,
 * not its attributes) moves its content one byte on. Fields at their default value are left
 * out, as proto3 serializers do; a decoder reads the same message either way.
 */
import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const TWO_32 = 2 ** 32;
/** Span flags: bit 8 says whether bit 9 (the parent is remote) is known. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** Strings up to this length are tried as ASCII in JavaScript before the native encoder. */
const SHORT_STRING = 64;
/** Hex digit values by character code; anything else is INVALID. */
const INVALID = 0x100;
const HEX = new Uint16Array(128).fill(INVALID);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** A protobuf writer over a Buffer that doubles when it is full. */
export class ProtoWriter {
  buffer: Buffer;
  pos = 0;

  constructor(initialBytes = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  /** The bytes written so far (a view: copy it before writing on). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(more: number): void {
    const needed = this.pos + more;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** An unsigned 32-bit varint. */
  varint(value: number): void {
    this.ensure(5);
    this.pos = this.#varintAt(this.pos, value);
  }

  /** Writes `value` as a varint at `pos` (the caller made room); returns the next position. */
  #varintAt(pos: number, value: number): number {
    const b = this.buffer;
    let p = pos;
    let v = value >>> 0;
    while (v > 127) {
      b[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[p++] = v;
    return p;
  }

  /** An integer as a 64-bit varint, negative ones in two's complement (ten bytes). */
  int64(value: number): void {
    if (value >= 0 && value < TWO_32) {
      this.varint(value);
      return;
    }
    let lo = ((value % TWO_32) + TWO_32) % TWO_32;
    let hi = Math.floor(value / TWO_32) >>> 0;
    this.ensure(10);
    const b = this.buffer;
    while (hi > 0 || lo > 127) {
      b[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | ((hi & 127) << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.pos++] = lo;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.pos = this.buffer.writeUInt32LE(value >>> 0, this.pos);
  }

  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    this.buffer.writeUInt32LE(lo >>> 0, this.pos);
    this.pos = this.buffer.writeUInt32LE(hi >>> 0, this.pos + 4);
  }

  double(value: number): void {
    this.ensure(8);
    this.pos = this.buffer.writeDoubleLE(value, this.pos);
  }

  /**
   * Opens a length-delimited field: returns where its length goes. One byte is kept for the
   * length; {@link close} moves the content on when it needs more.
   */
  open(field: number): number {
    this.tag(field, LENGTH_DELIMITED);
    this.ensure(1);
    return this.pos++;
  }

  close(at: number): void {
    const length = this.pos - at - 1;
    if (length < 128) {
      this.buffer[at] = length;
      return;
    }
    let size = 2;
    while (length >= 2 ** (7 * size)) size++;
    this.ensure(size - 1);
    this.buffer.copy(this.buffer, at + size, at + 1, this.pos);
    this.pos += size - 1;
    this.#varintAt(at, length);
  }

  string(field: number, value: string): void {
    const at = this.open(field);
    const n = value.length;
    this.ensure(n * 3);
    // Short ASCII text (names, keys, most values) byte by byte: cheaper than a call into the
    // native encoder, which takes the rest.
    const b = this.buffer;
    let pos = this.pos;
    let i = 0;
    if (n <= SHORT_STRING) {
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 128) break;
        b[pos++] = c;
      }
    }
    if (i < n) pos += b.write(i === 0 ? value : value.slice(i), pos, 'utf8');
    this.pos = pos;
    this.close(at);
  }

  /** Bytes given as hex text (trace and span ids). */
  hex(field: number, value: string): void {
    const at = this.open(field);
    const n = value.length >> 1;
    this.ensure(n);
    const b = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const hi = HEX[value.charCodeAt(2 * i)] ?? INVALID;
      const lo = HEX[value.charCodeAt(2 * i + 1)] ?? INVALID;
      // Not hex: what Buffer's hex decoder does, stop there.
      if ((hi | lo) & INVALID) break;
      b[pos++] = (hi << 4) | lo;
    }
    this.pos = pos;
    this.close(at);
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A point in time as fixed64 nanoseconds since the epoch, without losing precision. */
  time(field: number, [seconds, nanos]: HrTime): void {
    this.tag(field, FIXED64);
    // seconds × 1e9 needs ~61 bits, more than a double holds exactly. With seconds split at 16
    // bits the time is high × 2^16 + low, both products exact; high × 2^16 is then split at 32.
    const high = Math.floor(seconds / 65536) * 1e9;
    const low = (seconds % 65536) * 1e9 + nanos;
    const sum = (high % 65536) * 65536 + low;
    this.fixed64(sum % TWO_32, Math.floor(high / 65536) + Math.floor(sum / TWO_32));
  }
}

// Field numbers of opentelemetry.proto (trace/v1, common/v1, resource/v1, collector/trace/v1).
const F = {
  request: { resourceSpans: 1 },
  resourceSpans: { resource: 1, scopeSpans: 2, schemaUrl: 3 },
  resource: { attributes: 1, droppedAttributesCount: 2 },
  scopeSpans: { scope: 1, spans: 2, schemaUrl: 3 },
  scope: { name: 1, version: 2, attributes: 3, droppedAttributesCount: 4 },
  span: {
    traceId: 1,
    spanId: 2,
    traceState: 3,
    parentSpanId: 4,
    name: 5,
    kind: 6,
    start: 7,
    end: 8,
    attributes: 9,
    droppedAttributesCount: 10,
    events: 11,
    droppedEventsCount: 12,
    links: 13,
    droppedLinksCount: 14,
    status: 15,
    flags: 16,
  },
  event: { time: 1, name: 2, attributes: 3, droppedAttributesCount: 4 },
  link: {
    traceId: 1,
    spanId: 2,
    traceState: 3,
    attributes: 4,
    droppedAttributesCount: 5,
    flags: 6,
  },
  status: { message: 2, code: 3 },
  keyValue: { key: 1, value: 2 },
  anyValue: { string: 1, bool: 2, int: 3, double: 4, array: 5, kvlist: 6, bytes: 7 },
  arrayValue: { values: 1 },
} as const;

function uint(w: ProtoWriter, field: number, value: number | undefined): void {
  if (!value) return;
  w.tag(field, VARINT);
  w.varint(value);
}

/** An attribute value as an AnyValue's content (its `oneof`). */
function anyValue(w: ProtoWriter, value: AttributeValue | Attributes | Uint8Array): void {
  const A = F.anyValue;
  if (typeof value === 'string') {
    w.string(A.string, value);
  } else if (typeof value === 'boolean') {
    w.tag(A.bool, VARINT);
    w.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
      w.tag(A.int, VARINT);
      w.int64(value);
    } else {
      w.tag(A.double, FIXED64);
      w.double(value);
    }
  } else if (value instanceof Uint8Array) {
    const at = w.open(A.bytes);
    w.raw(value);
    w.close(at);
  } else if (Array.isArray(value)) {
    const array = w.open(A.array);
    for (const item of value) {
      const at = w.open(F.arrayValue.values);
      // An array's holes and nulls stay as empty AnyValues, keeping the positions.
      if (item !== null && item !== undefined) anyValue(w, item);
      w.close(at);
    }
    w.close(array);
  } else if (value !== null && typeof value === 'object') {
    const list = w.open(A.kvlist);
    attributes(w, 1, value as Attributes);
    w.close(list);
  }
}

/** Attributes as repeated KeyValue in `field`; undefined values are left out. */
export function attributes(w: ProtoWriter, field: number, attrs: Attributes | undefined): void {
  if (!attrs) return;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined || !Object.hasOwn(attrs, key)) continue;
    const kv = w.open(field);
    w.string(F.keyValue.key, key);
    const v = w.open(F.keyValue.value);
    anyValue(w, value);
    w.close(v);
    w.close(kv);
  }
}

function spanFlags(context: SpanContext, parentIsRemote: boolean | undefined): number {
  return (context.traceFlags & 0xff) | HAS_IS_REMOTE | (parentIsRemote ? IS_REMOTE : 0);
}

function event(w: ProtoWriter, e: TimedEvent): void {
  const at = w.open(F.span.events);
  w.time(F.event.time, e.time);
  w.string(F.event.name, e.name);
  attributes(w, F.event.attributes, e.attributes);
  uint(w, F.event.droppedAttributesCount, e.droppedAttributesCount);
  w.close(at);
}

function link(w: ProtoWriter, l: Link): void {
  const at = w.open(F.span.links);
  w.hex(F.link.traceId, l.context.traceId);
  w.hex(F.link.spanId, l.context.spanId);
  const state = l.context.traceState?.serialize();
  if (state) w.string(F.link.traceState, state);
  attributes(w, F.link.attributes, l.attributes);
  uint(w, F.link.droppedAttributesCount, l.droppedAttributesCount);
  w.tag(F.link.flags, FIXED32);
  w.fixed32(spanFlags(l.context, l.context.isRemote));
  w.close(at);
}

/** One span as a `ScopeSpans.spans` entry (field 2 of ScopeSpans). */
export function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  const S = F.span;
  const at = w.open(F.scopeSpans.spans);
  const context = span.spanContext();
  w.hex(S.traceId, context.traceId);
  w.hex(S.spanId, context.spanId);
  const state = context.traceState?.serialize();
  if (state) w.string(S.traceState, state);
  const parent = span.parentSpanContext;
  if (parent?.spanId) w.hex(S.parentSpanId, parent.spanId);
  w.string(S.name, span.name);
  // The API's SpanKind counts from INTERNAL = 0; OTLP's from UNSPECIFIED = 0.
  uint(w, S.kind, span.kind + 1);
  w.time(S.start, span.startTime);
  w.time(S.end, span.endTime);
  attributes(w, S.attributes, span.attributes);
  uint(w, S.droppedAttributesCount, span.droppedAttributesCount);
  for (const e of span.events) event(w, e);
  uint(w, S.droppedEventsCount, span.droppedEventsCount);
  for (const l of span.links) link(w, l);
  uint(w, S.droppedLinksCount, span.droppedLinksCount);
  const { code, message } = span.status;
  if (code || message) {
    const status = w.open(S.status);
    if (message) w.string(F.status.message, message);
    uint(w, F.status.code, code);
    w.close(status);
  }
  w.tag(S.flags, FIXED32);
  w.fixed32(spanFlags(context, parent?.isRemote));
  w.close(at);
}

/** A ScopeSpans message around spans written by {@link writeSpan}. */
export function writeScopeSpans(
  w: ProtoWriter,
  scope: InstrumentationScope,
  spans: Uint8Array,
): void {
  const at = w.open(F.resourceSpans.scopeSpans);
  const s = w.open(F.scopeSpans.scope);
  w.string(F.scope.name, scope.name);
  if (scope.version) w.string(F.scope.version, scope.version);
  w.close(s);
  w.raw(spans);
  if (scope.schemaUrl) w.string(F.scopeSpans.schemaUrl, scope.schemaUrl);
  w.close(at);
}

/**
 * Opens the ResourceSpans of an ExportTraceServiceRequest and writes its resource; the scopes
 * follow ({@link writeScopeSpans}), then {@link closeResourceSpans}.
 */
export function openResourceSpans(w: ProtoWriter, resource: Resource): number {
  const at = w.open(F.request.resourceSpans);
  const r = w.open(F.resourceSpans.resource);
  attributes(w, F.resource.attributes, resource.attributes);
  w.close(r);
  return at;
}

export function closeResourceSpans(w: ProtoWriter, at: number, resource: Resource): void {
  if (resource.schemaUrl) w.string(F.resourceSpans.schemaUrl, resource.schemaUrl);
  w.close(at);
}
