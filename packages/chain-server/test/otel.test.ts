/**
 * OpenTelemetry on the server (`@mystira/chain-server/otel`), with the SDK's in-memory span
 * exporter and the AsyncLocalStorage context manager, over real HTTP/2 and HTTP/1.1: a SERVER
 * span per call on both serving paths and all protocols, continuing the caller's traceparent;
 * ledger calls as child spans (those of its `ip` port too); error status; the rpc.server.duration
 * histogram.
 */
import { readFileSync } from 'node:fs';
import { Code, ConnectError } from '@connectrpc/connect';
import { DevnetLedger, nonCommercialSocialRemixingTerms } from '@mystira/chain-server';
import { otelTelemetry } from '@mystira/chain-server/otel';
import {
  context,
  createContextKey,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { type HistogramMetricData, MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PullMetricReader } from '../../../test-support/pull-metric-reader.js';
import {
  clientFor,
  type Protocol,
  protocols,
  type Running,
  registration,
  startServer,
} from './helpers.js';
import { FAKE_DEFAULT_COLLECTION, FakeIpLedger } from './support/fake-ip-ledger.js';
import { ipClients, startIpServer, withIp } from './support/ip-server.js';

const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const reader = new PullMetricReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';
const traceparent = `00-${TRACE_ID}-${PARENT}-01`;

beforeAll(() => {
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
});
afterAll(async () => {
  context.disable();
  propagation.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});
beforeEach(() => exporter.reset());

const telemetry = otelTelemetry({
  tracer: tracerProvider.getTracer('test'),
  meter: meterProvider.getMeter('test'),
});

function serverSpan(method: string): ReadableSpan {
  const span = exporter
    .getFinishedSpans()
    .find(
      (s) => s.kind === SpanKind.SERVER && s.name === `mystira.chain.v1.ChainService/${method}`,
    );
  if (!span)
    throw new Error(
      `no server span for ${method}: ${exporter.getFinishedSpans().map((s) => s.name)}`,
    );
  return span;
}

function childrenOf(parent: ReadableSpan): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
}

const rpcSystem: Record<Protocol, string> = {
  grpc: 'grpc',
  'grpc-web': 'grpc',
  'connect-json': 'connect_rpc',
  'connect-binary': 'connect_rpc',
};

