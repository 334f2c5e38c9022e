/**
 * A Fastify plugin: one SERVER span per HTTP request, continuing the caller's W3C trace context,
 * named after the route template (`POST /v1/stories/:id/publish`), with the HTTP semantic-
 * convention attributes and status; the route handler runs inside the span's context, so what it
 * calls (chain client, repositories, cache) becomes child spans. Also records
 * `http.server.request.duration` (seconds) and, optionally, serves `/metrics`.
 *
 * Register it before the routes (it wraps each route's handler as the route is added).
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  type Context,
  context,
  type Meter,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Telemetry } from './setup.ts';

export interface FastifyTracingOptions {
  /** Default: the global tracer provider's `@mystira/example-telemetry` tracer. */
  tracer?: Tracer;
  /** Default: the global meter provider's. */
  meter?: Meter;
  /** Serve Prometheus text at this path from `telemetry` (e.g. '/metrics'). */
  metrics?: {
    path: string;
    telemetry: Pick<Telemetry, 'prometheusText' | 'prometheusContentType'>;
  };
  /** Requests to leave untraced (health probes, /metrics). Default: /metrics, /healthz, /readyz. */
  ignorePaths?: readonly string[];
}

interface RequestTrace {
  span: Span;
  ctx: Context;
  start: number;
}

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

const traces = new WeakMap<FastifyRequest, RequestTrace>();

/** The span of a request (for handlers that want to add attributes). */
export function requestSpan(request: FastifyRequest): Span | undefined {
  return traces.get(request)?.span;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function tracing(app: FastifyInstance, options: FastifyTracingOptions): Promise<void> {
  const tracer = options.tracer ?? trace.getTracer('@mystira/example-telemetry');
  const meter = options.meter ?? metrics.getMeter('@mystira/example-telemetry');
  const duration = meter.createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests.',
    unit: 's',
    advice: {
      explicitBucketBoundaries: [
        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
      ],
    },
  });
  const ignored = new Set(options.ignorePaths ?? ['/metrics', '/healthz', '/readyz']);

  if (options.metrics) {
    const { path, telemetry } = options.metrics;
    app.get(path, async (_request, reply) => {
      reply.header('content-type', telemetry.prometheusContentType);
      return telemetry.prometheusText();
    });
  }

  app.addHook('onRequest', (request, _reply, done) => {
    if (ignored.has(pathOf(request.url))) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': pathOf(request.url),
          'url.scheme': request.protocol,
          ...(route ? { 'http.route': route } : {}),
          'server.address': request.hostname,
          'client.address': request.ip,
          'network.protocol.version': request.raw.httpVersion,
          ...(request.headers['user-agent']
            ? { 'user_agent.original': request.headers['user-agent'] }
            : {}),
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    traces.set(request, { span, ctx, start: performance.now() });
    // Hooks run synchronously from `done`; the body is parsed later from socket events (outside
    // any context), which is why preHandler and the handler are entered in the context again.
    context.with(ctx, done);
  });

  app.addHook('preHandler', (request, _reply, done) => {
    const t = traces.get(request);
    if (t) context.with(t.ctx, done);
    else done();
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    const handler = route.handler;
    route.handler = function tracedHandler(this: FastifyInstance, request, reply) {
      const t = traces.get(request);
      return t
        ? context.with(t.ctx, handler, this, request, reply)
        : handler.call(this, request, reply);
    };
  });

  app.addHook('onError', (request, _reply, error, done) => {
    const t = traces.get(request);
    if (t) t.span.recordException(error);
    done();
  });

  const finish = (request: FastifyRequest, reply: FastifyReply, aborted: boolean) => {
    const t = traces.get(request);
    if (!t) return;
    traces.delete(request);
    const status = reply.statusCode;
    const route = request.routeOptions.url;
    if (route) {
      t.span.updateName(`${request.method} ${route}`);
      t.span.setAttribute('http.route', route);
    }
    t.span.setAttribute('http.response.status_code', status);
    if (aborted) {
      t.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
    } else if (status >= 500) {
      // Only server errors mark a SERVER span as failed (4xx are the client's).
      t.span.setStatus({ code: SpanStatusCode.ERROR });
      t.span.setAttribute('error.type', String(status));
    }
    t.span.end();
    duration.record((performance.now() - t.start) / 1000, {
      'http.request.method': request.method,
      'http.response.status_code': status,
      ...(route ? { 'http.route': route } : {}),
    });
  };
  app.addHook('onResponse', (request, reply, done) => {
    finish(request, reply, false);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const t = traces.get(request);
    if (t) {
      t.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
      t.span.end();
      traces.delete(request);
    }
    done();
  });
  return Promise.resolve();
}

/**
 * `await app.register(fastifyTracing, { metrics: { path: '/metrics', telemetry } })`, before the
 * routes. Wrapped with fastify-plugin so its hooks apply to the whole app.
 */
export const fastifyTracing = fp(tracing, {
  fastify: '5.x',
  name: '@mystira/example-telemetry/fastify',
});
