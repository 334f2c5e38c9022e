/**
 * Soak: mixed load on the demo system (`startDemoSystem`, in a child process) for 10 minutes
 * (`--soak-minutes <n>`; `--smoke`: about 10 s): story reads (Zipf), edits, listings, creates and
 * publishes through the App API, Chain reads, and WatchTransactions streams opening and closing.
 * The system's RSS, heap and event-loop delay are sampled from inside it and plotted.
 *
 * Verdicts:
 *   - no growth trend: the least-squares slope over the second half of the run is below
 *     1 MB/min for RSS and below 1 ms/min for the event-loop delay p99 (the first half is
 *     warm-up: JIT, pools, caches filling);
 *   - no leaked handles: `process.getActiveResourcesInfo()` of the system, idle after the warm-up
 *     and idle again after the soak, counted by type: no handle type more after than before
 *     (timers are listed too, but they come and go with the devnet's block timer).
 *
 * `node bench/soak.bench.ts [--smoke] [--soak-minutes 10]`
 */
import * as http from 'node:http';
import { join } from 'node:path';
import { type ChainClient, createChainClient } from '@mystira/chain-client';
import {
  runOpenLoop,
  seededRandom,
  leastSquaresSlope as slope,
  zipfSampler,
} from './lib/open-loop.ts';
import { spawnChild } from './lib/processes.ts';
import { emit, flag, progress, type ReportChart, smoke, type Target } from './lib/report.ts';

const minutes = smoke ? 10 / 60 : Number(flag('soak-minutes') ?? 10);
const DURATION_MS = Math.round(minutes * 60_000);
const WARMUP_MS = smoke ? 2000 : 30_000;
const SAMPLE_MS = smoke ? 500 : 5000;
const SETTLE_MS = smoke ? 1000 : 5000;
const RATE = smoke ? 40 : 50;
const DRAFTS = smoke ? 30 : 300;
const STREAM_WORKERS = 2;
const RSS_SLOPE_LIMIT = 1; // MB per minute
const DELAY_SLOPE_LIMIT = 1; // ms per minute

interface Sample {
  rssMb: number;
  heapUsedMb: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopDelayMeanMs: number;
}

// ------------------------------------------------------------------------- the system process --

progress(
  `soak: starting the demo system in a child process (${minutes.toFixed(2)} min of load at ${RATE}/s after ${WARMUP_MS / 1000} s of warm-up)`,
);
const system = spawnChild(
  process.execPath,
  // --expose-gc: memory is read after a full collection.
  ['--expose-gc', join(import.meta.dirname, 'lib/soak-system.ts')],
  { ipc: true },
);
const urls = await new Promise<{ apiUrl: string; chainUrl: string; token: string }>(
  (resolve, reject) => {
    system.proc.once(
      'message',
      (m: { ready: { apiUrl: string; chainUrl: string; token: string } }) => resolve(m.ready),
    );
    system.proc.once('exit', (code) => reject(new Error(`demo system exited with ${code}`)));
  },
);
let ipc: Promise<unknown> = Promise.resolve();
/** One IPC request at a time, so each answer reaches the caller that asked. */
function ask<T>(message: string, key: string): Promise<T> {
  const next = ipc.then(
    () =>
      new Promise<T>((resolve) => {
        const on = (m: Record<string, unknown>) => {
          if (key in m) {
            system.proc.off('message', on);
            resolve(m[key] as T);
          }
        };
        system.proc.on('message', on);
        system.proc.send(message);
      }),
  );
  ipc = next;
  return next;
}

// ---------------------------------------------------------------------------------- the load --

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${urls.apiUrl}${path}`,
      {
        method,
        agent,
        headers: {
          // Signed in as the demo's Ada, who owns the account and the stories of the soak.
          authorization: `Bearer ${urls.token}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
async function ok(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await call(method, path, body);
  if (res.status < 200 || res.status >= 300)
    throw new Error(
      `${method} ${path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}: HTTP ${res.status} ${(res.json as { detail?: string } | undefined)?.detail ?? ''}`,
    );
  return res.json;
}

