/**
 * Benchmarks never run in the tests, but their quick `--smoke` mode does, so that they cannot
 * rot: every bench/*.bench.ts must still start, measure both sides and report.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { root, run } from './lib/tools.js';

it('every benchmark runs in smoke mode and reports a comparison', () => {
  const result = run(process.execPath, ['bench/run.ts', '--smoke']);
  expect(result.status, result.stderr).toBe(0);
  const report = JSON.parse(readFileSync(join(root, 'bench/results/smoke.json'), 'utf8'));
  const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts'));
  expect(report.reports).toHaveLength(benches.length);
  for (const r of report.reports) expect(r.comparisons.length, r.name).toBeGreaterThan(0);
}, 600_000);
