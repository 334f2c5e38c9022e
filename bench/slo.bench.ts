/**
 * The seed's service-level targets, under the open-loop generator (bench/lib/open-loop.ts):
 *
 * 1. The Chain server (examples/chain-server, in a child process) at 5,000 unary IsRegistered
 *    req/s for 30 s on loopback → p50 < 15 ms, p99 < 40 ms, zero errors. A plain @grpc/grpc-js
 *    server with the same handlers (protos loaded with @grpc/proto-loader) takes the same load in
 *    the same run, as the alternative. From h2load as well, with each server's garbage collection
 *    over the load (scavenges, bytes promoted, major-GC pauses per 10k calls; lib/gc-probe.ts),
 *    and again at twice the seed's load, 10,000 req/s for 30 s.
 * 2. Latency percentiles per protocol at one moderate fixed rate: our server over gRPC, gRPC-Web
 *    and Connect (chain-client's protocol switch), the grpc-js client against our server, our
 *    client against the grpc-js server and, when Debian's python3-grpcio and protoc are present,
 *    against the Python grpcio server of packages/chain-client/test/python.
 * 3. The App API's cached story read (GET /v1/stories/:id through createAppApi, Zipf over ~10k
 *    stories): the rate is stepped up until p95 breaks 50 ms; the highest step that holds is the
 *    sustainable rate → p95 < 50 ms and cache hit ratio > 80 %. (bench/lib/app-api-slo.ts)
 *
 * `node bench/slo.bench.ts [--smoke] [--chain-only] [--host-node-flags '<node flags>']`
 *
 * `--host-node-flags` starts the example Chain host with more Node/V8 flags (space-separated, e.g.
 * `--heap-growing-percent=20`), for trying a garbage-collector setting under the same loads; the
 * report's notes say which flags the host ran with.
 */
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { type ChainClient, createChainClient } from '@mystira/chain-client';
import { ChainService, IsRegisteredRequestSchema } from '@mystira/chain-protos';
import { measureAppApi } from './lib/app-api-slo.ts';
import { type GcFigures, gcPer10k, gcProbe } from './lib/gc-window.ts';
import { grpcFrame, h2loadAvailable, runH2load } from './lib/h2load.ts';
import { type OpenLoopResult, runOpenLoop, summarize } from './lib/open-loop.ts';
import { freePort, pinMainThread, pinning, pinSelf, spawnChild, waitFor } from './lib/processes.ts';
import { startPythonChainServer } from './lib/python-chain-server.ts';
import {
  type Comparison,
  emit,
  flag,
  progress,
  type ReportChart,
  smoke,
  type Target,
} from './lib/report.ts';

const repo = join(import.meta.dirname, '..');
const CONTENT_ID = 'bench-slo-content';
/** The one request of every load here, serialised. */
const IS_REGISTERED = toBinary(
  IsRegisteredRequestSchema,
  create(IsRegisteredRequestSchema, { contentId: CONTENT_ID }),
);
const SLO_RATE = smoke ? 1000 : 5000;
const GRPCJS_SERVER = 'plain @grpc/grpc-js server (@grpc/proto-loader), same handlers and load';
/** Twice the seed's load, the roadmap's headroom. */
const DOUBLE_RATE = 2 * SLO_RATE;
const SLO_MS = smoke ? 1000 : 30_000;
const WARMUP_MS = smoke ? 300 : 3000;
const PROTOCOL_RATE = smoke ? 200 : 1000;
const PROTOCOL_MS = smoke ? 500 : 8000;
const PROTOCOL_ROUNDS = smoke ? 1 : 4;
/**
 * Extra Node/V8 flags for the example Chain host (`--host-node-flags`); none by default. The knob
 * the 10,000/s p99 turns on is how often a mark-compact runs: node:http2 makes every non-static
 * request header value a V8 external string, which V8 allocates in old space, so each dies there
 * and is finalized one by one in the next mark-compact's atomic pause (`--trace-gc-nvp`:
 * clear.external_string_table), a cost that grows with the calls served since the last one.
 */
const HOST_NODE_FLAGS = (flag('host-node-flags') ?? '').split(' ').filter(Boolean);

interface Server {
  url: string;
  /** GC figures since the last call (see lib/gc-window.ts); Node servers only. */
  gc?: () => Promise<GcFigures>;
  stop(): Promise<void>;
}

