/**
 * Small hand-written SVG charts for the benchmark report: a line chart (time series) and a grouped
 * bar chart (percentiles per contender). Plain strings, no browser and no charting dependency, so
 * the report can be written anywhere `npm run bench` runs and read in any Markdown viewer.
 */

export interface LineSeries {
  name: string;
  /** [x, y] pairs in x order. */
  points: Array<[number, number]>;
}

export interface LineChartSpec {
  kind: 'line';
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Horizontal reference lines (a target, a threshold), drawn dashed and labelled. */
  thresholds?: Array<{ label: string; y: number }>;
  /** Shaded x ranges (an outage, a phase), labelled at the top. */
  bands?: Array<{ label: string; from: number; to: number }>;
  /** Start the y axis at zero (default true). */
  yFromZero?: boolean;
  /** Top of the y axis at least this (e.g. 100 for a percentage). */
  yMax?: number;
}

export interface BarChartSpec {
  kind: 'bar';
  title: string;
  yLabel: string;
  /** The groups along the x axis, e.g. the contenders. */
  groups: string[];
  /** One bar per series in every group, e.g. p50 / p90 / p99; values[i] belongs to groups[i]. */
  series: Array<{ name: string; values: number[] }>;
}

export type ChartSpec = LineChartSpec | BarChartSpec;

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { top: 40, right: 20, bottom: 70, left: 70 };
// Colour-blind-safe palette (Okabe–Ito).
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442'];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * "Nice" axis ticks covering [min, max]: steps of 1, 2 or 5 × 10^k, about `count` of them, the
 * first at or below min and the last at or above max.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) {
    const pad = max === 0 ? 1 : Math.abs(max) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 0.999; v += step) ticks.push(roundTo(v, step));
  return ticks;
}

function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return Number(v.toFixed(decimals));
}

export function formatTick(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${roundTo(v / 1e6, 0.01)}M`;
  if (abs >= 1e4) return `${roundTo(v / 1e3, 0.1)}k`;
  return String(roundTo(v, abs >= 100 || v === 0 ? 1 : abs >= 1 ? 0.01 : 0.0001));
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const plotW = WIDTH - MARGIN.left - MARGIN.right;
const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** Y axis with grid lines and its label; returns the elements and the value → pixel mapping. */
function yAxis(ticks: number[], label: string): { parts: string[]; y: (v: number) => number } {
  const lo = ticks[0] as number;
  const hi = ticks[ticks.length - 1] as number;
  const y = (v: number) => MARGIN.top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${f(y(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(label)}</text>`,
  );
  return { parts, y };
}

/** Legend along the bottom edge. */
function legend(names: string[]): string[] {
  const parts: string[] = [];
  let x = MARGIN.left;
  const y = HEIGHT - 14;
  for (const [i, name] of names.entries()) {
    const colour = COLOURS[i % COLOURS.length];
    parts.push(
      `<rect x="${x}" y="${y - 9}" width="12" height="10" fill="${colour}"/>`,
      `<text x="${x + 16}" y="${y}">${escapeXml(name)}</text>`,
    );
    x += 28 + name.length * 7;
  }
  return parts;
}

export function lineChart(spec: LineChartSpec): string {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  for (const t of spec.thresholds ?? []) ys.push(t.y);
  // The x axis starts at 0 for non-negative data and ends just past the last point.
  const xTicks = xs.length ? niceTicks(Math.min(...xs, 0), Math.max(...xs)) : [0, 1];
  const yMin = spec.yFromZero === false ? Math.min(...ys) : Math.min(0, ...ys);
  const yTicks = niceTicks(yMin, Math.max(...ys, spec.yMax ?? yMin + 1e-9));
  const xLo = xTicks[0] as number;
  const xHi = xTicks[xTicks.length - 1] as number;
  const x = (v: number) => MARGIN.left + ((v - xLo) / (xHi - xLo || 1)) * plotW;
  const axis = yAxis(yTicks, spec.yLabel);
  const parts = [...axis.parts];
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
  );
  for (const t of xTicks) {
    parts.push(
      `<text x="${f(x(t))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 34}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
  );
  for (const b of spec.bands ?? []) {
    parts.push(
      `<rect x="${f(x(b.from))}" y="${MARGIN.top}" width="${f(x(b.to) - x(b.from))}" height="${plotH}" fill="#999" fill-opacity="0.15"/>`,
      `<text x="${f((x(b.from) + x(b.to)) / 2)}" y="${MARGIN.top + 14}" text-anchor="middle" fill="#555">${escapeXml(b.label)}</text>`,
    );
  }
  for (const [i, t] of (spec.thresholds ?? []).entries()) {
    // Labels alternate right and left, so two close thresholds stay readable.
    const right = i % 2 === 0;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${f(axis.y(t.y))}" y2="${f(axis.y(t.y))}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${right ? MARGIN.left + plotW - 4 : MARGIN.left + 4}" y="${f(axis.y(t.y) - 4)}" text-anchor="${right ? 'end' : 'start'}" fill="#c00">${escapeXml(t.label)}</text>`,
    );
  }
  for (const [i, s] of spec.series.entries()) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([px, py], k) => `${k ? 'L' : 'M'}${f(x(px))} ${f(axis.y(py))}`);
    const colour = COLOURS[i % COLOURS.length];
    parts.push(
      `<path d="${d.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"><title>${escapeXml(s.name)}</title></path>`,
    );
    // Few points (steps, a short run): mark each, so a single point is visible too.
    if (s.points.length <= 40) {
      for (const [px, py] of s.points)
        parts.push(`<circle cx="${f(x(px))}" cy="${f(axis.y(py))}" r="3" fill="${colour}"/>`);
    }
  }
  parts.push(...legend(spec.series.map((s) => s.name)));
  return frame(spec.title, parts);
}

export function barChart(spec: BarChartSpec): string {
  const values = spec.series.flatMap((s) => s.values);
  const yTicks = niceTicks(0, Math.max(...values, 1e-9));
  const axis = yAxis(yTicks, spec.yLabel);
  const parts = [...axis.parts];
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
  );
  const groupW = plotW / Math.max(1, spec.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, spec.series.length);
  for (const [g, group] of spec.groups.entries()) {
    const gx = MARGIN.left + g * groupW + groupW * 0.1;
    for (const [i, s] of spec.series.entries()) {
      const v = s.values[g] ?? 0;
      const top = axis.y(v);
      parts.push(
        `<rect x="${f(gx + i * barW)}" y="${f(top)}" width="${f(barW * 0.9)}" height="${f(MARGIN.top + plotH - top)}" fill="${COLOURS[i % COLOURS.length]}"><title>${escapeXml(`${group} ${s.name}: ${formatTick(v)}`)}</title></rect>`,
      );
    }
    parts.push(
      `<text x="${f(gx + groupW * 0.4)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${escapeXml(group)}</text>`,
    );
  }
  parts.push(...legend(spec.series.map((s) => s.name)));
  return frame(spec.title, parts);
}

export function renderChart(spec: ChartSpec): string {
  return spec.kind === 'line' ? lineChart(spec) : barChart(spec);
}
