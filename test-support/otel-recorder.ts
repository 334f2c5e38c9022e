/**
 * An OpenTelemetry SDK that records in memory, for tests of the `/otel` entries: spans go to an
 * InMemorySpanExporter, metrics to an InMemoryMetricExporter collected on demand, and the
 * AsyncLocalStorage context manager is installed so spans nest across awaits as in a real app.
 * The tracer and meter are passed to the code under test explicitly (no global providers), so
 * tests in one process do not see each other's telemetry. `useOtelRecorder()` also shuts it down
 * after the calling file's tests.
 */
import { context, type Meter, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll } from 'vitest';

let contextManagerInstalled = false;

export interface OtelRecorder {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** The tracer and the meter, as the `/otel` entries' options take them. */
  readonly options: { readonly tracer: Tracer; readonly meter: Meter };
  /** Finished spans so far (the processor exports asynchronously, so this flushes first). */
  spans(): Promise<ReadableSpan[]>;
  /** Finished spans with this name. */
  named(name: string): Promise<ReadableSpan[]>;
  /** Collects every instrument now and returns the data of the one called `name`. */
  metric(name: string): Promise<MetricData | undefined>;
  /** The points of `name` as [attributes, value] (value: number or histogram count). */
  points(name: string): Promise<{ attributes: Record<string, unknown>; value: number }[]>;
  /** Runs `fn` under a fresh parent span (`request`) and returns that span's id. */
  underParent(fn: () => Promise<unknown>): Promise<string>;
  reset(): void;
  shutdown(): Promise<void>;
}

export function otelRecorder(): OtelRecorder {
  if (!contextManagerInstalled) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerInstalled = true;
  }
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })],
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // A long interval: metrics are collected only when a test asks (forceFlush).
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const tracer = tracerProvider.getTracer('test');
  const meter = meterProvider.getMeter('test');

  const metric = async (name: string): Promise<MetricData | undefined> => {
    metricExporter.reset();
    await reader.forceFlush();
    for (const rm of metricExporter.getMetrics())
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) if (m.descriptor.name === name) return m;
    return undefined;
  };

  return {
    tracer,
    meter,
    options: { tracer, meter },
    async spans() {
      await tracerProvider.forceFlush();
      return spanExporter.getFinishedSpans();
    },
    async named(name) {
      await tracerProvider.forceFlush();
      return spanExporter.getFinishedSpans().filter((s) => s.name === name);
    },
    metric,
    async points(name) {
      const m = await metric(name);
      return (m?.dataPoints ?? []).map((p) => ({
        attributes: p.attributes as Record<string, unknown>,
        value: typeof p.value === 'number' ? p.value : (p.value as { count: number }).count,
      }));
    },
    async underParent(fn) {
      const parent = tracer.startSpan('request');
      await context.with(trace.setSpan(context.active(), parent), fn);
      parent.end();
      return parent.spanContext().spanId;
    },
    reset: () => spanExporter.reset(),
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** An {@link otelRecorder} for the tests of the calling file, shut down after all of them. */
export function useOtelRecorder(): OtelRecorder {
  const recorder = otelRecorder();
  afterAll(() => recorder.shutdown());
  return recorder;
}