/**
 * examples/chain-server as its own process, as it is deployed (access log off: LOG_LEVEL=warn;
 * no per-caller rate limit, since the load comes from one address).
 */
async function startExampleChainServer(): Promise<Server> {
  const port = await freePort();
  const gc = gcProbe();
  const main = join(repo, 'examples/chain-server/src/main.ts');
  const child = spawnChild(process.execPath, [...HOST_NODE_FLAGS, ...gc.nodeArgs, main], {
    env: {
      ...process.env,
      ...gc.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SECOND: 'off',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = createChainClient({ baseUrl: url, protocol: 'grpc', retry: false });
  await waitFor(() => probe.isRegistered(CONTENT_ID, { timeoutMs: 500 }));
  probe.close();
  pinMainThread(child.proc.pid, pinning?.server);
  return { url, gc: () => gc.window(child.proc.pid), stop: () => child.stop() };
}

/**
 * The plain grpc-js server of chain-server.bench.ts (same handlers, protos loaded with
 * @grpc/proto-loader, as grpc-js services do), in its own process.
 */
async function startGrpcJsServer(): Promise<Server> {
  const probe = gcProbe();
  const child = spawnChild(
    process.execPath,
    [...probe.nodeArgs, join(import.meta.dirname, 'chain-server.bench.ts'), '--serve', 'grpcjs'],
    { ipc: true, env: { ...process.env, ...probe.env } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.proc.once('error', reject);
    child.proc.once('message', (m: { port: number }) => resolve(m.port));
  });
  pinMainThread(child.proc.pid, pinning?.server);
  return {
    url: `http://127.0.0.1:${port}`,
    gc: () => probe.window(child.proc.pid),
    stop: async () => {
      child.proc.send('exit');
      await child.stop();
    },
  };
}

/** The Python grpcio server the chain-client tests use, when python3-grpcio and protoc exist. */
async function startPythonServer(): Promise<Server | string> {
  const python = await startPythonChainServer();
  if (typeof python === 'string') return python;
  pinMainThread(python.pid, pinning?.server);
  return { url: python.url, stop: python.stop };
}

interface Sender {
  send(): Promise<unknown>;
  close(): void;
}

function chainClientSender(url: string, protocol: 'grpc' | 'grpc-web' | 'connect'): Sender {
  const client: ChainClient = createChainClient({ baseUrl: url, protocol, timeoutMs: 5000 });
  return { send: () => client.isRegistered(CONTENT_ID), close: () => client.close() };
}

/** A plain @grpc/grpc-js client with protobuf-es (de)serialisation, the client-side alternative. */
function grpcJsSender(url: string): Sender {
  const client = new grpc.Client(new URL(url).host, grpc.credentials.createInsecure());
  const bytes = Buffer.from(IS_REGISTERED);
  const id = (b: Buffer) => b;
  const path = `/${ChainService.typeName}/IsRegistered`;
  return {
    send: () =>
      new Promise((resolve, reject) =>
        client.makeUnaryRequest(path, id, id, bytes, { deadline: Date.now() + 5000 }, (err, res) =>
          err ? reject(err) : resolve(res),
        ),
      ),
    close: () => client.close(),
  };
}

async function load(sender: Sender, rate: number, ms: number, label: string) {
  // Warm up connections, JIT and the server's caches at the same rate first.
  await runOpenLoop({
    ratePerSecond: rate,
    durationMs: WARMUP_MS,
    maxInFlight: rate,
    send: sender.send,
  });
  const result = await runOpenLoop({
    ratePerSecond: rate,
    durationMs: ms,
    maxInFlight: rate, // a second's worth of arrivals outstanding is already a failure
    send: sender.send,
    onSecond: (s) => {
      if (!smoke && s.second % 5 === 4)
        progress(
          `${label}: second ${s.second + 1}: ${s.ok}/${s.intended} ok, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`,
        );
    },
  });
  progress(
    `${label}: ${result.ok}/${result.intended} ok, ${result.errors} errors, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms${result.errorMessages.length ? ` (${result.errorMessages.join('; ')})` : ''}`,
  );
  return result;
}

const ms2 = (n: number) => n.toFixed(2);

type Pooled = Pick<OpenLoopResult, 'ok' | 'errors' | 'latency'>;

/** Several runs of one contender as one. */
function pool(runs: OpenLoopResult[]): Pooled {
  const all = new Float64Array(runs.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of runs) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  return {
    ok: runs.reduce((n, r) => n + r.ok, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    latency: summarize(all),
  };
}

/** The same IsRegistered request in each protocol's content type and framing. */
const requestIn = {
  gRPC: { contentType: 'application/grpc', body: grpcFrame(IS_REGISTERED) },
  'gRPC-Web': { contentType: 'application/grpc-web+proto', body: grpcFrame(IS_REGISTERED) },
  Connect: { contentType: 'application/proto', body: IS_REGISTERED },
} as const;

/** IsRegistered from h2load at a fixed rate (on the generator's cores), with a progress line. */
function h2loadIsRegistered(
  label: string,
  url: string,
  rate: number,
  ms: number,
  protocol: keyof typeof requestIn = 'gRPC',
) {
  const result = runH2load({
    url: `${url}/${ChainService.typeName}/IsRegistered`,
    ...requestIn[protocol],
    ratePerSecond: rate,
    durationSeconds: Math.ceil(ms / 1000),
    warmUpSeconds: Math.ceil(WARMUP_MS / 1000),
    cpus: pinning?.generator,
  });
  progress(
    `${label} (h2load, ${rate}/s): ${result.ok} ok, ${result.errors} errors, p50 ${ms2(result.latency.p50)} ms, p99 ${ms2(result.latency.p99)} ms`,
  );
  return result;
}

/** One fixed-rate h2load run against a server, with the server's GC figures over it. */
async function nativeRun(label: string, server: Server, rate: number, ms: number) {
  await server.gc?.(); // opens the window
  const result = h2loadIsRegistered(label, server.url, rate, ms);
  const gc = await server.gc?.();
  // The window includes h2load's warm-up, which runs at the same rate (or as near as the server
  // keeps up: the rate achieved over the measured run stands for it).
  const calls = result.ok + result.achievedRate * Math.ceil(WARMUP_MS / 1000);
  if (gc) progress(`${label} GC: ${gcPer10k(gc, calls)}`);
  return { ...result, gc, calls };
}

/** A load from h2load against both servers, one after the other. */
async function nativeLoad(ours: Server, grpcjs: Server, rate: number, ms: number) {
  progress(`${rate} IsRegistered/s for ${ms / 1000} s from h2load`);
  return {
    ours: await nativeRun('chain-server', ours, rate, ms),
    grpcjs: await nativeRun('grpc-js server', grpcjs, rate, ms),
  };
}

/**
 * The servers alone per protocol, from h2load at the per-protocol rate: IsRegistered as gRPC,
 * gRPC-Web and Connect (binary) to ours, and as gRPC to the others. Without a Node client in the
 * loop, the p99s compare servers, not clients' collectors.
 */
function nativePerProtocol(oursUrl: string, others: Array<{ name: string; url: string }>) {
  const results = new Map<string, ReturnType<typeof runH2load>>();
  for (const protocol of ['gRPC', 'gRPC-Web', 'Connect'] as const) {
    results.set(
      protocol,
      h2loadIsRegistered(protocol, oursUrl, PROTOCOL_RATE, PROTOCOL_MS, protocol),
    );
  }
  for (const { name, url } of others) {
    results.set(name, h2loadIsRegistered(name, url, PROTOCOL_RATE, PROTOCOL_MS));
  }
  return results;
}

type NativeLoad = Awaited<ReturnType<typeof nativeLoad>>;

/** Scavenges, promoted bytes and major-GC pause time per 10k calls, ours against grpc-js's. */
function gcComparisons(what: string, load: NativeLoad): Comparison[] {
  const { ours, grpcjs } = load;
  if (!ours.gc || !grpcjs.gc) return [];
  const o = ours.gc;
  const g = grpcjs.gc;
  const per10k = (n: number, calls: number) => (n * 10_000) / Math.max(1, calls);
  const row = (metric: string, unit: string, pick: (f: GcFigures) => number, perCall = false) => ({
    metric: `${what}: server ${metric}`,
    ours: perCall ? pick(o) / ours.calls : per10k(pick(o), ours.calls),
    baseline: perCall ? pick(g) / grpcjs.calls : per10k(pick(g), grpcjs.calls),
    baselineName: GRPCJS_SERVER,
    unit,
    higherIsBetter: false,
  });
  return [
    row('scavenges per 10k calls', '', (f) => f.scavenges),
    row('bytes promoted per call', 'B', (f) => f.promotedBytes, true),
    row('major GCs per 10k calls', '', (f) => f.majorGcs),
    row('major-GC pause per 10k calls', 'ms', (f) => f.majorPauseMs),
  ];
}

function gcNote(what: string, load: NativeLoad): string {
  const { ours, grpcjs } = load;
  if (!ours.gc || !grpcjs.gc) return `GC at ${what}: not measured.`;
  return `Server GC at ${what} (V8 GCProfiler in the server process, h2load's warm-up and run): Chain server ${gcPer10k(ours.gc, ours.calls)}; grpc-js server ${gcPer10k(grpcjs.gc, grpcjs.calls)}.`;
}

async function main(): Promise<void> {
  const targets: Target[] = [];
  const comparisons: Comparison[] = [];
  const charts: ReportChart[] = [];
  const notes: string[] = [];

  // The servers get a core of their own, the generator (this process) the others.
  pinSelf(pinning?.generator);
  progress(
    `starting examples/chain-server and the grpc-js server (child processes${pinning ? `, main thread pinned to CPU ${pinning.server}; this generator's to CPU ${pinning.generator}` : ''})`,
  );
  const ours = await startExampleChainServer();
  const grpcjs = await startGrpcJsServer();

  // ---- 1. the Chain server target ------------------------------------------------------------
  progress(`Chain server: ${SLO_RATE} IsRegistered/s for ${SLO_MS / 1000} s over gRPC`);
  let sender = chainClientSender(ours.url, 'grpc');
  const slo = await load(sender, SLO_RATE, SLO_MS, 'chain-server');
  sender.close();
  progress(`same load on the plain grpc-js server`);
  sender = chainClientSender(grpcjs.url, 'grpc');
  const sloBase = await load(sender, SLO_RATE, SLO_MS, 'grpc-js server');
  sender.close();
  // The target is judged on h2load's figures when Debian's nghttp2-client is there: a native
  // generator measures the server, where ours also measures its own Node HTTP/2 client's GC
  // pauses (see lib/h2load.ts). Without h2load, our generator's figures are judged.
  const native = h2loadAvailable() ? await nativeLoad(ours, grpcjs, SLO_RATE, SLO_MS) : undefined;
  const judged = native?.ours ?? slo;
  const what = `Chain server, ${SLO_RATE} unary req/s for ${SLO_MS / 1000} s (${native ? 'h2load, fixed rate' : 'open loop'})`;
  targets.push(
    { metric: `${what}: p50`, value: judged.latency.p50, unit: 'ms', comparator: '<', limit: 15 },
    { metric: `${what}: p99`, value: judged.latency.p99, unit: 'ms', comparator: '<', limit: 40 },
    { metric: `${what}: errors`, value: judged.errors, unit: '', comparator: '<=', limit: 0 },
  );
  if (native) {
    comparisons.push({
      metric: `${SLO_RATE} req/s from h2load: p99 (ms)`,
      ours: native.ours.latency.p99,
      baseline: native.grpcjs.latency.p99,
      baselineName: GRPCJS_SERVER,
      unit: 'ms',
      higherIsBetter: false,
      bar: { ratio: 1 / 1.2, text: 'p99 ≤ 1.2× grpc-js' },
    });
    notes.push(
      `h2load (nghttp2, native; 4 connections × 256 streams, fixed rate per connection, ${SLO_MS / 1000} s after a warm-up): Chain server ${native.ours.ok} answered, ${native.ours.errors} errors, ${native.ours.achievedRate.toFixed(0)}/s; p50 ${ms2(native.ours.latency.p50)} / p90 ${ms2(native.ours.latency.p90)} / p99 ${ms2(native.ours.latency.p99)} / p99.9 ${ms2(native.ours.latency.p999)} / max ${ms2(native.ours.latency.max)} ms. grpc-js server: ${native.grpcjs.errors} errors, p50 ${ms2(native.grpcjs.latency.p50)} / p99 ${ms2(native.grpcjs.latency.p99)} ms. The open-loop figures below come from our own generator, whose Node HTTP/2 client pauses for garbage collection (scavenges of 20–80 ms measured in the generator process) and charges those pauses to every request due during them.`,
    );
    comparisons.push(...gcComparisons(`${SLO_RATE} req/s from h2load`, native));
    notes.push(gcNote(`${SLO_RATE} req/s`, native));
  }
  // ---- 1b. twice the seed's load -------------------------------------------------------------
  const double = h2loadAvailable()
    ? await nativeLoad(ours, grpcjs, DOUBLE_RATE, SLO_MS)
    : undefined;
  if (double) {
    const at = `Chain server, ${DOUBLE_RATE} unary req/s for ${SLO_MS / 1000} s (h2load, fixed rate; twice the seed's load)`;
    const o = double.ours;
    targets.push(
      { metric: `${at}: p50`, value: o.latency.p50, unit: 'ms', comparator: '<', limit: 15 },
      { metric: `${at}: p99`, value: o.latency.p99, unit: 'ms', comparator: '<', limit: 40 },
      { metric: `${at}: errors`, value: o.errors, unit: '', comparator: '<=', limit: 0 },
    );
    comparisons.push(
      {
        metric: `${DOUBLE_RATE} req/s from h2load: p99 (ms)`,
        ours: o.latency.p99,
        baseline: double.grpcjs.latency.p99,
        baselineName: GRPCJS_SERVER,
        unit: 'ms',
        higherIsBetter: false,
      },
      {
        metric: `${DOUBLE_RATE} req/s from h2load: p50 (ms)`,
        ours: o.latency.p50,
        baseline: double.grpcjs.latency.p50,
        baselineName: GRPCJS_SERVER,
        unit: 'ms',
        higherIsBetter: false,
      },
      ...gcComparisons(`${DOUBLE_RATE} req/s from h2load`, double),
    );
    notes.push(
      `Twice the seed's load, ${DOUBLE_RATE} req/s for ${SLO_MS / 1000} s from h2load (same settings): Chain server ${o.ok} answered, ${o.errors} errors, ${o.achievedRate.toFixed(0)}/s; p50 ${ms2(o.latency.p50)} / p99 ${ms2(o.latency.p99)} / p99.9 ${ms2(o.latency.p999)} / max ${ms2(o.latency.max)} ms. grpc-js server: ${double.grpcjs.ok} answered, ${double.grpcjs.errors} errors, ${double.grpcjs.achievedRate.toFixed(0)}/s; p50 ${ms2(double.grpcjs.latency.p50)} / p99 ${ms2(double.grpcjs.latency.p99)} ms.`,
      gcNote(`${DOUBLE_RATE} req/s`, double),
    );
  }
  comparisons.push(
    {
      metric: `${SLO_RATE} req/s open loop: p99 (ms)`,
      ours: slo.latency.p99,
      baseline: sloBase.latency.p99,
      baselineName: GRPCJS_SERVER,
      unit: 'ms',
      higherIsBetter: false,
      bar: { ratio: 1 / 1.2, text: 'p99 ≤ 1.2× grpc-js' },
    },
    {
      metric: `${SLO_RATE} req/s open loop: p50 (ms)`,
      ours: slo.latency.p50,
      baseline: sloBase.latency.p50,
      baselineName: GRPCJS_SERVER,
      unit: 'ms',
      higherIsBetter: false,
    },
  );
  notes.push(
    `Chain server at ${SLO_RATE}/s: ${slo.ok} answered of ${slo.intended}, ${slo.errors} errors (${slo.dropped} dropped at the ${SLO_RATE}-in-flight bound), achieved ${slo.achievedRate.toFixed(0)}/s; p50 ${ms2(slo.latency.p50)} / p90 ${ms2(slo.latency.p90)} / p99 ${ms2(slo.latency.p99)} / p99.9 ${ms2(slo.latency.p999)} / max ${ms2(slo.latency.max)} ms. grpc-js server, same load: ${sloBase.errors} errors, p50 ${ms2(sloBase.latency.p50)} / p99 ${ms2(sloBase.latency.p99)} ms.`,
    `Latency is measured from each request's intended send time (open loop, fixed arrival rate), so a stall anywhere charges every request due during it. Server in a child process${pinning ? ` with its main thread pinned to CPU ${pinning.server} (the generator's main thread and h2load to CPU ${pinning.generator}; garbage-collector helper threads float, as on a deployed host; --no-pin turns pinning off)` : ' (not pinned)'}; client: createChainClient over gRPC in the bench process.${HOST_NODE_FLAGS.length > 0 ? ` The example Chain host ran with \`${HOST_NODE_FLAGS.join(' ')}\` (--host-node-flags).` : ''}`,
  );
  charts.push({
    file: 'chain-server-slo-over-time',
    kind: 'line',
    title: `Chain server at ${SLO_RATE} req/s: latency per second`,
    xLabel: 'second of the run',
    yLabel: 'ms (from intended send time)',
    series: [
      { name: 'chain-server p50', points: slo.series.map((s) => [s.second + 1, s.p50]) },
      { name: 'chain-server p99', points: slo.series.map((s) => [s.second + 1, s.p99]) },
      { name: 'grpc-js p99', points: sloBase.series.map((s) => [s.second + 1, s.p99]) },
    ],
    thresholds: [
      { label: 'p99 target 40 ms', y: 40 },
      { label: 'p50 target 15 ms', y: 15 },
    ],
  });

  // ---- 2. latency per protocol ---------------------------------------------------------------
  let pythonMissing = '';
  const python = await startPythonServer()
    .catch((e: unknown) => `it did not start: ${(e as Error).message.split('\n')[0]}`)
    .then((started) => {
      if (typeof started !== 'string') return started;
      pythonMissing = started;
      progress(`Python grpcio server not measured: ${started}`);
      return undefined;
    });
  const contenders: Array<{ name: string; make: () => Sender }> = [
    { name: 'gRPC', make: () => chainClientSender(ours.url, 'grpc') },
    { name: 'gRPC-Web', make: () => chainClientSender(ours.url, 'grpc-web') },
    { name: 'Connect', make: () => chainClientSender(ours.url, 'connect') },
    { name: 'grpc-js client', make: () => grpcJsSender(ours.url) },
    { name: 'grpc-js server', make: () => chainClientSender(grpcjs.url, 'grpc') },
  ];
  if (python) {
    const url = python.url;
    contenders.push({ name: 'Python grpcio server', make: () => chainClientSender(url, 'grpc') });
  }
  // Interleaved slices (order rotated each round), latencies pooled per contender: load drift
  // on the shared machine, and one contender's garbage collected in the next one's slice, fall
  // on all of them alike.
  const senders = contenders.map((c) => ({ name: c.name, sender: c.make() }));
  for (const { name, sender } of senders) {
    progress(`per protocol: ${name}: warming up at ${PROTOCOL_RATE}/s`);
    await runOpenLoop({
      ratePerSecond: PROTOCOL_RATE,
      durationMs: WARMUP_MS,
      maxInFlight: PROTOCOL_RATE,
      send: sender.send,
    });
  }
  const slices = new Map<string, OpenLoopResult[]>(senders.map((s) => [s.name, []]));
  for (let round = 0; round < PROTOCOL_ROUNDS; round++) {
    for (let k = 0; k < senders.length; k++) {
      const { name, sender } = senders[(k + round) % senders.length] as (typeof senders)[number];
      const slice = await runOpenLoop({
        ratePerSecond: PROTOCOL_RATE,
        durationMs: PROTOCOL_MS / PROTOCOL_ROUNDS,
        maxInFlight: PROTOCOL_RATE,
        send: sender.send,
      });
      slices.get(name)?.push(slice);
    }
    progress(`per protocol: round ${round + 1}/${PROTOCOL_ROUNDS} done`);
  }
  for (const { sender } of senders) sender.close();
  const byProtocol = new Map<string, Pooled>();
  for (const [name, runs] of slices) {
    const pooled = pool(runs);
    byProtocol.set(name, pooled);
    progress(
      `${name}: ${pooled.ok} ok, ${pooled.errors} errors, p50 ${ms2(pooled.latency.p50)} ms, p99 ${ms2(pooled.latency.p99)} ms`,
    );
  }
  const others = [
    { name: 'grpc-js server', url: grpcjs.url },
    ...(python ? [{ name: 'Python grpcio server', url: python.url }] : []),
  ];
  const nativeByProtocol = h2loadAvailable() ? nativePerProtocol(ours.url, others) : undefined;
  await python?.stop();
  await grpcjs.stop();
  await ours.stop();
  pinSelf(pinning?.all); // the App API part runs its own process tree, unpinned
  const names = [...byProtocol.keys()];
  const pick = (q: 'p50' | 'p90' | 'p99') =>
    names.map((n) => (byProtocol.get(n) as Pooled).latency[q]);
  charts.push({
    file: 'latency-per-protocol',
    kind: 'bar',
    title: `IsRegistered latency per protocol at ${PROTOCOL_RATE} req/s (open loop)`,
    yLabel: 'ms',
    groups: names,
    series: [
      { name: 'p50', values: pick('p50') },
      { name: 'p90', values: pick('p90') },
      { name: 'p99', values: pick('p99') },
    ],
  });
  const grpcOurs = byProtocol.get('gRPC') as Pooled;
  const versus = (name: string, baselineName: string, bar?: Comparison['bar']) => {
    const other = byProtocol.get(name);
    if (!other) return;
    comparisons.push({
      metric: `IsRegistered p99 at ${PROTOCOL_RATE} req/s open loop, gRPC (ms)`,
      ours: grpcOurs.latency.p99,
      baseline: other.latency.p99,
      baselineName,
      unit: 'ms',
      higherIsBetter: false,
      ...(bar ? { bar } : {}),
    });
  };
  const serverBar = { ratio: 1 / 1.2, text: 'p99 ≤ 1.2× grpc-js' };
  // With h2load the bar is judged on the servers alone; our generator's figures include its own
  // client's garbage collection, which dominates a p99 at this rate.
  versus(
    'grpc-js server',
    'plain @grpc/grpc-js server (our client)',
    nativeByProtocol ? undefined : serverBar,
  );
  versus('grpc-js client', 'plain @grpc/grpc-js client (our server)');
  versus('Python grpcio server', 'Python grpcio server (our client)');
  const nativeGrpc = nativeByProtocol?.get('gRPC');
  for (const [name, bar] of [
    ['grpc-js server', serverBar],
    ['Python grpcio server', undefined],
  ] as const) {
    const other = nativeByProtocol?.get(name);
    if (!nativeGrpc || !other) continue;
    comparisons.push({
      metric: `IsRegistered p99 at ${PROTOCOL_RATE} req/s from h2load, gRPC, server alone (ms)`,
      ours: nativeGrpc.latency.p99,
      baseline: other.latency.p99,
      baselineName:
        name === 'grpc-js server' ? 'plain @grpc/grpc-js server' : 'Python grpcio server',
      unit: 'ms',
      higherIsBetter: false,
      ...(bar ? { bar } : {}),
    });
  }
  if (nativeByProtocol) {
    const native = [...nativeByProtocol];
    charts.push({
      file: 'server-latency-per-protocol',
      kind: 'bar',
      title: `Servers alone: IsRegistered latency per protocol at ${PROTOCOL_RATE} req/s (h2load)`,
      yLabel: 'ms',
      groups: native.map(([n]) =>
        n === 'gRPC' || n === 'gRPC-Web' || n === 'Connect' ? `chain-server ${n}` : n,
      ),
      series: (['p50', 'p90', 'p99'] as const).map((q) => ({
        name: q,
        values: native.map(([, r]) => r.latency[q]),
      })),
    });
    notes.push(
      `Servers alone, from h2load (${PROTOCOL_RATE} req/s, ${PROTOCOL_MS / 1000} s each; p50 / p99 ms, errors): ${native
        .map(([n, r]) => `${n} ${ms2(r.latency.p50)} / ${ms2(r.latency.p99)}, ${r.errors}`)
        .join('; ')}. gRPC, gRPC-Web and Connect are chain-server; the others answer gRPC.`,
    );
  }
  notes.push(
    `Per protocol (${PROTOCOL_RATE} req/s, ${PROTOCOL_MS / 1000} s each in ${PROTOCOL_ROUNDS} interleaved slices, latencies pooled; p50 / p99 ms, errors): ${names
      .map((n) => {
        const r = byProtocol.get(n) as Pooled;
        return `${n} ${ms2(r.latency.p50)} / ${ms2(r.latency.p99)}, ${r.errors}`;
      })
      .join('; ')}.${python ? '' : ` Python grpcio server: not measured (${pythonMissing}).`}`,
  );

  // ---- 3. the App API target -------------------------------------------------------------------
  // `--chain-only` re-measures the Chain server's sections without the App API's (minutes).
  const app = process.argv.includes('--chain-only')
    ? undefined
    : await measureAppApi().catch((e: unknown) => {
        progress(`App API: not measured: ${(e as Error).stack ?? e}`);
        notes.push(`App API cached story read: **not measured**: ${(e as Error).message}`);
        return undefined;
      });
  if (app) {
    targets.push(...app.targets);
    comparisons.push(...app.comparisons);
    charts.push(...app.charts);
    notes.push(...app.notes);
  }

  emit({ name: 'service-level targets (open loop)', comparisons, targets, charts, notes });
}

await main();
process.exit(0);