describe.each([true, false])('fastPath=%s', (fastPath) => {
  let r: Running;
  /** The span active while onCall ran, per procedure: access logs can carry the trace id. */
  const activeInOnCall = new Map<string, string | undefined>();
  beforeAll(async () => {
    r = await startServer({
      fastPath,
      telemetry,
      onCall: (info) =>
        activeInOnCall.set(info.procedure, trace.getActiveSpan()?.spanContext().spanId),
    });
  });
  afterAll(() => r.close());

  describe.each(protocols)('%s', (protocol) => {
    it('makes a SERVER span continuing the incoming traceparent, with ledger child spans', async () => {
      const client = clientFor(protocol, r.baseUrl, { traceparent, tracestate: 'mystira=1' });
      await client.registerIpAsset(registration());
      const span = serverSpan('RegisterIpAsset');
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(PARENT);
      expect(span.parentSpanContext?.isRemote).toBe(true);
      expect(span.attributes).toMatchObject({
        'rpc.system': rpcSystem[protocol],
        'rpc.service': 'mystira.chain.v1.ChainService',
        'rpc.method': 'RegisterIpAsset',
        'rpc.grpc.status_code': 0,
      });
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      const ledger = childrenOf(span).find((s) => s.name === 'ledger.registerAsset');
      expect(ledger?.kind).toBe(SpanKind.INTERNAL);
      expect(ledger?.spanContext().traceId).toBe(TRACE_ID);
      expect(ledger?.attributes['mystira.content_id']).toBeTypeOf('string');
    });

    it('records the status code; server faults mark the span as an error', async () => {
      const client = clientFor(protocol, r.baseUrl, { traceparent });
      // A caller's mistake: the code is recorded, the span status stays unset.
      await expect(client.isRegistered({ contentId: '' })).rejects.toThrow(ConnectError);
      const invalid = serverSpan('IsRegistered');
      expect(invalid.attributes['rpc.grpc.status_code']).toBe(Code.InvalidArgument);
      expect(invalid.attributes['error.type']).toBe('INVALID_ARGUMENT');
      expect(invalid.status.code).toBe(SpanStatusCode.UNSET);

      // The server's fault: the ledger is down.
      r.ledger.setAvailable(false);
      try {
        await expect(client.getIpAssetStatus({ contentId: 'anything' })).rejects.toMatchObject({
          code: Code.Unavailable,
        });
      } finally {
        r.ledger.setAvailable(true);
      }
      const down = serverSpan('GetIpAssetStatus');
      expect(down.attributes['rpc.grpc.status_code']).toBe(Code.Unavailable);
      expect(down.status.code).toBe(SpanStatusCode.ERROR);
      expect(down.events.some((e) => e.name === 'exception')).toBe(true);
      const ledgerSpan = childrenOf(down).find((s) => s.name.startsWith('ledger.'));
      expect(ledgerSpan?.status.code).toBe(SpanStatusCode.ERROR);
      expect(ledgerSpan?.attributes['mystira.ledger.error']).toBe('UNAVAILABLE');
    });
  });

  it('traces a server stream (WatchTransactions) to its end, ledger reads inside it', async () => {
    const client = clientFor('grpc-web', r.baseUrl, { traceparent });
    const reg = await clientFor('grpc', r.baseUrl).registerIpAsset(registration());
    exporter.reset();
    r.ledger.mine(r.ledger.requiredConfirmations);
    for await (const _ of client.watchTransactions({
      transactionHashes: [reg.registrationTxHash as string],
    })) {
      // until final
    }
    const span = serverSpan('WatchTransactions');
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
    expect(span.attributes['rpc.grpc.status_code']).toBe(0);
    expect(childrenOf(span).some((s) => s.name === 'ledger.getTransaction')).toBe(true);
  });

  it('traces a client stream (BatchRegisterIpAssets), one ledger span per item inside it', async () => {
    const client = clientFor('grpc', r.baseUrl, { traceparent });
    async function* items() {
      yield registration();
      yield registration();
    }
    await client.batchRegisterIpAssets(items());
    const span = serverSpan('BatchRegisterIpAssets');
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
    expect(span.attributes['rpc.grpc.status_code']).toBe(0);
    expect(childrenOf(span).filter((s) => s.name === 'ledger.registerAsset')).toHaveLength(2);
  });

  it('calls onCall inside the call span, so access-log lines can carry its trace id', async () => {
    await clientFor('grpc', r.baseUrl, { traceparent }).getServiceInfo({});
    const span = serverSpan('GetServiceInfo');
    await expect
      .poll(() => activeInOnCall.get('/mystira.chain.v1.ChainService/GetServiceInfo'))
      .toBe(span.spanContext().spanId);
  });

  it('starts a new trace when the caller sends no context', async () => {
    await clientFor('grpc', r.baseUrl).getServiceInfo({});
    const span = serverSpan('GetServiceInfo');
    expect(span.parentSpanContext).toBeUndefined();
  });
});

describe('with a registered W3C propagator', () => {
  let r: Running;
  beforeAll(async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    r = await startServer({ telemetry });
  });
  afterAll(async () => {
    await r.close();
    propagation.disable();
  });

  it('extracts through the propagator, tracestate included', async () => {
    await clientFor('grpc', r.baseUrl, { traceparent, tracestate: 'vendor=abc' }).getServiceInfo(
      {},
    );
    const span = serverSpan('GetServiceInfo');
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
    expect(span.spanContext().traceState?.get('vendor')).toBe('abc');
  });
});

