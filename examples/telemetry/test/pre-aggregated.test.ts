/**
 * Histograms aggregated in-process report what the SDK's meter reports for the same values, and
 * reach /metrics through setupTelemetry's Prometheus reader.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type HistogramMetricData,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PreAggregatedHistograms } from '../src/pre-aggregated.ts';
import { setupTelemetry } from '../src/setup.ts';

const BOUNDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const VALUES = [0.05, 0.1, 0.1000001, 0.3, 0.3, 1, 7, 10, 11, 1e6, 0];

async function sdkHistogram(values: number[]) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1e9 });
  const provider = new MeterProvider({ readers: [reader] });
  const h = provider.getMeter('m').createHistogram('d', {
    unit: 'ms',
    advice: { explicitBucketBoundaries: BOUNDS },
  });
  for (const v of values) h.record(v, { 'rpc.method': 'A', 'rpc.grpc.status_code': 0 });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics.scopeMetrics[0]?.metrics[0] as HistogramMetricData;
}

describe('PreAggregatedHistograms', () => {
  it('counts, sums and buckets as the SDK histogram does, one series per attribute set', async () => {
    const produced = new PreAggregatedHistograms(resourceFromAttributes({}));
    const series = produced.histogram('d', {
      description: '',
      unit: 'ms',
      boundaries: BOUNDS,
      scope: 's',
    });
    const record = series({ 'rpc.method': 'A', 'rpc.grpc.status_code': 0 });
    // The same set, keys in another order: the same series.
    const again = series({ 'rpc.grpc.status_code': 0, 'rpc.method': 'A' });
    for (const [i, v] of VALUES.entries()) (i % 2 ? record : again)(v);
    series({ 'rpc.method': 'B' }); // asked for, never recorded: not reported

    const { resourceMetrics } = await produced.collect();
    expect(resourceMetrics.scopeMetrics.map((s) => s.scope.name)).toEqual(['s']);
    const ours = resourceMetrics.scopeMetrics[0]?.metrics[0] as HistogramMetricData;
    const sdk = await sdkHistogram(VALUES);
    expect(ours.descriptor).toMatchObject({ name: 'd', unit: 'ms' });
    expect(ours.dataPointType).toBe(sdk.dataPointType);
    expect(ours.aggregationTemporality).toBe(sdk.aggregationTemporality);
    expect(ours.dataPoints).toHaveLength(1);
    expect(ours.dataPoints[0]?.attributes).toEqual(sdk.dataPoints[0]?.attributes);
    const { value } = ours.dataPoints[0] as (typeof ours.dataPoints)[number];
    const expected = (sdk.dataPoints[0] as (typeof sdk.dataPoints)[number]).value;
    expect(value.buckets).toEqual(expected.buckets);
    expect([value.count, value.min, value.max]).toEqual([
      expected.count,
      expected.min,
      expected.max,
    ]);
    expect(value.sum).toBeCloseTo(expected.sum as number, 9);
  });

  it('is served on /metrics by setupTelemetry', async () => {
    const own = setupTelemetry({ serviceName: 'pre-aggregated', registerGlobally: false, env: {} });
    try {
      const record = own.histogram('rpc.server.duration', {
        description: 'Duration of inbound RPCs.',
        unit: 'ms',
        boundaries: BOUNDS,
        scope: '@mystira/chain-server',
      })({ 'rpc.method': 'IsRegistered', 'rpc.grpc.status_code': 0 });
      record(0.2);
      record(3);
      const text = await own.prometheusText();
      expect(text).toMatch(/rpc_server_duration\w*_count\{[^}]*rpc_method="IsRegistered"[^}]*\} 2/);
      expect(text).toMatch(/rpc_server_duration\w*_bucket\{[^}]*le="0.25"[^}]*\} 1/);
    } finally {
      await own.shutdown();
    }
  });
});
