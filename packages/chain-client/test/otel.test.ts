/** The OpenTelemetry interceptor: a CLIENT span per call and W3C traceparent on the wire. */

import { createChainClient } from '@mystira/chain-client';
import { otelInterceptor } from '@mystira/chain-client/otel';
import {
  type Span,
  type SpanContext,
  type SpanOptions,
  TraceFlags,
  type Tracer,
} from '@opentelemetry/api';
import { type HistogramMetricData, MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PullMetricReader } from '../../../test-support/pull-metric-reader.js';
import { type RunningServer, serveFake } from './support/fake-chain.js';

interface Recorded {
  name: string;
  options: SpanOptions | undefined;
  attributes: Record<string, unknown>;
  status?: { code: number; message?: string };
  ended: boolean;
  ctx: SpanContext;
}

/** A minimal recording tracer: real ids, no SDK. */
function recordingTracer(spans: Recorded[]): Tracer {
  const hex = (n: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
  return {
    startSpan(name: string, options?: SpanOptions): Span {
      const rec: Recorded = {
        name,
        options,
        attributes: { ...options?.attributes },
        ended: false,
        ctx: { traceId: hex(16), spanId: hex(8), traceFlags: TraceFlags.SAMPLED },
      };
      spans.push(rec);
      const span: Span = {
        spanContext: () => rec.ctx,
        setAttribute(k, v) {
          rec.attributes[k] = v;
          return span;
        },
        setAttributes(a) {
          Object.assign(rec.attributes, a);
          return span;
        },
        addEvent: () => span,
        addLink: () => span,
        addLinks: () => span,
        setStatus(s) {
          rec.status = s;
          return span;
        },
        updateName: () => span,
        end() {
          rec.ended = true;
        },
        isRecording: () => true,
        recordException: () => {},
      };
      return span;
    },
    startActiveSpan: (() => {
      throw new Error('unused');
    }) as Tracer['startActiveSpan'],
  };
}

let server: RunningServer;
beforeAll(async () => {
  server = await serveFake();
});
afterAll(() => server.close());

describe('otelInterceptor', () => {
  it('starts a client span per call and sends its W3C traceparent', async () => {
    const spans: Recorded[] = [];
    const c = createChainClient({
      baseUrl: server.url,
      interceptors: [otelInterceptor({ tracer: recordingTracer(spans) })],
    });
    await c.isRegistered('a');
    const span = spans[0] as Recorded;
    expect(span.name).toBe('mystira.chain.v1.ChainService/IsRegistered');
    expect(span.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.method': 'IsRegistered',
      'rpc.grpc.status_code': 0,
    });
    expect(span.ended).toBe(true);
    expect(server.observed.at(-1)?.headers.get('traceparent')).toBe(
      `00-${span.ctx.traceId}-${span.ctx.spanId}-01`,
    );
    await c.getIpAssetStatus('missing').catch(() => {});
    expect(spans[1]?.attributes['rpc.grpc.status_code']).toBe(5);
    expect(spans[1]?.status?.code).toBe(2);
    c.close();
  });

  it('covers a server stream until it ends', async () => {
    const spans: Recorded[] = [];
    const c = createChainClient({
      baseUrl: server.url,
      interceptors: [otelInterceptor({ tracer: recordingTracer(spans) })],
    });
    const it = c.watchTransactions(['0x1'])[Symbol.asyncIterator]();
    await it.next();
    expect(spans[0]?.ended).toBe(false);
    await it.return?.();
    await expect.poll(() => spans[0]?.ended).toBe(true);
    c.close();
  });

  it('records rpc.client.duration (ms) by method and status code', async () => {
    const reader = new PullMetricReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const c = createChainClient({
      baseUrl: server.url,
      interceptors: [
        otelInterceptor({ tracer: recordingTracer([]), meter: meterProvider.getMeter('test') }),
      ],
    });
    await c.isRegistered('a');
    await c.isRegistered('b');
    await c.getIpAssetStatus('missing').catch(() => {});
    c.close();
    const metric = (await reader.metric('rpc.client.duration')) as HistogramMetricData | undefined;
    expect(metric?.descriptor.unit).toBe('ms');
    const points = metric?.dataPoints.map((p) => [
      p.attributes['rpc.method'],
      p.attributes['rpc.grpc.status_code'],
      p.value.count,
    ]);
    expect(points).toEqual(
      expect.arrayContaining([
        ['IsRegistered', 0, 2],
        ['GetIpAssetStatus', 5, 1],
      ]),
    );
    await meterProvider.shutdown();
  });
});