describe("a call's context", () => {
  const key = createContextKey('otel.test value');
  const procedure = '/mystira.chain.v1.ChainService/IsRegistered';

  it("behaves as the API's contexts do: values set, replaced and deleted make new contexts", () => {
    const scope = telemetry.startCall(procedure, 'grpc', () => undefined);
    scope.run(() => {
      const call = context.active();
      const span = trace.getSpan(call);
      expect(span?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      const one = call.setValue(key, 1);
      const two = one.setValue(key, 2);
      expect([call.getValue(key), one.getValue(key), two.getValue(key)]).toEqual([undefined, 1, 2]);
      const deleted = two.deleteValue(key);
      expect(deleted.getValue(key)).toBeUndefined();
      expect(trace.getSpan(deleted)).toBe(span);
      expect(trace.getSpan(trace.deleteSpan(two))).toBeUndefined();
      expect(two.getValue(key)).toBe(2);
    });
    scope.end(undefined);
  });

  it('carries what the registered propagator read (baggage) into the handler', () => {
    propagation.setGlobalPropagator(
      new CompositePropagator({
        propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
      }),
    );
    try {
      const headers: Record<string, string> = { traceparent, baggage: 'tenant=acme' };
      const scope = telemetry.startCall(procedure, 'grpc', (name) => headers[name]);
      scope.run(() => {
        expect(propagation.getActiveBaggage()?.getEntry('tenant')?.value).toBe('acme');
        expect(trace.getActiveSpan()?.spanContext().traceId).toBe(TRACE_ID);
      });
      scope.end(undefined);
    } finally {
      propagation.disable();
    }
  });
});

describe('Ledger.ip through wrapLedger', () => {
  const tracer = tracerProvider.getTracer('test');

  /** Runs `fn` in a parent span and returns the ledger spans started under it. */
  async function childSpans(fn: () => Promise<unknown>): Promise<ReadableSpan[]> {
    const parentId = await tracer.startActiveSpan('parent', async (parent) => {
      try {
        await fn().catch(() => {});
      } finally {
        parent.end();
      }
      return parent.spanContext().spanId;
    });
    return exporter.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === parentId);
  }

  it('makes every ip port method an INTERNAL ledger.ip.* child span with its ids', async () => {
    const fake = new FakeIpLedger();
    const ip = telemetry.wrapLedger(withIp(new DevnetLedger(), fake)).ip;
    if (!ip) throw new Error('the wrapper dropped ip');
    const spans = await childSpans(async () => {
      await ip.createCollection({ name: 'C', symbol: 'C', contractUri: '' });
      await ip.getCollection(FAKE_DEFAULT_COLLECTION);
      const terms = nonCommercialSocialRemixingTerms();
      const { licenseTermsId } = await ip.registerLicenseTerms(terms);
      await ip.getLicenseTerms(licenseTermsId as bigint);
      const asset = await ip.mintAndRegisterIpAsset({
        contentId: 'otel-content',
        royaltyShares: [],
        parents: [],
      });
      await ip.attachLicenseTerms({
        ipAssetId: asset.ipAssetId,
        licenseTermsId: licenseTermsId as bigint,
      });
      await ip.mintLicenseTokens({
        licensorIpAssetId: asset.ipAssetId,
        licenseTermsId: licenseTermsId as bigint,
        amount: 1,
        receiver: '',
      });
      await ip.getIpAsset({ ipAssetId: asset.ipAssetId });
      await ip.getIpAsset({ contentId: 'otel-content' });
    });
    const asset = await fake.getIpAsset({ contentId: 'otel-content' });
    const byName = (name: string) => spans.filter((s) => s.name === `ledger.ip.${name}`);
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'attachLicenseTerms',
        'createCollection',
        'getCollection',
        'getIpAsset',
        'getIpAsset',
        'getLicenseTerms',
        'mintAndRegisterIpAsset',
        'mintLicenseTokens',
        'registerLicenseTerms',
      ].map((n) => `ledger.ip.${n}`),
    );
    expect(spans.every((s) => s.kind === SpanKind.INTERNAL)).toBe(true);
    expect(byName('getCollection')[0]?.attributes).toEqual({
      'mystira.collection_address': FAKE_DEFAULT_COLLECTION,
    });
    expect(byName('getLicenseTerms')[0]?.attributes).toEqual({ 'mystira.license_terms_id': '1' });
    expect(byName('mintAndRegisterIpAsset')[0]?.attributes).toEqual({
      'mystira.content_id': 'otel-content',
    });
    for (const name of ['attachLicenseTerms', 'mintLicenseTokens']) {
      expect(byName(name)[0]?.attributes).toEqual({
        'mystira.ip_asset_id': asset?.ipAssetId,
        'mystira.license_terms_id': '1',
      });
    }
    expect(byName('getIpAsset').map((s) => s.attributes)).toEqual([
      { 'mystira.ip_asset_id': asset?.ipAssetId },
      { 'mystira.content_id': 'otel-content' },
    ]);
    // The port's own methods ran, each once, behind the wrapper.
    expect(fake.calls).toMatchObject({ createCollection: 1, mintAndRegisterIpAsset: 1 });
  });

  it('marks a failed ip call as an error span with the ledger error code', async () => {
    const ip = telemetry.wrapLedger(withIp(new DevnetLedger(), new FakeIpLedger())).ip;
    const write = ip?.mintAndRegisterIpAsset({
      contentId: 'down-1',
      royaltyShares: [],
      parents: [],
    });
    await expect(write).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const [span] = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'ledger.ip.mintAndRegisterIpAsset');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['mystira.ledger.error']).toBe('UNAVAILABLE');
  });

  it('makes ip calls through the server ledger.ip.* children of their call spans', async () => {
    const fake = new FakeIpLedger();
    const r = await startIpServer({ ip: fake, telemetry });
    try {
      const { collections } = ipClients('grpc', r.baseUrl, { traceparent });
      await collections.getCollection({ collectionAddress: FAKE_DEFAULT_COLLECTION });
      const call = exporter
        .getFinishedSpans()
        .find((s) => s.name === 'mystira.chain.ip.v1.CollectionService/GetCollection');
      expect(call?.spanContext().traceId).toBe(TRACE_ID);
      const [child] = exporter
        .getFinishedSpans()
        .filter((s) => s.parentSpanContext?.spanId === call?.spanContext().spanId);
      expect(child?.name).toBe('ledger.ip.getCollection');
    } finally {
      await r.close();
    }
  });

  it('leaves a ledger without ip without ip', () => {
    const wrapped = telemetry.wrapLedger(withIp(new DevnetLedger(), undefined));
    expect(wrapped.ip).toBeUndefined();
    expect('ip' in wrapped).toBe(false);
  });

  it('leaves the ledger as it is with ledgerSpans: false', () => {
    const ledger = withIp(new DevnetLedger(), new FakeIpLedger());
    expect(otelTelemetry({ ledgerSpans: false }).wrapLedger(ledger)).toBe(ledger);
  });
});

