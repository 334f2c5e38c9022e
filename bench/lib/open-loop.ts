/**
 * An open-loop load generator: requests go out at a fixed arrival rate whether or not earlier ones
 * have answered, the way real users arrive. A closed loop (N callers each waiting for its answer)
 * slows down when the server does, so a stall hides the requests that would have queued behind it
 * ("coordinated omission"). Here every request's latency is measured from the moment it was
 * INTENDED to go out, so a stall in the server (or in this process) shows up in the percentiles.
 *
 * In-flight requests are bounded: a request whose slot is taken at its intended time is dropped
 * and counted as an error, so an overloaded target shows as errors instead of as unbounded memory.
 */

export interface OpenLoopOptions {
  /** Arrivals per second. */
  ratePerSecond: number;
  /** How long to keep arriving. */
  durationMs: number;
  /** At most this many requests outstanding; arrivals beyond it are dropped (and are errors). */
  maxInFlight: number;
  /** Sends request number `index`; resolves when it is answered, rejects when it failed. */
  send: (index: number) => Promise<unknown>;
  /** After the last arrival, wait at most this long for outstanding answers (they then count as errors). */
  drainTimeoutMs?: number;
  /** Called once a second with the second just finished (progress lines). */
  onSecond?: (sample: SecondSample) => void;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** One second of the run, by intended send time. */
export interface SecondSample {
  /** Seconds since the start (0, 1, 2, ...). */
  second: number;
  intended: number;
  ok: number;
  errors: number;
  /** Latency percentiles of the successful requests that were due in this second (ms). */
  p50: number;
  p99: number;
}

export interface OpenLoopResult {
  /** Arrivals scheduled (rate × duration). */
  intended: number;
  ok: number;
  /** Failed requests plus dropped ones plus those still outstanding when the drain timed out. */
  errors: number;
  dropped: number;
  /** Successful answers per second of the arrival window. */
  achievedRate: number;
  /** Latency of successful requests from their intended send time (ms). */
  latency: LatencySummary;
  /** Every one of those latencies, in completion order (to pool several runs). */
  latencies: Float64Array;
  series: SecondSample[];
  /** The first few distinct error messages, to say why. */
  errorMessages: string[];
}

/** The intended send time (ms after the start) of arrival `index` at `ratePerSecond`. */
export function intendedTime(index: number, ratePerSecond: number): number {
  return (index * 1000) / ratePerSecond;
}

/** The `q` quantile (0..1) of an ascending array, nearest-rank; 0 for an empty one. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Percentile summary of latencies in any order (sorted copy; the input is left alone). */
export function summarize(latencies: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : 0,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : 0,
  };
}

/** Grows by doubling so a 150k-sample run costs no per-sample allocation. */
class Samples {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

interface Bucket {
  intended: number;
  errors: number;
  latencies: Samples;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ratePerSecond, durationMs, maxInFlight, send } = options;
  const total = Math.max(1, Math.floor((ratePerSecond * durationMs) / 1000));
  const seconds = Math.ceil(durationMs / 1000);
  const buckets: Bucket[] = Array.from({ length: seconds }, () => ({
    intended: 0,
    errors: 0,
    latencies: new Samples(),
  }));
  const all = new Samples();
  const errorMessages = new Set<string>();
  let inFlight = 0;
  let dropped = 0;
  let failed = 0;
  let next = 0;
  let reportedSeconds = 0;
  const start = performance.now();

  const bucketOf = (index: number) =>
    buckets[Math.min(seconds - 1, Math.floor(intendedTime(index, ratePerSecond) / 1000))] as Bucket;

  const fire = (index: number, due: number) => {
    const bucket = bucketOf(index);
    bucket.intended++;
    if (inFlight >= maxInFlight) {
      dropped++;
      bucket.errors++;
      return;
    }
    inFlight++;
    let promise: Promise<unknown>;
    try {
      promise = send(index);
    } catch (e) {
      promise = Promise.reject(e);
    }
    promise.then(
      () => {
        inFlight--;
        // From the intended time, not from when we got round to sending it.
        const latency = performance.now() - due;
        bucket.latencies.push(latency);
        all.push(latency);
      },
      (e: unknown) => {
        inFlight--;
        failed++;
        bucket.errors++;
        if (errorMessages.size < 5) errorMessages.add(String((e as Error)?.message ?? e));
      },
    );
  };

  const reportSeconds = (upTo: number) => {
    while (reportedSeconds < Math.min(upTo, seconds)) {
      options.onSecond?.(sampleOf(reportedSeconds, buckets[reportedSeconds] as Bucket));
      reportedSeconds++;
    }
  };

  // The dispatcher wakes about every millisecond and sends everything that has come due, each
  // stamped with its own intended time; if this process stalls, the backlog goes out late and
  // that lateness is charged to the latencies, as it would be for a real user.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      while (next < total && intendedTime(next, ratePerSecond) <= elapsed) {
        fire(next, start + intendedTime(next, ratePerSecond));
        next++;
      }
      reportSeconds(Math.floor(elapsed / 1000) - 1);
      if (next >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });

  const arrivalWindowMs = performance.now() - start;
  const drainUntil = performance.now() + (options.drainTimeoutMs ?? 10_000);
  while (inFlight > 0 && performance.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 2));
  }
  const outstanding = inFlight;
  reportSeconds(seconds);

  return {
    intended: total,
    ok: all.length,
    errors: failed + dropped + outstanding,
    dropped,
    achievedRate: all.length / (Math.max(arrivalWindowMs, durationMs) / 1000),
    latency: summarize(all.view()),
    latencies: all.view(),
    series: buckets.map((b, second) => sampleOf(second, b)),
    errorMessages: [...errorMessages],
  };
}

function sampleOf(second: number, bucket: Bucket): SecondSample {
  const s = summarize(bucket.latencies.view());
  return {
    second,
    intended: bucket.intended,
    ok: s.count,
    errors: bucket.errors,
    p50: s.p50,
    p99: s.p99,
  };
}

/**
 * Zipf(s) over ranks 0..n-1 (rank 0 the most popular), by inverse CDF on a precomputed table;
 * `random` in [0, 1) so a seeded generator gives a repeatable workload.
 */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / (k + 1) ** s;
    cdf[k] = sum;
  }
  for (let k = 0; k < n; k++) cdf[k] = (cdf[k] as number) / sum;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export { seededRandom } from '../../test-support/seeded-random.ts';

/** Least-squares slope of y over x (0 for fewer than two points or no spread in x). */
export function leastSquaresSlope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (const [x, y] of points) {
    mx += x / n;
    my += y / n;
  }
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
