/**
 * @mystira/example-telemetry: OpenTelemetry for the example hosts (App API, Chain server).
 *
 * - `setupTelemetry({ serviceName })`: providers, W3C propagation, AsyncLocalStorage context,
 *   Prometheus text for /metrics, OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * - `fastifyTracing`: a SERVER span per request, handlers run in its context; serves /metrics.
 * - `traceMixin`: trace_id / span_id on every pino line.
 * - `metricsListener`: a plain node:http listener for /metrics (hosts without an HTTP framework).
 * - `OffThreadSpanProcessor`: OTLP span export from a worker thread (`SPAN_EXPORT=worker`).
 * - `PooledIdGenerator`: trace and span ids cut from a pool of random hex text.
 */
export { type FastifyTracingOptions, fastifyTracing, requestSpan } from './fastify.ts';
export { activeTraceFields, activeTraceId, type TraceFields, traceMixin } from './logging.ts';
export { metricsListener } from './metrics-http.ts';
export { OffThreadSpanProcessor, type OffThreadSpanProcessorOptions } from './off-thread-spans.ts';
export { PooledIdGenerator } from './pooled-ids.ts';
export { samplerFromEnv, setupTelemetry, type Telemetry, type TelemetryOptions } from './setup.ts';