describe('rpc.server.duration', () => {
  it('is a histogram in ms by method and status code', async () => {
    const metric = await serverDuration();
    expect(metric?.descriptor.unit).toBe('ms');
    const registered = metric?.dataPoints.filter(
      (p) =>
        p.attributes['rpc.method'] === 'RegisterIpAsset' &&
        p.attributes['rpc.grpc.status_code'] === 0,
    );
    expect(registered?.reduce((n, p) => n + p.value.count, 0)).toBeGreaterThanOrEqual(8);
    const unavailable = metric?.dataPoints.find(
      (p) => p.attributes['rpc.grpc.status_code'] === Code.Unavailable,
    );
    expect(unavailable?.value.count).toBeGreaterThan(0);
  });
});

describe('rpc.server.duration aggregated by the host (histogram option)', () => {
  it('asks the factory once, each series once, and records every call in its series', async () => {
    const specs: { name: string; unit: string; scope: string; boundaries: readonly number[] }[] =
      [];
    const series = new Map<string, number[]>();
    let asked = 0;
    const own = otelTelemetry({
      tracer: tracerProvider.getTracer('test'),
      histogram: (name, spec) => {
        specs.push({ name, ...spec });
        return (attributes) => {
          asked++;
          const values: number[] = [];
          series.set(`${attributes['rpc.method']}/${attributes['rpc.grpc.status_code']}`, values);
          expect(attributes).toMatchObject({
            'rpc.system': 'grpc',
            'rpc.service': 'mystira.chain.v1.ChainService',
          });
          return (value) => values.push(value);
        };
      },
    });
    const r = await startServer({ fastPath: true, telemetry: own });
    try {
      const client = clientFor('grpc', r.baseUrl);
      for (let i = 0; i < 3; i++) await client.isRegistered({ contentId: `h-${i}` });
      await client.registerIpAsset(registration());
    } finally {
      await r.close();
    }
    expect(specs).toEqual([
      expect.objectContaining({
        name: 'rpc.server.duration',
        unit: 'ms',
        scope: '@mystira/chain-server',
      }),
    ]);
    expect(series.get('IsRegistered/0')).toHaveLength(3);
    expect(series.get('RegisterIpAsset/0')).toHaveLength(1);
    expect(asked).toBe(2);
    expect(series.get('IsRegistered/0')?.every((ms) => ms >= 0)).toBe(true);
  });
});

