/**
 * One call that turns OpenTelemetry on for an example host: tracer and meter providers, W3C trace
 * context + baggage propagation, an AsyncLocalStorage context manager (so `context.active()`
 * follows async calls; src/context-manager.ts), Prometheus text for `/metrics`, and OTLP export
 * (http/protobuf) of traces and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 *
 * OpenTelemetry JS 3.x merged the Node tracer provider into `@opentelemetry/sdk-trace`'s
 * `TracerProvider`; what `NodeTracerProvider.register()` used to do (context manager +
 * propagator) is done here explicitly.
 */
import {
  context,
  type Meter,
  metrics,
  ProxyTracerProvider,
  propagation,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  type IMetricReader,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { FrameContextManager } from './context-manager.ts';
import { EncodedSpanProcessor } from './encoded-span-processor.ts';
import { PooledIdGenerator } from './pooled-ids.ts';
import {
  type HistogramSeries,
  type HistogramSpec,
  PreAggregatedHistograms,
} from './pre-aggregated.ts';
import { TraceIdRatioSampler } from './ratio-sampler.ts';

export interface TelemetryOptions {
  /** `service.name` of every span and metric (OTEL_SERVICE_NAME overrides it). */
  serviceName: string;
  serviceVersion?: string;
  /**
   * The environment to read OTEL_* variables from. Default `process.env`.
   * - OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4318): export traces to `<it>/v1/traces`
   *   and metrics to `<it>/v1/metrics` over http/protobuf. Unset: no OTLP export.
   * - OTEL_EXPORTER_OTLP_HEADERS: `key=value,key2=value2` sent with every export.
   * - OTEL_METRIC_EXPORT_INTERVAL: ms between OTLP metric exports (default 60000).
   * - OTEL_SERVICE_NAME: overrides `serviceName`.
   * - OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG: which calls are sampled, as the
   *   OpenTelemetry specification names the samplers (`always_on`, `always_off`,
   *   `traceidratio`, `parentbased_always_on` (the default), `parentbased_always_off`,
   *   `parentbased_traceidratio`; the ratio from the argument, default 1).
   * - OTEL_SDK_DISABLED=true: providers are still created (so /metrics answers) but nothing is
   *   registered globally and nothing is exported.
   * - SPAN_EXPORT=sdk: OTLP span export by the SDK's own processor (see `spanExport`).
   */
  env?: Record<string, string | undefined>;
  /**
   * More span exporters, each behind a SimpleSpanProcessor (spans are handed over as they end).
   * Tests pass an `InMemorySpanExporter` here.
   */
  spanExporters?: SpanExporter[];
  /** More metric readers (e.g. a PeriodicExportingMetricReader over an InMemoryMetricExporter). */
  metricReaders?: IMetricReader[];
  /**
   * Keep the metrics for Prometheus text (`prometheusText()`, a `/metrics` route). Default true.
   * A host that serves no `/metrics` passes false: every measurement is aggregated once per
   * reader, so a reader nobody reads is a cost on every call.
   */
  prometheus?: boolean;
  /**
   * How sampled spans go to the OTLP endpoint: `'encoded'` (the default), EncodedSpanProcessor,
   * which writes each span as protobuf when it ends and sends batches through the OTLP exporter's
   * HTTP transport, or `'sdk'`, the SDK's BatchSpanProcessor with its OTLPTraceExporter, which
   * keeps the span objects until a batch is full and serializes them then. The first costs the
   * Chain host about 6 µs less per call with every call sampled (bench/results/latest.md). Default:
   * the environment's SPAN_EXPORT, else `'encoded'`.
   */
  spanExport?: 'encoded' | 'sdk';
  /** Make these providers the global ones (`trace`, `metrics`, `propagation`, `context`). Default true. */
  registerGlobally?: boolean;
}

export interface Telemetry {
  readonly serviceName: string;
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  /**
   * A tracer of these providers, named after the service; a non-recording one when no span goes
   * anywhere (no OTLP endpoint, no `spanExporters`).
   */
  readonly tracer: Tracer;
  readonly meter: Meter;
  /**
   * A histogram aggregated in this process rather than by the SDK's meter (no attribute hashing
   * per record: see src/pre-aggregated.ts), read by the Prometheus and OTLP readers made here (not
   * by `metricReaders`). For hot paths: `otelTelemetry({ histogram: telemetry.histogram })`.
   */
  histogram(name: string, spec: HistogramSpec): HistogramSeries;
  /** Whether spans are recorded (something receives them: OTLP or `spanExporters`). */
  readonly tracing: boolean;
  /** False with OTEL_SDK_DISABLED=true: a host then leaves its call telemetry out altogether. */
  readonly enabled: boolean;
  /** Whether traces and metrics go to an OTLP endpoint. */
  readonly otlpEndpoint: string | undefined;
  /**
   * The current metrics in the Prometheus text exposition format (for a `/metrics` route); empty
   * with `prometheus: false`.
   */
  prometheusText(): Promise<string>;
  /** The content type to answer `/metrics` with. */
  readonly prometheusContentType: string;
  /** Ends every span processor and reader after flushing them; unregisters the globals. */
  shutdown(): Promise<void>;
}

function parseHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(
      pair.slice(eq + 1).trim(),
    );
  }
  return headers;
}

