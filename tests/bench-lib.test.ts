/**
 * The deterministic parts of the benchmark tooling: the open-loop generator's schedule, percentiles
 * and accounting (drops, errors, latency from the intended send time), the Zipf sampler, and the
 * SVG charts. No timing is asserted beyond lower bounds that hold on any machine.
 */
import { describe, expect, it } from 'vitest';
import {
  intendedTime,
  leastSquaresSlope,
  percentile,
  runOpenLoop,
  seededRandom,
  summarize,
  zipfSampler,
} from '../bench/lib/open-loop.js';
import { barChart, escapeXml, lineChart, niceTicks } from '../bench/lib/svg.js';

describe('open-loop generator', () => {
  it('schedules arrivals at fixed intervals', () => {
    expect(intendedTime(0, 5000)).toBe(0);
    expect(intendedTime(5000, 5000)).toBe(1000);
    expect(intendedTime(3, 200)).toBe(15);
  });

  it('takes nearest-rank percentiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 1)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(new Float64Array(0), 0.5)).toBe(0);
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ count: 5, mean: 3, p50: 3, max: 5 });
  });

  it('sends rate × duration requests and counts failures as errors', async () => {
    const result = await runOpenLoop({
      ratePerSecond: 400,
      durationMs: 500,
      maxInFlight: 1000,
      send: async (i) => {
        if (i % 10 === 0) throw new Error('every tenth fails');
      },
    });
    expect(result.intended).toBe(200);
    expect(result.errors).toBe(20);
    expect(result.ok).toBe(180);
    expect(result.latencies).toHaveLength(180); // every success's latency, for pooling runs
    expect(result.dropped).toBe(0);
    expect(result.errorMessages).toEqual(['every tenth fails']);
    expect(result.series).toHaveLength(1);
    expect(result.series[0]).toMatchObject({ second: 0, intended: 200, ok: 180, errors: 20 });
  });

  it('drops arrivals beyond the in-flight bound and counts them as errors', async () => {
    const hang = new Promise<void>(() => {});
    const result = await runOpenLoop({
      ratePerSecond: 1000,
      durationMs: 100,
      maxInFlight: 10,
      drainTimeoutMs: 10,
      send: () => hang,
    });
    expect(result.intended).toBe(100);
    expect(result.dropped).toBe(90);
    // The 10 that never answered count too.
    expect(result.errors).toBe(100);
    expect(result.ok).toBe(0);
  });

  it('charges a stall to every request that was due during it (no coordinated omission)', async () => {
    const stallMs = 200;
    const result = await runOpenLoop({
      ratePerSecond: 500,
      durationMs: 600,
      maxInFlight: 10_000,
      send: async (i) => {
        // Request 50 (due at 100 ms) blocks this process for 200 ms: a closed loop would simply
        // send nothing meanwhile and report one slow request; here the ~100 requests due during
        // the stall are late too.
        if (i === 50) {
          const until = performance.now() + stallMs;
          while (performance.now() < until) {}
        }
      },
    });
    expect(result.ok).toBe(300);
    expect(result.latency.max).toBeGreaterThanOrEqual(stallMs * 0.9);
    // The requests due in the first 150 ms of the stall (a quarter of the run) are each more than
    // 50 ms late, so p90 is too; a closed loop would have reported one slow request.
    expect(result.latency.p90).toBeGreaterThan(stallMs / 4);
  });

  it('fits a least-squares slope (the growth trend of the soak)', () => {
    expect(
      leastSquaresSlope([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
    ).toBeCloseTo(2);
    expect(
      leastSquaresSlope([
        [0, 5],
        [1, 4],
        [2, 6],
        [3, 5],
      ]),
    ).toBeCloseTo(0.2);
    expect(leastSquaresSlope([[1, 1]])).toBe(0);
    expect(
      leastSquaresSlope([
        [1, 1],
        [1, 2],
      ]),
    ).toBe(0);
  });

  it('samples Zipf ranks repeatably, the most popular first', () => {
    const a = zipfSampler(1000, 1, seededRandom(7));
    const b = zipfSampler(1000, 1, seededRandom(7));
    const counts = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const k = a();
      expect(k).toBe(b());
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(1000);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.get(0) ?? 0).toBeGreaterThan(counts.get(9) ?? 0);
    expect(counts.get(0) ?? 0).toBeGreaterThan(20_000 / 20);
  });
});

describe('SVG charts', () => {
  it('picks nice ticks that cover the range', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0.2, 0.9)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    const flat = niceTicks(5, 5);
    expect(flat[0]).toBeLessThanOrEqual(5);
    expect(flat.at(-1)).toBeGreaterThanOrEqual(5);
  });

  it('draws a line chart with axes, a legend, thresholds and escaped labels', () => {
    const svg = lineChart({
      kind: 'line',
      title: 'RSS <over> time',
      xLabel: 'seconds',
      yLabel: 'MB',
      series: [
        {
          name: 'rss',
          points: [
            [0, 50],
            [1, 52],
            [2, 51],
          ],
        },
        {
          name: 'heap & co',
          points: [
            [0, 20],
            [2, 22],
          ],
        },
      ],
      thresholds: [{ label: 'limit', y: 60 }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('RSS &lt;over&gt; time');
    expect(svg).toContain('heap &amp; co');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('>seconds<');
    expect(svg).not.toContain('NaN');
  });

  it('draws one bar per series in every group', () => {
    const svg = barChart({
      kind: 'bar',
      title: 'latency',
      yLabel: 'ms',
      groups: ['grpc', 'connect', 'grpc-js'],
      series: [
        { name: 'p50', values: [1, 2, 3] },
        { name: 'p99', values: [4, 5, 6] },
      ],
    });
    // 6 bars + 2 legend swatches + the background.
    expect(svg.match(/<rect /g)).toHaveLength(9);
    expect(svg).toContain('grpc-js p99: 6');
    expect(svg).not.toContain('NaN');
    expect(escapeXml('"a" < b')).toBe('&quot;a&quot; &lt; b');
  });
});