const wallet = `0x${'5'.repeat(40)}`;
const account = (await ok('POST', '/v1/accounts', {
  email: `soak-${process.pid}@example.com`,
  displayName: 'Soak Author',
  walletAddress: wallet,
})) as { id: string };
const newStory = async (i: number) =>
  (
    (await ok('POST', '/v1/stories', {
      authorId: account.id,
      title: `Soak story ${i}`,
      summary: 'A story written by the soak.',
      scenarios: [{ title: 'Opening', body: 'Once upon a time.' }],
    })) as { id: string }
  ).id;
progress(`soak: creating ${DRAFTS} draft stories`);
const drafts: string[] = [];
for (let i = 0; i < DRAFTS; i++) drafts.push(await newStory(i));

const random = seededRandom(2026);
const zipf = zipfSampler(drafts.length, 1, seededRandom(7));
// Edits go round the drafts, so two concurrent edits of one story (a legitimate 409) stay rare.
let edits = 0;
const nextDraft = () => drafts[edits++ % drafts.length] as string;
const counts: Record<string, number> = {};
// The Chain host of the demo requires a token too: Ada's (chain:read and chain:write).
const chain: ChainClient = createChainClient({
  baseUrl: urls.chainUrl,
  protocol: 'grpc',
  auth: {
    type: 'bearer',
    credential: {
      getToken: async () => ({ token: urls.token, expiresOnTimestamp: Date.now() + 3_600_000 }),
    },
    scopes: [],
  },
});

/** One operation of the mix, chosen by a seeded draw. */
function operation(i: number): Promise<unknown> {
  const r = random();
  const op =
    r < 0.6
      ? 'read'
      : r < 0.75
        ? 'edit'
        : r < 0.8
          ? 'list'
          : r < 0.9
            ? 'chain-read'
            : r < 0.995
              ? 'account-read'
              : 'create-publish';
  counts[op] = (counts[op] ?? 0) + 1;
  switch (op) {
    case 'read':
      return ok('GET', `/v1/stories/${drafts[zipf()]}`);
    case 'edit':
      return ok('PATCH', `/v1/stories/${nextDraft()}`, { summary: `edited ${i}` });
    case 'list':
      return ok('GET', `/v1/stories?authorId=${account.id}&limit=20`);
    case 'chain-read':
      return chain.isRegistered(`soak-content-${i % 500}`);
    case 'account-read':
      return ok('GET', `/v1/accounts/${account.id}`);
    default:
      // Grows the data a little (about one story every 2 s at 100/s): a real write path.
      return newStory(i).then((id) => ok('POST', `/v1/stories/${id}/publish`, {}));
  }
}

