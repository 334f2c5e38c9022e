/**
 * @mystira/example-telemetry: OpenTelemetry for the example hosts (App API, Chain server).
 *
 * - `setupTelemetry({ serviceName })`: providers, W3C propagation, AsyncLocalStorage context,
 *   Prometheus text for /metrics, OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * - `fastifyTracing`: a SERVER span per request, handlers run in its context; serves /metrics.
 * - `traceMixin`: trace_id / span_id on every pino line.
 * - `metricsListener`: a plain node:http listener for /metrics (hosts without an HTTP framework).
 * - `EncodedSpanProcessor`: OTLP span export with each span written as protobuf when it ends.
 * - `PooledIdGenerator`: trace and span ids cut from a pool of random hex text.
 */

export {
  EncodedSpanProcessor,
  type EncodedSpanProcessorOptions,
} from './encoded-span-processor.ts';
export { type FastifyTracingOptions, fastifyTracing, requestSpan } from './fastify.ts';
export { activeTraceFields, activeTraceId, type TraceFields, traceMixin } from './logging.ts';
export { metricsListener } from './metrics-http.ts';
export { PooledIdGenerator } from './pooled-ids.ts';
export { samplerFromEnv, setupTelemetry, type Telemetry, type TelemetryOptions } from './setup.ts';
