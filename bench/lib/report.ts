/**
 * What every benchmark in bench/ reports. A benchmark is a `*.bench.ts` file that Node runs
 * directly (type stripping, no build step); it imports the built packages, measures ours and the
 * alternative in the same process tree, writes progress to stderr, and ends with `emit()`.
 */
import type { ChartSpec } from './svg.ts';
export interface Comparison {
  /** What was measured, e.g. "encode RegisterIpAssetRequest (ops/s)". */
  metric: string;
  /** Our figure. */
  ours: number;
  /** The alternative's figure, measured in the same run. */
  baseline: number;
  /** What the alternative is, e.g. "hand-written filter+sort". */
  baselineName: string;
  unit: string;
  /** Whether a larger figure is better (throughput) or smaller is (latency, bytes). */
  higherIsBetter: boolean;
  /** The bar an issue set, as a ratio ours/baseline, if any. */
  bar?: { ratio: number; text: string };
}

/** An absolute service-level target (not a ratio to an alternative), e.g. "p99 < 40 ms". */
export interface Target {
  /** What was measured, e.g. "Chain server, 5,000 unary req/s for 30 s: p99". */
  metric: string;
  value: number;
  unit: string;
  comparator: '<' | '<=' | '>' | '>=';
  limit: number;
}

/** A chart to draw into bench/results/charts/<file>.svg and link from the report. */
export type ReportChart = ChartSpec & { file: string };

export interface BenchReport {
  name: string;
  comparisons: Comparison[];
  targets?: Target[];
  charts?: ReportChart[];
  notes?: string[];
}

export function targetMet(t: Target): boolean {
  switch (t.comparator) {
    case '<':
      return t.value < t.limit;
    case '<=':
      return t.value <= t.limit;
    case '>':
      return t.value > t.limit;
    case '>=':
      return t.value >= t.limit;
  }
}

/** The value of `--name <value>` on the command line, if given. */
export function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** True when the runner asked for a quick run (seconds) that only proves the benchmark works. */
export const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

export function progress(message: string): void {
  process.stderr.write(`  … ${message}\n`);
}

/** Prints the report as the last stdout line, where bench/run.ts reads it. */
export function emit(report: BenchReport): void {
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export async function opsPerSecond(fn: () => unknown, ms = smoke ? 50 : 1000): Promise<number> {
  for (let i = 0; i < 100; i++) await fn(); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 50; i++) await fn();
    ops += 50;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}
