/**
 * Benchmarks never run in the tests, but their quick `--smoke` mode does, so that they cannot
 * rot: every bench/*.bench.ts must still start, measure both sides (or its targets) and report,
 * and the SVG charts must be drawn. The soak's smoke run is about 10 s.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { root, run } from './lib/tools.js';

it('every benchmark runs in smoke mode and reports a comparison', () => {
  const result = run(process.execPath, ['bench/run.ts', '--smoke']);
  expect(result.status, result.stderr).toBe(0);
  const report = JSON.parse(readFileSync(join(root, 'bench/results/smoke.json'), 'utf8'));
  const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts'));
  expect(report.reports).toHaveLength(benches.length);
  for (const r of report.reports) {
    // Each reports a comparison with its alternative, or (the soak) absolute targets.
    expect(r.comparisons.length + (r.targets?.length ?? 0), r.name).toBeGreaterThan(0);
    // Every chart a report asks for is drawn, and linked from the Markdown report.
    for (const chart of r.charts ?? []) {
      const svg = readFileSync(join(root, `bench/results/smoke-charts/${chart.file}.svg`), 'utf8');
      expect(svg, chart.file).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg, chart.file).not.toContain('NaN');
    }
  }
  const markdown = readFileSync(join(root, 'bench/results/smoke.md'), 'utf8');
  expect(markdown).toContain('## Service-level targets');
  for (const link of markdown.matchAll(/\]\((smoke-charts\/[^)]+\.svg)\)/g))
    expect(existsSync(join(root, 'bench/results', link[1] as string)), link[1]).toBe(true);
}, 600_000);
