/**
 * OTLP span export (http/protobuf) in which a span is written as protobuf the moment it ends
 * (src/otlp-span-writer.ts), so a batch waiting to fill holds bytes rather than spans. The SDK's
 * BatchSpanProcessor keeps every span object until its batch of 512 is full and then serializes
 * them all inside the `span.end()` that filled it: with every call of the Chain host sampled, that
 * serialization took a third of what tracing cost per call, and the waiting spans were promoted
 * to the old generation, which only a mark-compact frees.
 *
 * Everything on the wire side is the OpenTelemetry exporter's own: its HTTP transport is given the
 * finished request (timeouts, retries with backoff on 429/502/503/504, at most 30 exports in
 * flight, compression and the OTEL_EXPORTER_OTLP_TRACES_* variables, as OTLPTraceExporter reads
 * them). Like BatchSpanProcessor it keeps sampled spans only, sends a batch when it is full or
 * after a delay, and drops spans (with one warning) rather than queue without bound when the
 * collector cannot keep up; a failed export is dropped.
 */
import { diag, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type InstrumentationScope } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  closeResourceSpans,
  openResourceSpans,
  ProtoWriter,
  writeScopeSpans,
  writeSpan,
} from './otlp-span-writer.ts';

export interface EncodedSpanProcessorOptions {
  /** The OTLP traces URL (`<endpoint>/v1/traces`). */
  url: string;
  /** Sent with every export (e.g. a collector's token). */
  headers?: Record<string, string>;
  /** Spans per export. Default 512. */
  maxExportBatchSize?: number;
  /** How long a batch that is not full waits before it is sent, in ms. Default 1000. */
  scheduledDelayMillis?: number;
  /** Spans waiting or being exported at most; more are dropped. Default 2048. */
  maxQueueSize?: number;
}

/** One export: an ExportTraceServiceRequest, serialized. */
interface EncodedRequest {
  bytes: Uint8Array;
  spans: number;
}

/** The exporter's HTTP side with a serializer that has nothing left to do. */
function exporterFor(url: string, headers: Record<string, string> | undefined) {
  return new OTLPExporterBase<EncodedRequest>(
    createOtlpHttpExportDelegate(
      convertLegacyHttpOptions({ url, headers }, 'TRACES', 'v1/traces', {
        'Content-Type': 'application/x-protobuf',
      }),
      {
        serializeRequest: (request) => request.bytes,
        deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
      },
      'otlp_http_span_exporter',
      { name: 'span', countItems: (request) => request.spans },
      undefined,
    ),
  );
}

export class EncodedSpanProcessor implements SpanProcessor {
  readonly #exporter: OTLPExporterBase<EncodedRequest>;
  readonly #maxBatch: number;
  readonly #delayMs: number;
  readonly #maxQueue: number;
  /**
   * The batch being filled: the spans of each resource and scope, written. The writers are kept
   * from batch to batch (their buffers grow once to a batch's size).
   */
  readonly #writers = new Map<Resource, Map<InstrumentationScope, ProtoWriter>>();
  #batched = 0;
  /** Spans handed to the exporter whose export has not ended. */
  #exporting = 0;
  readonly #exports = new Set<Promise<void>>();
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  /** A resource whose attributes are awaited before the batch goes out. */
  #waitingFor: Resource | undefined;
  #shutDown: Promise<void> | undefined;

  constructor(options: EncodedSpanProcessorOptions) {
    this.#exporter = exporterFor(options.url, options.headers);
    this.#maxBatch = options.maxExportBatchSize ?? 512;
    this.#delayMs = options.scheduledDelayMillis ?? 1000;
    this.#maxQueue = options.maxQueueSize ?? 2048;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#shutDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#batched + this.#exporting >= this.#maxQueue) {
      if (this.#dropped++ === 0) diag.warn('EncodedSpanProcessor: queue full, dropping spans');
      return;
    }
    writeSpan(this.#writerOf(span.resource, span.instrumentationScope), span);
    this.#batched++;
    if (this.#batched >= this.#maxBatch) {
      // Full: sent now. What is left to do is copying the written spans into one request (a
      // few µs for a batch of 512), and the HTTP request starts on a later turn anyway.
      this.#send();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#send(), this.#delayMs);
      this.#timer.unref();
    }
  }

  /** Sends what is batched and waits for every export started so far. */
  async forceFlush(): Promise<void> {
    this.#send();
    // Until none is left: a batch waiting for its resource is sent, and so awaited, later.
    while (this.#exports.size > 0) await Promise.all(this.#exports);
  }

  shutdown(): Promise<void> {
    this.#shutDown ??= this.forceFlush().then(() => this.#exporter.shutdown());
    return this.#shutDown;
  }

  /** Spans dropped because the queue was full (the warning is logged once). */
  get droppedSpans(): number {
    return this.#dropped;
  }

  #writerOf(resource: Resource, scope: InstrumentationScope): ProtoWriter {
    let scopes = this.#writers.get(resource);
    if (!scopes) {
      scopes = new Map();
      this.#writers.set(resource, scopes);
    }
    let writer = scopes.get(scope);
    if (!writer) {
      writer = new ProtoWriter();
      scopes.set(scope, writer);
    }
    return writer;
  }

  /** The batch as one request, handed to the exporter; the writers start over. */
  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const spans = this.#batched;
    if (spans === 0) return;
    // A resource still detecting attributes (e.g. a cloud detector) is waited for, as
    // BatchSpanProcessor waits, rather than sent without them; the batch keeps filling meanwhile
    // (within maxQueueSize).
    for (const resource of this.#writers.keys()) {
      if (resource.asyncAttributesPending && resource.waitForAsyncAttributes) {
        if (this.#waitingFor === resource) return;
        this.#waitingFor = resource;
        this.#track(
          resource.waitForAsyncAttributes().then(() => {
            this.#waitingFor = undefined;
            this.#send();
          }),
        );
        return;
      }
    }
    let size = 0;
    for (const scopes of this.#writers.values()) {
      for (const writer of scopes.values()) size += writer.pos;
    }
    const request = new ProtoWriter(size + 1024 * (1 + this.#writers.size));
    for (const [resource, scopes] of this.#writers) {
      // A resource is written only if one of its scopes has spans in this batch.
      let at: number | undefined;
      for (const [scope, writer] of scopes) {
        if (writer.pos === 0) continue;
        at ??= openResourceSpans(request, resource);
        writeScopeSpans(request, scope, writer.bytes());
        writer.reset();
      }
      if (at !== undefined) closeResourceSpans(request, at, resource);
    }
    this.#batched = 0;
    this.#exporting += spans;
    const done = new Promise<void>((resolve) => {
      this.#exporter.export({ bytes: request.bytes(), spans }, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          diag.error('EncodedSpanProcessor: export failed, spans dropped', result.error);
        }
        this.#exporting -= spans;
        resolve();
      });
    });
    this.#track(done);
  }

  /** Keeps `done` until it settles, for forceFlush to wait for. */
  #track(done: Promise<void>): void {
    this.#exports.add(done);
    void done.then(() => this.#exports.delete(done));
  }
}
