/**
 * A one-line progress bar: `[########------------]  40.0%  4000/10000  1234/s  ETA 5s`. On a
 * TTY it redraws in place; elsewhere (CI logs, pipes) it prints a line at most every few seconds
 * so logs stay readable.
 */

/** What a progress line shows. */
export interface ProgressState {
  /** Items done so far. */
  done: number;
  /** Unknown totals render as a counter without a bar. */
  total: number | null;
  /** Items per second. */
  ratePerSecond: number;
  /** Estimated time left in ms, or null when unknown. */
  etaMs: number | null;
  /** Text before the bar, e.g. the entity's name. */
  label?: string;
}

/** A duration for humans: `42s`, `3m07s`, `2h05m` (`?` when not finite). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The text of the bar (no control characters). */
export function renderProgress(p: ProgressState, width = 24): string {
  const parts: string[] = [];
  if (p.label) parts.push(p.label);
  if (p.total !== null && p.total > 0) {
    const f = Math.min(1, p.done / p.total);
    const full = Math.round(f * width);
    parts.push(
      `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`,
      `${(f * 100).toFixed(1).padStart(5)}%`,
      `${p.done}/${p.total}`,
    );
  } else {
    parts.push(String(p.done));
  }
  parts.push(`${Math.round(p.ratePerSecond)}/s`);
  if (p.etaMs !== null) parts.push(`ETA ${formatDuration(p.etaMs)}`);
  return parts.join('  ');
}

/** Where a progress bar writes: a stream such as `process.stderr`. */
export interface ProgressOutput {
  /** Writes text. */
  write(chunk: string): unknown;
  /** True on a terminal: the bar redraws in place instead of printing a line every few seconds. */
  isTTY?: boolean;
}

/** Draws progress to `out` (stderr by default in the CLI). */
export class ProgressBar {
  readonly #out: ProgressOutput;
  readonly #now: () => number;
  readonly #every: number;
  #last = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(out: ProgressOutput, options: { now?: () => number; logEveryMs?: number } = {}) {
    this.#out = out;
    this.#now = options.now ?? Date.now;
    this.#every = options.logEveryMs ?? 5000;
  }

  /**
   * Shows `p`: redrawn in place on a TTY; elsewhere printed at most every `logEveryMs` (default 5
   * s) unless `force`.
   */
  update(p: ProgressState, force = false): void {
    const line = renderProgress(p);
    if (this.#out.isTTY) {
      this.#out.write(`\r\u001b[2K${line}`);
      this.#drawn = true;
      return;
    }
    const now = this.#now();
    if (force || now - this.#last >= this.#every) {
      this.#last = now;
      this.#out.write(`${line}\n`);
    }
  }

  /** Final state, on its own line. */
  finish(p: ProgressState): void {
    if (this.#out.isTTY) {
      this.#out.write(`\r\u001b[2K${renderProgress(p)}\n`);
      this.#drawn = false;
    } else this.update(p, true);
  }

  /** Whether a bar is drawn in place and not finished: other output must start on a new line. */
  get drawn(): boolean {
    return this.#drawn;
  }
}
