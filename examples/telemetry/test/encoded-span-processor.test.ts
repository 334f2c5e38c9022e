/**
 * EncodedSpanProcessor against a collector over real HTTP: batches of at most the batch size,
 * every sampled span once (and no unsampled one), grouped by scope; a collector that stops
 * answering costs dropped spans, not memory, and the processor goes on once it answers again; a
 * resource still detecting attributes is waited for.
 */
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { EncodedSpanProcessor } from '../src/encoded-span-processor.ts';
import { type Decoded, decodeTraceRequest } from './otlp-schema.ts';

interface Collector {
  url: string;
  requests: { headers: http.IncomingHttpHeaders; body: Decoded }[];
  /** While true, requests are held unanswered. */
  hold: boolean;
  release(): void;
  close(): void;
}

const collectors: Collector[] = [];
afterEach(() => {
  for (const c of collectors.splice(0)) c.close();
});

async function startCollector(): Promise<Collector> {
  const held: http.ServerResponse[] = [];
  const collector: Collector = {
    url: '',
    requests: [],
    hold: false,
    release() {
      collector.hold = false;
      for (const res of held.splice(0)) res.writeHead(200).end();
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      collector.requests.push({
        headers: req.headers,
        body: decodeTraceRequest(Buffer.concat(chunks)),
      });
      if (collector.hold) held.push(res);
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  collector.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  collectors.push(collector);
  return collector;
}

function spanNames(c: Collector): string[] {
  return c.requests.flatMap((r) =>
    r.body.resourceSpans.flatMap((rs: Decoded) =>
      rs.scopeSpans.flatMap((ss: Decoded) => ss.spans.map((s: Decoded) => s.name)),
    ),
  );
}

describe('EncodedSpanProcessor', () => {
  it('sends every sampled span once, in batches of at most maxExportBatchSize, by scope', async () => {
    const collector = await startCollector();
    const processor = new EncodedSpanProcessor({
      url: collector.url,
      headers: { 'x-collector-token': 'abc' },
      maxExportBatchSize: 100,
    });
    const provider = new TracerProvider({
      spanProcessors: [processor],
      // Half the root spans sampled: the others must not be sent.
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) }),
    });
    const a = provider.getTracer('scope-a', '1.0.0');
    const b = provider.getTracer('scope-b');
    const sampled: string[] = [];
    for (let i = 0; i < 450; i++) {
      const span = (i % 3 === 0 ? b : a).startSpan(`span-${i}`);
      if (span.isRecording()) sampled.push(`span-${i}`);
      span.end();
    }
    expect(sampled.length).toBeGreaterThan(150);
    expect(sampled.length).toBeLessThan(300);
    await processor.forceFlush();
    expect(spanNames(collector).sort()).toEqual(sampled.sort());
    for (const r of collector.requests) {
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      expect(r.headers['x-collector-token']).toBe('abc');
      const spans = r.body.resourceSpans[0].scopeSpans.flatMap((ss: Decoded) => ss.spans);
      expect(spans.length).toBeLessThanOrEqual(100);
      for (const ss of r.body.resourceSpans[0].scopeSpans) {
        expect(ss.spans.length).toBeGreaterThan(0);
        const wanted = ss.scope.name === 'scope-b' ? 0 : [1, 2];
        for (const s of ss.spans) {
          const i = Number(s.name.slice(5));
          if (wanted === 0) expect(i % 3).toBe(0);
          else expect(i % 3).not.toBe(0);
        }
      }
      const service = r.body.resourceSpans[0].resource.attributes.find(
        (kv: Decoded) => kv.key === 'service.name',
      );
      expect(service.value.stringValue).toMatch(/unknown_service/);
    }
    await provider.shutdown();
  });

  it('sends a batch that is not full after scheduledDelayMillis', async () => {
    const collector = await startCollector();
    const processor = new EncodedSpanProcessor({ url: collector.url, scheduledDelayMillis: 50 });
    const provider = new TracerProvider({
      spanProcessors: [processor],
      sampler: new AlwaysOnSampler(),
    });
    provider.getTracer('t').startSpan('lonely').end();
    const deadline = Date.now() + 5_000;
    while (collector.requests.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(spanNames(collector)).toEqual(['lonely']);
    await provider.shutdown();
  });

  it('drops spans past maxQueueSize while the collector does not answer, then goes on', async () => {
    const collector = await startCollector();
    collector.hold = true;
    const processor = new EncodedSpanProcessor({
      url: collector.url,
      maxExportBatchSize: 10,
      maxQueueSize: 30,
    });
    const provider = new TracerProvider({
      spanProcessors: [processor],
      sampler: new AlwaysOnSampler(),
    });
    const tracer = provider.getTracer('t');
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 10; i++) tracer.startSpan(`held-${round}-${i}`).end();
      // Let the exports' requests go out.
      await new Promise((r) => setImmediate(r));
    }
    expect(processor.droppedSpans).toBe(70);
    collector.release();
    await processor.forceFlush();
    expect(spanNames(collector)).toHaveLength(30);
    tracer.startSpan('after').end();
    await processor.forceFlush();
    expect(spanNames(collector)).toContain('after');
    await provider.shutdown();
  });

  it('waits for resource attributes still being detected before sending', async () => {
    const collector = await startCollector();
    const processor = new EncodedSpanProcessor({ url: collector.url });
    const region = new Promise<string>((resolve) => setTimeout(() => resolve('eu-west-1'), 50));
    const provider = new TracerProvider({
      spanProcessors: [processor],
      sampler: new AlwaysOnSampler(),
      resource: resourceFromAttributes({ 'service.name': 'detecting', 'cloud.region': region }),
    });
    provider.getTracer('t').startSpan('early').end();
    await processor.forceFlush();
    expect(spanNames(collector)).toEqual(['early']);
    const attributes = collector.requests[0]?.body.resourceSpans[0].resource.attributes;
    expect(attributes).toContainEqual({ key: 'cloud.region', value: { stringValue: 'eu-west-1' } });
    await provider.shutdown();
  });

  it('sends nothing after shutdown', async () => {
    const collector = await startCollector();
    const processor = new EncodedSpanProcessor({ url: collector.url });
    const provider = new TracerProvider({
      spanProcessors: [processor],
      sampler: new AlwaysOnSampler(),
    });
    provider.getTracer('t').startSpan('before').end();
    await provider.shutdown();
    processor.onEnd(provider.getTracer('t').startSpan('late') as never);
    await processor.forceFlush();
    expect(spanNames(collector)).toEqual(['before']);
  });
});
