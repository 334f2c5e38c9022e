/**
 * `npm run bench` (or `npm run bench -- --smoke`): runs every bench/*.bench.ts in its own Node
 * process, one after another, and writes bench/results/latest.md and latest.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport, Comparison } from './lib/report.ts';

const here = import.meta.dirname;
const args = process.argv.slice(2);
const filter = args.find((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

const reports: BenchReport[] = [];
let failed = 0;
for (const [i, file] of files.entries()) {
  process.stderr.write(`[${i + 1}/${files.length}] ${file}\n`);
  const run = spawnSync(process.execPath, [join(here, file), ...args], {
    cwd: here,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{')) {
    failed++;
    process.stderr.write(`  ✗ ${file} failed (exit ${run.status})\n${run.stdout}\n`);
    continue;
  }
  reports.push(JSON.parse(last) as BenchReport);
}

function ratio(c: Comparison): number {
  return c.higherIsBetter ? c.ours / c.baseline : c.baseline / c.ours;
}
function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

const lines = [
  '# Benchmark report',
  '',
  `Node ${process.version}, ${new Date().toISOString()}${args.includes('--smoke') ? ' (smoke run: figures are not meaningful)' : ''}.`,
  'Ratio: how many times better ours is than the alternative (> 1 is better), measured in the same run.',
  '',
];
for (const report of reports) {
  lines.push(
    `## ${report.name}`,
    '',
    '| metric | ours | alternative | ratio | bar |',
    '|---|---|---|---|---|',
  );
  for (const c of report.comparisons) {
    const bar = c.bar ? `${c.bar.text}: ${ratio(c) >= c.bar.ratio ? 'met' : '**not met**'}` : '';
    lines.push(
      `| ${c.metric} | ${fmt(c.ours)} ${c.unit} | ${fmt(c.baseline)} ${c.unit} (${c.baselineName}) | ${fmt(ratio(c))}× | ${bar} |`,
    );
  }
  for (const note of report.notes ?? []) lines.push('', note);
  lines.push('');
}
// A smoke run only proves the benchmarks still work; it never replaces the real report.
const base = args.includes('--smoke') ? 'smoke' : 'latest';
const out = join(here, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `${base}.md`), `${lines.join('\n')}\n`);
writeFileSync(
  join(out, `${base}.json`),
  `${JSON.stringify({ node: process.version, reports }, null, 2)}\n`,
);
process.stderr.write(
  `wrote bench/results/${base}.md (${reports.length} reports, ${failed} failed)\n`,
);
process.exit(failed ? 1 : 0);
