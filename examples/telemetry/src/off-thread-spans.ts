/**
 * A span processor that exports over OTLP from a worker thread. BatchSpanProcessor serializes a
 * batch to protobuf and sends it on the event loop, inside the `span.end()` that fills the batch:
 * with every call sampled that was a quarter of what tracing cost the Chain host per call, and
 * one call in 512 waited for it. Here `onEnd` encodes just its own span as JSON text (about
 * 1.3 µs; see src/span-records.ts), so the span's objects die young while the text waits for its
 * batch; a batch is posted to src/span-export-worker.ts, which serializes and sends it, on a
 * later turn of the event loop. Opt-in (`setupTelemetry`'s `spanExport: 'worker'`): the JSON
 * round trip and the second isolate cost more CPU in all than they take off the event loop, so it
 * pays only where the host has cores to spare.
 *
 * Like BatchSpanProcessor it keeps sampled spans only, and drops spans (counting them) rather than
 * queue without bound when the collector cannot keep up.
 */
import { Worker } from 'node:worker_threads';
import { diag, TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { FromWorker, ToWorker, WorkerData } from './span-export-messages.ts';
import { SpanEncoder } from './span-records.ts';

export interface OffThreadSpanProcessorOptions {
  /** The OTLP traces URL (`<endpoint>/v1/traces`). */
  url: string;
  headers?: Record<string, string>;
  /** The resource of every span (the tracer provider's). */
  resource: Resource;
  /** Spans per export. Default 512. */
  maxExportBatchSize?: number;
  /** How long a batch that is not full waits before it is sent, in ms. Default 1000. */
  scheduledDelayMillis?: number;
  /** Spans kept or in the worker's hands at most; more are dropped. Default 4096. */
  maxQueueSize?: number;
}

export class OffThreadSpanProcessor implements SpanProcessor {
  readonly #options: OffThreadSpanProcessorOptions;
  readonly #maxBatch: number;
  readonly #delayMs: number;
  readonly #maxQueue: number;
  #worker: Promise<Worker> | undefined;
  readonly #encoder = new SpanEncoder();
  /** Ended spans, encoded, waiting for their batch. */
  #buffer: string[] = [];
  /** Spans posted to the worker whose export has not ended. */
  #inWorker = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #nextFlushId = 0;
  readonly #flushes = new Map<number, () => void>();
  #shutDown: Promise<void> | undefined;

  constructor(options: OffThreadSpanProcessorOptions) {
    this.#options = options;
    this.#maxBatch = options.maxExportBatchSize ?? 512;
    this.#delayMs = options.scheduledDelayMillis ?? 1000;
    this.#maxQueue = options.maxQueueSize ?? 4096;
    // Started now, not with the first span: loading the exporter in the worker takes a while of
    // CPU, better spent before the host serves than among its first calls.
    this.#worker = this.#start();
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#shutDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#buffer.length + this.#inWorker >= this.#maxQueue) {
      if (this.#dropped++ === 0) diag.warn('OffThreadSpanProcessor: queue full, dropping spans');
      return;
    }
    this.#buffer.push(this.#encoder.encode(span));
    if (this.#buffer.length >= this.#maxBatch) {
      // Full: sent on the next turn, not inside this call's span.end().
      this.#immediate ??= setImmediate(() => this.#send());
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#send(), this.#delayMs);
      this.#timer.unref();
    }
  }

  forceFlush(): Promise<void> {
    return this.#flush('flush');
  }

  shutdown(): Promise<void> {
    this.#shutDown ??= this.#flush('shutdown').then(async () => {
      const worker = this.#worker;
      this.#worker = undefined;
      if (worker) await (await worker).terminate();
    });
    return this.#shutDown;
  }

  /** Posts what is buffered (one message per batch); with `type`, resolves once it is exported. */
  async #flush(type: 'flush' | 'shutdown'): Promise<void> {
    this.#send();
    if (!this.#worker) return;
    const worker = await this.#worker;
    const id = this.#nextFlushId++;
    await new Promise<void>((resolve) => {
      this.#flushes.set(id, resolve);
      worker.postMessage({ type, id } satisfies ToWorker);
    });
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    if (this.#buffer.length === 0) return;
    const spans = this.#buffer;
    this.#buffer = [];
    if (this.#dropped > 0) {
      diag.warn(`OffThreadSpanProcessor: dropped ${this.#dropped} spans (queue full)`);
      this.#dropped = 0;
    }
    this.#inWorker += spans.length;
    this.#worker ??= this.#start();
    void this.#worker.then((w) => {
      for (let i = 0; i < spans.length; i += this.#maxBatch) {
        const batch = spans.slice(i, i + this.#maxBatch);
        w.postMessage({
          type: 'spans',
          spans: this.#encoder.batch(batch),
          count: batch.length,
        } satisfies ToWorker);
      }
    });
  }

  async #start(): Promise<Worker> {
    const resource = this.#options.resource;
    // Attributes detected asynchronously (if any) are sent with the rest, once known.
    if (resource.asyncAttributesPending) await resource.waitForAsyncAttributes?.();
    const workerData: WorkerData = {
      url: this.#options.url,
      headers: this.#options.headers ?? {},
      resourceAttributes: resource.attributes,
      resourceSchemaUrl: resource.schemaUrl,
    };
    const worker = new Worker(new URL('./span-export-worker.ts', import.meta.url), { workerData });
    // Never what keeps the process up: shutdown() flushes what is left.
    worker.unref();
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'done') this.#inWorker -= message.spans;
      else {
        this.#flushes.get(message.id)?.();
        this.#flushes.delete(message.id);
      }
    });
    worker.on('error', (err) => diag.error('OffThreadSpanProcessor: export worker failed', err));
    worker.on('exit', () => {
      // Gone (failed, or terminated): nobody will answer, so nobody waits.
      for (const resolve of this.#flushes.values()) resolve();
      this.#flushes.clear();
      this.#inWorker = 0;
      this.#worker = undefined;
    });
    return worker;
  }
}