let streamsOpened = 0;
let streamsClosed = 0;
let streamErrors = 0;
let streamEvents = 0;
const streamErrorMessages = new Set<string>();
/** Streams opening and closing: register, watch the transaction 1–3 s, cancel, again. */
let registered = 0;
async function streamWorker(worker: number, until: () => boolean): Promise<void> {
  while (!until()) {
    const stop = new AbortController();
    try {
      const reg = await chain.registerIpAsset({
        contentId: `soak-${process.pid}-${worker}-${registered++}`,
        contentTitle: 'Soak',
        contributors: [{ walletAddress: wallet, role: 'author', shareBasisPoints: 10000 }],
      });
      streamsOpened++;
      const timer = setTimeout(() => stop.abort(), 1000 + random() * 2000);
      try {
        for await (const _ of chain.watchTransactions([reg.registrationTxHash ?? ''], {
          signal: stop.signal,
        }))
          streamEvents++;
      } catch (e) {
        if (!stop.signal.aborted) throw e;
      } finally {
        clearTimeout(timer);
        streamsClosed++;
      }
    } catch (e) {
      streamErrors++;
      if (streamErrorMessages.size < 3) streamErrorMessages.add((e as Error).message);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function loadFor(ms: number) {
  const end = performance.now() + ms;
  const done = () => performance.now() >= end;
  const streams = Array.from({ length: STREAM_WORKERS }, (_, w) => streamWorker(w, done));
  const result = await runOpenLoop({
    ratePerSecond: RATE,
    durationMs: ms,
    maxInFlight: RATE * 5,
    send: operation,
  });
  await Promise.all(streams);
  return result;
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
/**
 * Active resources by type, the least seen over a few snapshots half a second apart: short-lived
 * timers and sockets come and go, a leaked handle stays.
 */
async function idleResources(): Promise<Record<string, number>> {
  const least: Record<string, number> = {};
  for (let k = 0; k < 4; k++) {
    if (k) await new Promise((r) => setTimeout(r, 500));
    const now = await ask<Record<string, number>>('resources', 'resources');
    for (const type of new Set([...Object.keys(least), ...Object.keys(now)]))
      least[type] = k === 0 ? (now[type] ?? 0) : Math.min(least[type] ?? 0, now[type] ?? 0);
  }
  return least;
}

/**
 * Resources once the system is idle: wait, then until the count stops falling (work queued during
 * the load may still be finishing), at most a minute.
 */
async function quiescentResources(): Promise<Record<string, number>> {
  const total = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
  await settle();
  await ask('gc', 'gc');
  let least = await idleResources();
  for (let waited = 0; waited < 60_000; waited += 2000) {
    await new Promise((r) => setTimeout(r, 2000));
    await ask('gc', 'gc');
    const now = await idleResources();
    if (total(now) >= total(least)) break;
    least = now;
  }
  return least;
}

progress('soak: warm-up');
await loadFor(WARMUP_MS);
const before = await quiescentResources();
await ask('sample', 'sample'); // resets the delay histogram

progress('soak: load');
for (const op of Object.keys(counts)) counts[op] = 0; // the mix reported is the soak's own
streamsOpened = 0;
streamsClosed = 0;
streamEvents = 0;
streamErrors = 0;
const samples: Array<{ t: number } & Sample> = [];
const t0 = performance.now();
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const s = await ask<Sample>('sample', 'sample');
    const t = (performance.now() - t0) / 60_000;
    samples.push({ t, ...s });
    if (!smoke && samples.length % 12 === 0)
      progress(
        `soak: ${t.toFixed(1)} min, RSS ${s.rssMb.toFixed(0)} MB, heap ${s.heapUsedMb.toFixed(0)} MB, loop delay p99 ${s.loopDelayP99Ms.toFixed(1)} ms`,
      );
  }
})();
const load = await loadFor(DURATION_MS);
sampling = false;
await sampler;
agent.destroy();
const after = await quiescentResources();
chain.close();
system.proc.send('exit');
// It stops the demo system and drops its schema itself; signals only if that hangs.
await system.exited(60_000);
await system.stop();

// ------------------------------------------------------------------------------- the verdicts --

const secondHalf = samples.filter((s) => s.t >= minutes / 2);
const rssSlope = slope(secondHalf.map((s) => [s.t, s.rssMb]));
const heapSlope = slope(secondHalf.map((s) => [s.t, s.heapUsedMb]));
const delaySlope = slope(secondHalf.map((s) => [s.t, s.loopDelayP99Ms]));
const types = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
const extra = types
  .map((k) => ({ type: k, before: before[k] ?? 0, after: after[k] ?? 0 }))
  .filter((x) => x.after !== x.before);
// Handles (sockets, servers, pipes, file handles) must all be back; timers are listed but not
// counted: the devnet's block timer and the caches' expiry timers come and go from one moment to
// the next, so an idle count of them says little (a leaked interval would show in the loop delay).
const TIMERS = new Set(['Timeout', 'Immediate']);
const leaked = extra
  .filter((x) => !TIMERS.has(x.type))
  .reduce((n, x) => n + Math.max(0, x.after - x.before), 0);
const label = `Soak, ${minutes < 1 ? `${Math.round(minutes * 60)} s` : `${minutes} min`} of mixed load at ${RATE}/s on the demo system`;
const targets: Target[] = [
  {
    metric: `${label}: RSS slope over the second half`,
    value: rssSlope,
    unit: 'MB/min',
    comparator: '<',
    limit: RSS_SLOPE_LIMIT,
  },
  {
    metric: `${label}: event-loop delay p99 slope over the second half`,
    value: delaySlope,
    unit: 'ms/min',
    comparator: '<',
    limit: DELAY_SLOPE_LIMIT,
  },
  {
    metric: `${label}: active handles (not timers) more after than before`,
    value: leaked,
    unit: '',
    comparator: '<=',
    limit: 0,
  },
  {
    metric: `${label}: errors`,
    value: load.errors + streamErrors,
    unit: '',
    comparator: '<=',
    limit: 0,
  },
];
const charts: ReportChart[] = [
  {
    file: 'soak-memory',
    kind: 'line',
    title: `Soak: memory of the demo system (${RATE} req/s mixed + streams)`,
    xLabel: 'minutes',
    yLabel: 'MB',
    series: [
      { name: 'RSS', points: samples.map((s) => [s.t, s.rssMb]) },
      { name: 'heap used', points: samples.map((s) => [s.t, s.heapUsedMb]) },
    ],
    bands: [{ label: 'slope measured here', from: minutes / 2, to: minutes }],
  },
  {
    file: 'soak-event-loop-delay',
    kind: 'line',
    title: 'Soak: event-loop delay of the demo system',
    xLabel: 'minutes',
    yLabel: 'ms',
    series: [
      // max first, so p99 (often equal to it at 10 ms resolution) is drawn on top.
      { name: 'max', points: samples.map((s) => [s.t, s.loopDelayMaxMs]) },
      { name: 'p99', points: samples.map((s) => [s.t, s.loopDelayP99Ms]) },
      { name: 'mean', points: samples.map((s) => [s.t, s.loopDelayMeanMs]) },
    ],
    bands: [{ label: 'slope measured here', from: minutes / 2, to: minutes }],
  },
];
const first = samples[0];
const last = samples.at(-1);
const notes = [
  `Soak: ${load.ok} operations answered of ${load.intended} (${load.errors} errors${load.errorMessages.length ? `: ${load.errorMessages.join('; ')}` : ''}), mix ${Object.entries(
    counts,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(
      ', ',
    )}; latency p50 ${load.latency.p50.toFixed(1)} / p99 ${load.latency.p99.toFixed(1)} ms; ${streamsOpened} WatchTransactions streams opened, ${streamsClosed} closed, ${streamEvents} events, ${streamErrors} stream errors${streamErrorMessages.size ? ` (${[...streamErrorMessages].join('; ')})` : ''}.`,
  `Memory: RSS ${first?.rssMb.toFixed(0)} → ${last?.rssMb.toFixed(0)} MB, heap ${first?.heapUsedMb.toFixed(0)} → ${last?.heapUsedMb.toFixed(0)} MB; second-half slopes: RSS ${rssSlope.toFixed(2)} MB/min, heap ${heapSlope.toFixed(2)} MB/min, loop delay p99 ${delaySlope.toFixed(2)} ms/min (no growth trend when RSS < ${RSS_SLOPE_LIMIT} MB/min and delay < ${DELAY_SLOPE_LIMIT} ms/min). Sampled every ${SAMPLE_MS / 1000} s inside the system process; about one story in 200 operations is created (the data grows a little, by design).`,
  `Active resources of the system, idle after the warm-up vs idle after the soak (least of 4 snapshots 0.5 s apart): ${types.map((k) => `${k} ${before[k] ?? 0}→${after[k] ?? 0}`).join(', ')}${extra.length ? '' : ' (identical)'}.`,
];
if (smoke)
  notes.push(
    'Smoke run: a few seconds only, so the slopes mean nothing; the full run is 10 minutes.',
  );
emit({ name: 'soak', comparisons: [], targets, charts, notes });
process.exit(0);
