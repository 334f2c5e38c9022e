/**
 * @mystira/resilience overhead on the success path, against calling the function directly and
 * against cockatiel's own retry, in one run:
 *   - an empty `pipeline()` vs a direct call (the ratio the issue asks for);
 *   - `retry()` (no failure, so no retry) vs a direct call;
 *   - our `retry()` vs cockatiel's `retry(handleAll, { maxAttempts, backoff })` (the obvious
 *     alternative: ours adds classification, budget and server hints on top of it);
 *   - a full pipeline (timeout, retry, breaker, bulkhead, attempt timeout) vs a direct call.
 * The wrapped function is a trivial async function, so the figures are pure policy overhead;
 * next to a real network call (≥ 100 µs) the differences vanish.
 *
 * `node bench/resilience.bench.ts [--smoke]`
 */
import { circuitBreaker, pipeline, retry } from '@mystira/resilience';
import { retry as cockatielRetry, ExponentialBackoff, handleAll } from 'cockatiel';
import { type Comparison, emit, opsPerSecond, progress, smoke } from './lib/report.ts';

let sink = 0;
const work = async () => {
  sink++;
  return sink;
};

const direct = () => work();
const empty = pipeline();
const ourRetry = retry({ maxAttempts: 3, idempotent: true });
const theirRetry = cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() });
const full = pipeline({
  timeout: 10_000,
  retry: { maxAttempts: 3, idempotent: true },
  circuitBreaker: circuitBreaker({ breaker: { consecutive: 5 } }),
  bulkhead: { limit: 1000, queue: 1000 },
  attemptTimeout: 5_000,
});

const candidates = {
  direct,
  empty: () => empty.execute(work),
  ourRetry: () => ourRetry.execute(work),
  theirRetry: () => theirRetry.execute(work),
  full: () => full.execute(work),
};
type Name = keyof typeof candidates;

// Interleave rounds so drift (JIT, CPU frequency, other processes) hits every candidate alike;
// report the median round.
const rounds = smoke ? 1 : 5;
const samples: Record<Name, number[]> = {
  direct: [],
  empty: [],
  ourRetry: [],
  theirRetry: [],
  full: [],
};
for (let round = 0; round < rounds; round++) {
  for (const name of Object.keys(candidates) as Name[]) {
    samples[name].push(await opsPerSecond(candidates[name], smoke ? 50 : 400));
  }
  progress(`round ${round + 1}/${rounds}`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ops = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<
  Name,
  number
>;

const comparisons: Comparison[] = [
  {
    metric: 'empty pipeline() vs direct call (ops/s)',
    ours: ops.empty,
    baseline: ops.direct,
    baselineName: 'direct async call',
    unit: 'ops/s',
    higherIsBetter: true,
  },
  {
    metric: 'retry() on the success path vs direct call (ops/s)',
    ours: ops.ourRetry,
    baseline: ops.direct,
    baselineName: 'direct async call',
    unit: 'ops/s',
    higherIsBetter: true,
  },
  {
    metric: 'retry() vs cockatiel retry(handleAll), success path (ops/s)',
    ours: ops.ourRetry,
    baseline: ops.theirRetry,
    baselineName: 'cockatiel retry',
    unit: 'ops/s',
    higherIsBetter: true,
  },
  {
    metric: 'full pipeline (timeout+retry+breaker+bulkhead+attempt timeout) vs direct call (ops/s)',
    ours: ops.full,
    baseline: ops.direct,
    baselineName: 'direct async call',
    unit: 'ops/s',
    higherIsBetter: true,
  },
];
const usPerCall = (o: number) => (1e6 / o).toFixed(2);
emit({
  name: '@mystira/resilience policy overhead',
  comparisons,
  notes: [
    `Per call: direct ${usPerCall(ops.direct)} µs, empty pipeline ${usPerCall(ops.empty)} µs, retry ${usPerCall(ops.ourRetry)} µs, cockatiel retry ${usPerCall(ops.theirRetry)} µs, full pipeline ${usPerCall(ops.full)} µs (trivial async function; sink ${sink > 0 ? 'used' : 'unused'}).`,
  ],
});