describe('with parent-based sampling', () => {
  // Roots are never sampled; a caller's sampled flag is followed.
  const sampledProvider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  let r: Running;
  beforeAll(async () => {
    r = await startServer({
      fastPath: true,
      telemetry: otelTelemetry({
        tracer: sampledProvider.getTracer('test'),
        meter: meterProvider.getMeter('test'),
      }),
    });
  });
  afterAll(async () => {
    await r.close();
    await sampledProvider.shutdown();
  });

  it('records nothing for a call left out, its ledger calls included; it still counts in the histogram', async () => {
    const before = await durationCount('RegisterIpAsset');
    await clientFor('grpc', r.baseUrl).registerIpAsset(registration());
    await clientFor('grpc', r.baseUrl, { traceparent: `00-${TRACE_ID}-${PARENT}-00` }).isRegistered(
      { contentId: 'unsampled' },
    );
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(await durationCount('RegisterIpAsset')).toBe(before + 1);
  });

  it('records a sampled call whole: its attributes, and its ledger calls as children', async () => {
    await clientFor('grpc', r.baseUrl, { traceparent }).registerIpAsset(registration());
    const span = serverSpan('RegisterIpAsset');
    expect(span.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.method': 'RegisterIpAsset',
      'mystira.rpc.protocol': 'grpc',
      'rpc.grpc.status_code': 0,
    });
    const ledger = childrenOf(span).find((s) => s.name === 'ledger.registerAsset');
    expect(ledger?.attributes['mystira.content_id']).toBeTypeOf('string');
  });
});

/** The rpc.server.duration histogram, collected now. */
async function serverDuration(): Promise<HistogramMetricData | undefined> {
  return (await reader.metric('rpc.server.duration')) as HistogramMetricData | undefined;
}

/** How many calls of `method` rpc.server.duration has counted so far (OK ones). */
async function durationCount(method: string): Promise<number> {
  const metric = await serverDuration();
  return (metric?.dataPoints ?? [])
    .filter(
      (p) => p.attributes['rpc.method'] === method && p.attributes['rpc.grpc.status_code'] === 0,
    )
    .reduce((n, p) => n + p.value.count, 0);
}

describe('the main entry', () => {
  it('never loads @opentelemetry/api (an optional peer dependency)', () => {
    for (const file of ['index.js', 'index.cjs']) {
      const code = readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
      expect(code).not.toContain('@opentelemetry/api');
    }
  });
});
