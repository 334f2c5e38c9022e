/**
 * @mystira/resilience overhead on the success path, against calling the function directly and
 * against cockatiel's own retry, in one run:
 *   - an empty `pipeline()` vs a direct call (the ratio the issue asks for);
 *   - `retry()` (no failure, so no retry) vs a direct call;
 *   - our `retry()` vs cockatiel's `retry(handleAll, { maxAttempts, backoff })` (the obvious
 *     alternative: ours adds classification, budget and server hints on top of it);
 *   - a full pipeline (timeout, retry, breaker, bulkhead, attempt timeout) vs a direct call.
 * The wrapped function is a trivial async function, so the figures are pure policy overhead.
 * To put that overhead next to real I/O, the full pipeline is also measured around a loopback TCP
 * round trip (one byte echoed over a kept-open socket) against the bare round trip.
 *
 * `node bench/resilience.bench.ts [--smoke]`
 */
import { once } from 'node:events';
import net from 'node:net';
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
// Real I/O: a loopback echo server and one kept-open client socket.
const echo = net.createServer((socket) => socket.pipe(socket));
echo.listen(0, '127.0.0.1');
await once(echo, 'listening');
const socket = net.connect((echo.address() as net.AddressInfo).port, '127.0.0.1');
await once(socket, 'connect');
socket.setNoDelay(true);
const roundTrip = () =>
  new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.write('x');
  });
const io = { direct: [] as number[], full: [] as number[] };
for (let round = 0; round < rounds; round++) {
  io.direct.push(await opsPerSecond(roundTrip, smoke ? 50 : 400));
  io.full.push(await opsPerSecond(() => full.execute(roundTrip), smoke ? 50 : 400));
}
socket.destroy();
echo.close();

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
  {
    metric: 'full pipeline around a loopback TCP round trip vs the bare round trip (ops/s)',
    ours: median(io.full),
    baseline: median(io.direct),
    baselineName: 'bare TCP round trip',
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
    `Loopback TCP round trip: bare ${usPerCall(median(io.direct))} µs, through the full pipeline ${usPerCall(median(io.full))} µs.`,
  ],
});
