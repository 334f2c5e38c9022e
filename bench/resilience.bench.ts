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
 * The rate limiters' `take()` (always allowed here, over 10 000 keys) against what a user would
 * write by hand: an in-process fixed-window counter in a Map, and on the shared Redis
 * (127.0.0.1:6379) the usual INCR + PEXPIRE fixed window. Both of ours are a token bucket: smooth
 * refill, exact retry times, bounded memory, one atomic round trip on Redis TIME.
 *
 * `node bench/resilience.bench.ts [--smoke]`
 */
import { once } from 'node:events';
import net from 'node:net';
import {
  circuitBreaker,
  memoryRateLimiter,
  pipeline,
  redisRateLimiter,
  retry,
} from '@mystira/resilience';
import { retry as cockatielRetry, ExponentialBackoff, handleAll } from 'cockatiel';
import { Redis } from 'ioredis';
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

// Rate limiting: ours vs the hand-written fixed window, in memory and on Redis.
const keys = Array.from({ length: 10_000 }, (_, i) => `caller-${i}`);
let next = 0;
const nextKey = () => keys[next++ % keys.length] as string;
const generous = { capacity: 1_000_000, refillPerSecond: 1_000_000 };
const memoryLimiter = memoryRateLimiter(generous);
const windows = new Map<string, { start: number; count: number }>();
const fixedWindow = (key: string) => {
  const now = Date.now();
  const w = windows.get(key);
  if (!w || now - w.start >= 1000) {
    windows.set(key, { start: now, count: 1 });
    return true;
  }
  return ++w.count <= 1_000_000;
};
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
await redis.connect();
const prefix = `bench:rl:${process.pid}:`;
const redisLimiter = redisRateLimiter({ ...generous, redis, prefix, timeoutMs: 1_000 });
const incrWindow = async (key: string) => {
  const k = `${prefix}incr:${key}`;
  const n = await redis.incr(k);
  if (n === 1) await redis.pexpire(k, 1000);
  return n <= 1_000_000;
};
const limits = {
  memory: [] as number[],
  map: [] as number[],
  redis: [] as number[],
  incr: [] as number[],
};
for (let round = 0; round < rounds; round++) {
  limits.memory.push(await opsPerSecond(() => memoryLimiter.take(nextKey()), smoke ? 50 : 400));
  limits.map.push(await opsPerSecond(async () => fixedWindow(nextKey()), smoke ? 50 : 400));
  limits.redis.push(await opsPerSecond(() => redisLimiter.take(nextKey()), smoke ? 50 : 400));
  limits.incr.push(await opsPerSecond(() => incrWindow(nextKey()), smoke ? 50 : 400));
  progress(`rate limit round ${round + 1}/${rounds}`);
}
redis.disconnect();

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
  {
    metric: 'memoryRateLimiter take() vs a hand-written fixed-window Map (ops/s)',
    ours: median(limits.memory),
    baseline: median(limits.map),
    baselineName: 'fixed-window counter in a Map',
    unit: 'ops/s',
    higherIsBetter: true,
  },
  {
    metric: 'redisRateLimiter take() vs INCR + PEXPIRE fixed window, one at a time (ops/s)',
    ours: median(limits.redis),
    baseline: median(limits.incr),
    baselineName: 'ioredis INCR + PEXPIRE',
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
    `Rate limit per take: memory ${usPerCall(median(limits.memory))} µs (Map fixed window ${usPerCall(median(limits.map))} µs); Redis ${usPerCall(median(limits.redis))} µs (INCR + PEXPIRE ${usPerCall(median(limits.incr))} µs). Ours refill smoothly (no double burst at a window edge) and decide in one atomic script on Redis TIME; the INCR window needs a second command on a window's first hit.`,
  ],
});
