/**
 * The example hosts' telemetry module against real components: a Fastify app over real HTTP, the
 * SDK's in-memory span exporter, pino writing to a stream, and a local HTTP server standing in for
 * an OTLP collector (http/protobuf).
 */
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  activeTraceId,
  fastifyTracing,
  metricsListener,
  samplerFromEnv,
  setupTelemetry,
  type Telemetry,
  traceMixin,
} from '../src/index.ts';
import { TraceIdRatioSampler } from '../src/ratio-sampler.ts';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let app: FastifyInstance<http.Server, http.IncomingMessage, http.ServerResponse, Logger>;
let base: string;
const logLines: Record<string, unknown>[] = [];

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';

beforeAll(async () => {
  telemetry = setupTelemetry({
    serviceName: 'telemetry-test',
    env: {},
    spanExporters: [exporter],
  });
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line) logLines.push(JSON.parse(line));
  });
  app = Fastify({ loggerInstance: pino({ mixin: traceMixin }, stream) });
  await app.register(fastifyTracing, { metrics: { path: '/metrics', telemetry } });
  const tracer = trace.getTracer('test');
  app.post<{ Params: { id: string }; Body: { name: string } }>(
    '/v1/things/:id',
    async (request) => {
      // After the body was parsed and after an await: still in the request span's context.
      await new Promise((r) => setTimeout(r, 1));
      const child = tracer.startSpan('child-work');
      child.end();
      request.log.info({ thing: request.params.id }, 'working on it');
      return { id: request.params.id, name: request.body.name, traceId: activeTraceId() };
    },
  );
  app.get('/v1/broken', async () => {
    throw new Error('boom');
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await telemetry?.shutdown();
});

beforeEach(() => exporter.reset());

describe('fastifyTracing', () => {
  it('makes a SERVER span per request that continues the caller trace, named after the route', async () => {
    const res = await fetch(`${base}/v1/things/42?x=1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`,
      },
      body: JSON.stringify({ name: 'lamp' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { traceId: string };
    expect(body.traceId).toBe(TRACE_ID);

    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe('POST /v1/things/:id');
    expect(server?.spanContext().traceId).toBe(TRACE_ID);
    expect(server?.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(server?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/things/:id',
      'url.path': '/v1/things/42',
      'http.response.status_code': 200,
    });
    const child = spans.find((s) => s.name === 'child-work');
    expect(child?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(child?.spanContext().traceId).toBe(TRACE_ID);

    const line = logLines.find((l) => l.msg === 'working on it');
    expect(line).toMatchObject({ trace_id: TRACE_ID, span_id: server?.spanContext().spanId });
  });

  it('starts a new trace without a traceparent, and marks 5xx as an error', async () => {
    const res = await fetch(`${base}/v1/broken`);
    expect(res.status).toBe(500);
    const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe('GET /v1/broken');
    expect(server?.parentSpanContext).toBeUndefined();
    expect(server?.status.code).toBe(SpanStatusCode.ERROR);
    expect(server?.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('serves Prometheus text at /metrics, untraced, with the request duration histogram', async () => {
    await fetch(`${base}/v1/things/7`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    exporter.reset();
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    // (this serializer version does not append the unit to the name)
    expect(text).toMatch(/# TYPE http_server_request_duration(_seconds)? histogram/);
    expect(text).toMatch(
      /http_server_request_duration(_seconds)?_count\{[^}]*http_route="\/v1\/things\/:id"/,
    );
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('leaves log lines outside any span without trace ids', () => {
    const fields = context.with(context.active(), traceMixin);
    expect(fields).toEqual({});
  });
});

describe('with nowhere to send spans', () => {
  it('records none, yet carries the caller trace id through to handlers and logs', async () => {
    const own = setupTelemetry({ serviceName: 'quiet', env: {}, registerGlobally: false });
    expect(own.tracing).toBe(false);
    const quiet = Fastify();
    await quiet.register(fastifyTracing, { tracer: own.tracer, meter: own.meter });
    quiet.get('/v1/quiet', async () => ({ traceId: activeTraceId() }));
    const url = await quiet.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${url}/v1/quiet`, {
        headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` },
      });
      expect(await res.json()).toEqual({ traceId: TRACE_ID });
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    } finally {
      await quiet.close();
      await own.shutdown();
    }
  });
});

describe('metricsListener', () => {
  it('answers GET /metrics on a plain node:http server and 404 elsewhere', async () => {
    telemetry.meter.createCounter('plain_listener_probe').add(3);
    const server = http.createServer(metricsListener(telemetry));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('plain_listener_probe');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe('OTLP export', () => {
  // Spans written as they end (EncodedSpanProcessor, the default) and the SDK's BatchSpanProcessor.
  it.each(['encoded', 'sdk'])(
    'sends traces and metrics as http/protobuf to OTEL_EXPORTER_OTLP_ENDPOINT (SPAN_EXPORT=%s)',
    async (spanExport) => {
      const received: { path: string; type: string; body: Buffer; auth: string }[] = [];
      const collector = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            path: req.url ?? '',
            type: req.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
            auth: String(req.headers['x-collector-token'] ?? ''),
          });
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        });
      });
      collector.listen(0, '127.0.0.1');
      await once(collector, 'listening');
      const { port } = collector.address() as AddressInfo;
      const own = setupTelemetry({
        serviceName: 'otlp-test-service',
        registerGlobally: false,
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=abc',
          SPAN_EXPORT: spanExport,
        },
      });
      try {
        expect(own.otlpEndpoint).toBe(`http://127.0.0.1:${port}`);
        own.tracer.startSpan('exported-span').end();
        own.meter.createCounter('exported_counter').add(1);
        await own.shutdown(); // flushes both
        const traces = received.find((r) => r.path === '/v1/traces');
        const metrics = received.find((r) => r.path === '/v1/metrics');
        expect(traces?.type).toBe('application/x-protobuf');
        expect(traces?.auth).toBe('abc');
        expect(traces?.body.includes('exported-span')).toBe(true);
        expect(traces?.body.includes('otlp-test-service')).toBe(true);
        expect(metrics?.type).toBe('application/x-protobuf');
        expect(metrics?.body.includes('exported_counter')).toBe(true);
      } finally {
        collector.close();
      }
    },
  );
});

describe('samplerFromEnv', () => {
  it('reads OTEL_TRACES_SAMPLER and its ratio as the specification names them', () => {
    expect(samplerFromEnv({})).toBeInstanceOf(ParentBasedSampler);
    expect(samplerFromEnv({}).toString()).toContain('AlwaysOnSampler');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' })).toBeInstanceOf(AlwaysOnSampler);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' })).toBeInstanceOf(AlwaysOffSampler);
    expect(
      samplerFromEnv({
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }).toString(),
    ).toBe('TraceIdRatioBased{0.25}');
    const parentBased = samplerFromEnv({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    expect(parentBased).toBeInstanceOf(ParentBasedSampler);
    expect(parentBased.toString()).toContain('TraceIdRatioBased{0.1}');
    expect(
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'x' }),
    ).toBeInstanceOf(TraceIdRatioSampler);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/unknown sampler/);
  });
});

describe('prometheus: false', () => {
  it('keeps no Prometheus reader: /metrics text is empty', async () => {
    const quiet = setupTelemetry({
      serviceName: 'no-prometheus',
      env: {},
      registerGlobally: false,
      prometheus: false,
    });
    try {
      quiet.meter.createCounter('calls').add(1);
      expect(await quiet.prometheusText()).toBe('');
    } finally {
      await quiet.shutdown();
    }
  });
});
