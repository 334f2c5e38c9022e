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
const VALUE_FLAGS = new Set(
  [
    'cpu-prof',
    'grpc-timeout',
    'levels',
    'other-build',
    'per-round',
    'ratio',
    'read-seconds',
    'round-seconds',
    'rounds',
    'rows',
    'slice-seconds',
    'soak-minutes',
  ].map((name) => `--${name}`),
);
const filter = args.find((a, i) => !a.startsWith('--') && !VALUE_FLAGS.has(args[i - 1] ?? ''));
const smokeRun = args.includes('--smoke');
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .filter((f) => !(args.includes('--no-soak') && f === 'soak.bench.ts'))
  .sort();

/**
 * CPU time the hypervisor gave to other guests ("steal", from /proc/stat), as a share of all CPU
 * time since `since`. On a shared VM it comes in bursts that slow everything down; a benchmark
 * run through one is not comparable with one run on a quiet machine, so the report says so.
 */
function cpuTimes(): { steal: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1);
    const ticks = (fields ?? []).map(Number);
    return { steal: ticks[7] ?? 0, total: ticks.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined; // not Linux
  }
}
function stolenPercent(since: ReturnType<typeof cpuTimes>): number | undefined {
  const now = cpuTimes();
  if (!since || !now || now.total === since.total) return undefined;
  return (100 * (now.steal - since.steal)) / (now.total - since.total);
}

const reports: BenchReport[] = [];
let failed = 0;
const durations = new Map<string, number>();
const stolen = new Map<string, number>();
const startedAt = Date.now();
for (const [i, file] of files.entries()) {
  process.stderr.write(`[${i + 1}/${files.length}] ${file}\n`);
  const benchStart = Date.now();
  const cpuAtStart = cpuTimes();
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
  const steal = stolenPercent(cpuAtStart);
  if (steal !== undefined) stolen.set(report.name, steal);
  process.stderr.write(
    `  ✓ ${file} in ${((Date.now() - benchStart) / 1000).toFixed(0)} s${steal !== undefined && steal >= 1 ? ` (${steal.toFixed(0)} % of CPU time stolen by the hypervisor)` : ''}\n`,
  );
  reports.push(report);
}

// A filtered full run (`npm run bench -- slo`) updates its sections of the last report and keeps
// the others, so one benchmark can be re-measured without re-running all of them.
const out = join(here, 'results');
const merged = !smokeRun && filter !== undefined && existsSync(join(out, 'latest.json'));
if (merged) {
  const previous = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
    reports: (BenchReport & { seconds?: number; stolenPercent?: number })[];
  };
  const fresh = new Map(reports.map((r) => [r.name, r]));
  const kept = previous.reports.filter((r) => !fresh.has(r.name));
  for (const r of kept) {
    if (r.seconds !== undefined) durations.set(r.name, r.seconds);
    if (r.stolenPercent !== undefined) stolen.set(r.name, r.stolenPercent);
  }
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
/**
 * A report's notes, a blank line after each, except between two rows of one Markdown table (a
 * note that starts with `|`), which a blank line would cut in two.
 */
function pushNotes(lines: string[], notes: readonly string[] | undefined): void {
  for (const note of notes ?? []) {
    if (note.startsWith('|') && lines.at(-2)?.startsWith('|') && lines.at(-1) === '') lines.pop();
    lines.push(note, '');
  }
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
  const steal = stolen.get(report.name);
  if (took !== undefined) {
    lines.push(
      `_${took.toFixed(0)} s${steal !== undefined ? `; CPU time stolen by the hypervisor meanwhile: ${steal.toFixed(1)} %${steal >= 5 ? ' (figures slowed by other guests on the host)' : ''}` : ''}_`,
      '',
    );
  }
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
    pushNotes(lines, report.notes);
    continue;
  }
  lines.push('| metric | ours | alternative | ratio | bar |', '|---|---|---|---|---|');
  for (const c of report.comparisons) {
    const bar = c.bar ? `${c.bar.text}: ${ratio(c) >= c.bar.ratio ? 'met' : '**not met**'}` : '';
    lines.push(
      `| ${c.metric} | ${fmt(c.ours)} ${c.unit} | ${fmt(c.baseline)} ${c.unit} (${c.baselineName}) | ${fmt(ratio(c))}× | ${bar} |`,
    );
  }
  lines.push('');
  pushNotes(lines, report.notes);
}
writeFileSync(join(out, `${base}.md`), `${lines.join('\n')}\n`);
writeFileSync(
  join(out, `${base}.json`),
  `${JSON.stringify({ node: process.version, reports: reports.map((r) => ({ ...r, seconds: durations.get(r.name), stolenPercent: stolen.get(r.name) })) }, null, 2)}\n`,
);
process.stderr.write(
  `wrote bench/results/${base}.md (${reports.length} reports, ${failed} failed)\n`,
);
process.exit(failed ? 1 : 0);