/**
 * The sampler OTEL_TRACES_SAMPLER names (parent-based always-on when unset), with the ratio of
 * OTEL_TRACES_SAMPLER_ARG for the ratio samplers.
 */
export function samplerFromEnv(env: Record<string, string | undefined>): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = () =>
    new TraceIdRatioSampler(Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      throw new Error(`OTEL_TRACES_SAMPLER: unknown sampler "${name}"`);
  }
}

/** Creates the providers, and (by default) registers them and the W3C propagator globally. */
export function setupTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const disabled = env.OTEL_SDK_DISABLED?.toLowerCase() === 'true';
  const serviceName = env.OTEL_SERVICE_NAME || options.serviceName;
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
  );
  const endpoint = disabled
    ? undefined
    : env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '') || undefined;
  const headers = parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS);

  const spanProcessors: SpanProcessor[] = (options.spanExporters ?? []).map(
    (exporter) => new SimpleSpanProcessor({ exporter }),
  );
  if (endpoint) {
    const url = `${endpoint}/v1/traces`;
    spanProcessors.push(
      (options.spanExport ?? env.SPAN_EXPORT) === 'sdk'
        ? new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url, headers }) })
        : new EncodedSpanProcessor({ url, headers }),
    );
  }
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors,
    sampler: samplerFromEnv(env),
    idGenerator: new PooledIdGenerator(),
  });
  // With nowhere to send spans, recording them is pure cost: the API's no-op tracer is used
  // instead. It still carries an incoming trace context through (its spans are the caller's span
  // context, flags kept), so downstream services and log lines see the caller's trace id.
  const tracing = spanProcessors.length > 0;

  // Histograms recorded through `histogram()`, read by both readers made here.
  const preAggregated = new PreAggregatedHistograms(resource);
  // The Prometheus reader is pulled by /metrics; it never starts its own HTTP server.
  const prometheus =
    options.prometheus === false
      ? undefined
      : new PrometheusExporter({ preventServerStart: true, metricProducers: [preAggregated] });
  const serializer = new PrometheusSerializer();
  const readers: IMetricReader[] = [
    ...(prometheus ? [prometheus] : []),
    ...(options.metricReaders ?? []),
  ];
  if (endpoint) {
    readers.push(
      new PeriodicExportingMetricReader({
        metricProducers: [preAggregated],
        exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics`, headers }),
        exportIntervalMillis: Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000,
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });

  const registered = options.registerGlobally !== false && !disabled;
  if (registered) {
    // A second setup in one process (tests) replaces the first: the API refuses to overwrite.
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    const contextManager = new FrameContextManager();
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(
      new CompositePropagator({
        propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
      }),
    );
    if (tracing) trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  }

  let shutDown: Promise<void> | undefined;
  return {
    serviceName,
    tracerProvider,
    meterProvider,
    tracer: tracing
      ? tracerProvider.getTracer(serviceName)
      : new ProxyTracerProvider().getTracer(serviceName),
    tracing,
    enabled: !disabled,
    meter: meterProvider.getMeter(serviceName),
    otlpEndpoint: endpoint,
    histogram: (name, spec) => preAggregated.histogram(name, spec),
    prometheusContentType: 'text/plain; version=0.0.4; charset=utf-8',
    async prometheusText() {
      if (!prometheus) return '';
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    shutdown() {
      shutDown ??= (async () => {
        await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
        if (registered) {
          trace.disable();
          metrics.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return shutDown;
    },
  };
}
