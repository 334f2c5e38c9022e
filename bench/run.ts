/**
 * `npm run bench` (or `npm run bench -- --smoke`): runs every bench/*.bench.ts in its own Node
 * process, one after another, and writes bench/results/latest.md and latest.json, with the SVG
 * charts the benchmarks ask for in bench/results/charts/.
 *
 * Flags (passed on to every benchmark): `--smoke` (seconds; writes smoke.* and smoke-charts/
 * instead), `--no-soak` (skip soak.bench.ts), `--soak-minutes <n>` (default 10). A bare word
 * runs only the benchmarks whose file name contains it and replaces just their sections of the
 * last report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchReport, type Comparison, type Target, targetMet } from './lib/report.ts';
import { renderChart } from './lib/svg.ts';

const here = import.meta.dirname;
const args = process.argv.slice(2);
/** Flags that take a value, so the value is not mistaken for a file filter. */
const VALUE_FLAGS = new Set(['--soak-minutes']);
const filter = args.find((a, i) => !a.startsWith('--') && !VALUE_FLAGS.has(args[i - 1] ?? ''));
const smokeRun = args.includes('--smoke');
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .filter((f) => !(args.includes('--no-soak') && f === 'soak.bench.ts'))
  .sort();

const reports: BenchReport[] = [];
let failed = 0;
const durations = new Map<string, number>();
const startedAt = Date.now();
for (const [i, file] of files.entries()) {
  process.stderr.write(`[${i + 1}/${files.length}] ${file}\n`);
  const benchStart = Date.now();
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
  const report = JSON.parse(last) as BenchReport;
  durations.set(report.name, (Date.now() - benchStart) / 1000);
  process.stderr.write(`  ✓ ${file} in ${((Date.now() - benchStart) / 1000).toFixed(0)} s\n`);
  reports.push(report);
}

// A filtered full run (`npm run bench -- slo`) updates its sections of the last report and keeps
// the others, so one benchmark can be re-measured without re-running all of them.
const out = join(here, 'results');
const merged = !smokeRun && filter !== undefined && existsSync(join(out, 'latest.json'));
if (merged) {
  const previous = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
    reports: (BenchReport & { seconds?: number })[];
  };
  const fresh = new Map(reports.map((r) => [r.name, r]));
  const kept = previous.reports.filter((r) => !fresh.has(r.name));
  for (const r of kept) if (r.seconds !== undefined) durations.set(r.name, r.seconds);
  // The previous order, with the re-run reports in their old places (new ones at the end).
  const order = previous.reports.map((r) => r.name);
  reports.push(...kept);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  reports.sort((a, b) => rank(a.name) - rank(b.name));
}

function ratio(c: Comparison): number {
  return c.higherIsBetter ? c.ours / c.baseline : c.baseline / c.ours;
}
function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n === 0 ? '0' : n.toPrecision(3);
}
function targetRow(t: Target): string {
  return `| ${t.metric} | ${fmt(t.value)} ${t.unit} | ${t.comparator} ${fmt(t.limit)} ${t.unit} | ${targetMet(t) ? 'met' : '**not met**'} |`;
}

// A smoke run only proves the benchmarks still work; it never replaces the real report.
const base = smokeRun ? 'smoke' : 'latest';
const chartDir = smokeRun ? 'smoke-charts' : 'charts';
// A filtered run keeps the charts of the benchmarks it did not run.
if (!filter) rmSync(join(out, chartDir), { recursive: true, force: true });
mkdirSync(join(out, chartDir), { recursive: true });

const lines = [
  '# Benchmark report',
  '',
  `Node ${process.version}, ${new Date().toISOString()}${smokeRun ? ' (smoke run: figures are not meaningful)' : ''}; whole run ${((Date.now() - startedAt) / 60000).toFixed(1)} min${merged ? ` (only the benchmarks matching "${filter}"; the other sections are from the previous report)` : ''}.`,
  'Ratio: how many times better ours is than the alternative (> 1 is better), measured in the same run.',
  '',
];
const allTargets = reports.flatMap((r) => r.targets ?? []);
if (allTargets.length > 0) {
  lines.push(
    '## Service-level targets',
    '',
    '| target | measured | limit | |',
    '|---|---|---|---|',
    ...allTargets.map(targetRow),
    '',
  );
}
for (const report of reports) {
  lines.push(`## ${report.name}`, '');
  const took = durations.get(report.name);
  if (took !== undefined) lines.push(`_${took.toFixed(0)} s_`, '');
  if (report.targets?.length) {
    lines.push('| target | measured | limit | |', '|---|---|---|---|');
    lines.push(...report.targets.map(targetRow), '');
  }
  for (const chart of report.charts ?? []) {
    const { file, ...spec } = chart;
    writeFileSync(join(out, chartDir, `${file}.svg`), renderChart(spec));
    lines.push(`![${spec.title}](${chartDir}/${file}.svg)`, '');
  }
  if (report.comparisons.length === 0) {
    for (const note of report.notes ?? []) lines.push(note, '');
    continue;
  }
  lines.push('| metric | ours | alternative | ratio | bar |', '|---|---|---|---|---|');
  for (const c of report.comparisons) {
    const bar = c.bar ? `${c.bar.text}: ${ratio(c) >= c.bar.ratio ? 'met' : '**not met**'}` : '';
    lines.push(
      `| ${c.metric} | ${fmt(c.ours)} ${c.unit} | ${fmt(c.baseline)} ${c.unit} (${c.baselineName}) | ${fmt(ratio(c))}× | ${bar} |`,
    );
  }
  for (const note of report.notes ?? []) lines.push('', note);
  lines.push('');
}
writeFileSync(join(out, `${base}.md`), `${lines.join('\n')}\n`);
writeFileSync(
  join(out, `${base}.json`),
  `${JSON.stringify({ node: process.version, reports: reports.map((r) => ({ ...r, seconds: durations.get(r.name) })) }, null, 2)}\n`,
);
process.stderr.write(
  `wrote bench/results/${base}.md (${reports.length} reports, ${failed} failed)\n`,
);
process.exit(failed ? 1 : 0);
