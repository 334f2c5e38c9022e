/**
 * What observability costs the example Chain host (examples/chain-server: OpenTelemetry spans,
 * Prometheus metrics, pino): the same host, in its own process, with telemetry off
 * (OTEL_SDK_DISABLED=true), on with parent-based trace-id-ratio sampling (the OpenTelemetry
 * default for production; ratio from `--ratio`, default 0.1) and on with every call sampled,
 * spans exported over OTLP to a local sink in this process (written as protobuf as each span ends,
 * the host's default, and once more by the SDK's BatchSpanProcessor and OTLPTraceExporter,
 * SPAN_EXPORT=sdk). h2load drives unary IsRegistered over gRPC at
 * a fixed concurrency (closed loop), round after round in rotated order; the report
 * takes the medians of calls/s, p50, p99 and the server's CPU per call (from /proc), all of it and
 * its event loop's (main thread) alone: the rest is V8's collector threads and
 * libuv's pool.
 * Issue 23's bar: with telemetry on, ≥ 0.9× the calls/s and ≤ 1.1× the p99 of telemetry off.
 *
 * Flags: `--ratio 0.1`, `--rounds 10`, `--round-seconds 5`, `--modes off,ratio` (a subset of
 * off, ratio, always-on, sdk; telemetry off is always run, as the baseline), `--smoke`.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { createChainClient } from '@mystira/chain-client';
import { ChainService, IsRegisteredRequestSchema } from '@mystira/chain-protos';
import { grpcFrame, h2loadAvailable, runH2loadClosedLoop } from './lib/h2load.ts';
import { freePort, pinMainThread, pinning, spawnChild, waitFor } from './lib/processes.ts';
import { type Comparison, emit, flag, progress, smoke } from './lib/report.ts';

const repo = join(import.meta.dirname, '..');
const CONTENT_ID = 'bench-observability';
const BODY = grpcFrame(
  toBinary(IsRegisteredRequestSchema, create(IsRegisteredRequestSchema, { contentId: CONTENT_ID })),
);
const RATIO = Number(flag('ratio') ?? 0.1);
const STREAMS = smoke ? 16 : 64;
const ROUND_S = Number(flag('round-seconds') ?? (smoke ? 1 : 5));
const ROUNDS = Number(flag('rounds') ?? (smoke ? 1 : 10));
/** The modes to run besides telemetry off (all by default). */
const ONLY = flag('modes')?.split(',');

interface Mode {
  name: string;
  /** Its name for `--modes`. */
  key: string;
  env: NodeJS.ProcessEnv;
}

/** A stand-in OTLP collector: takes every export, answers 200 with an empty body. */
async function startSink(): Promise<{ url: string; bytes: () => number; close(): void }> {
  let received = 0;
  const sink = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const { port } = sink.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, bytes: () => received, close: () => sink.close() };
}

interface Host {
  mode: Mode;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startHost(mode: Mode): Promise<Host> {
  const port = await freePort();
  const child = spawnChild(process.execPath, [join(repo, 'examples/chain-server/src/main.ts')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SECOND: 'off',
      METRICS_PORT: 'off',
      ...mode.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = createChainClient({ baseUrl: url, protocol: 'grpc', retry: false });
  await waitFor(() => probe.isRegistered(CONTENT_ID, { timeoutMs: 500 }));
  probe.close();
  pinMainThread(child.proc.pid, pinning?.server);
  return { mode, url, pid: child.proc.pid as number, stop: () => child.stop() };
}

/**
 * user + system CPU in µs, from /proc (clock ticks of 10 ms): of the whole process, or of its main
 * thread (whose thread id is the process id) with `mainThread`.
 */
function cpuMicros(pid: number, mainThread = false): number {
  const stat = readFileSync(
    mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`,
    'utf8',
  );
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerCall: number;
  mainCpuUsPerCall: number;
}

/**
 * One closed-loop round: one connection, STREAMS calls in flight, ROUND_S seconds after a second
 * of warm-up. h2load runs without blocking this event loop: the OTLP sink here must keep taking
 * the hosts' exports meanwhile.
 */
async function round(host: Host): Promise<Round> {
  const cpuBefore = cpuMicros(host.pid);
  const mainBefore = cpuMicros(host.pid, true);
  const r = await runH2loadClosedLoop({
    url: `${host.url}/${ChainService.typeName}/IsRegistered`,
    body: BODY,
    streams: STREAMS,
    durationSeconds: ROUND_S,
    warmUpSeconds: 1,
    ...(pinning && { cpus: pinning.generator }),
  });
  const cpu = cpuMicros(host.pid) - cpuBefore;
  const main = cpuMicros(host.pid, true) - mainBefore;
  // CPU covers the warm-up second too: divide by every call answered in the round.
  return {
    rps: r.rps,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuUsPerCall: cpu / r.done,
    mainCpuUsPerCall: main / r.done,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

if (!h2loadAvailable()) {
  emit({ name: 'Observability overhead', comparisons: [], notes: ['h2load not installed'] });
  process.exit(0);
}
const sink = await startSink();
const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_METRIC_EXPORT_INTERVAL: '10000' };
const allModes: Mode[] = [
  { name: 'telemetry off', key: 'off', env: { OTEL_SDK_DISABLED: 'true' } },
  {
    name: `parent-based ratio ${RATIO}`,
    key: 'ratio',
    env: {
      ...otlp,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: String(RATIO),
    },
  },
  { name: 'always on', key: 'always-on', env: { ...otlp, OTEL_TRACES_SAMPLER: 'always_on' } },
  // The SDK's own export instead: what writing each span as it ends saves.
  {
    name: "always on, the SDK's BatchSpanProcessor",
    key: 'sdk',
    env: { ...otlp, OTEL_TRACES_SAMPLER: 'always_on', SPAN_EXPORT: 'sdk' },
  },
];
const modes = allModes.filter((m) => m.key === 'off' || !ONLY || ONLY.includes(m.key));
progress(
  `starting examples/chain-server ×${modes.length} (${modes.map((m) => m.name).join(', ')})`,
);
const hosts: Host[] = [];
try {
  for (const mode of modes) hosts.push(await startHost(mode));
  const rounds = new Map<string, Round[]>(modes.map((m) => [m.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Rotated order: no mode always runs first (or right after another) on a noisy machine.
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[(r + i) % hosts.length] as Host;
      const result = await round(host);
      rounds.get(host.mode.name)?.push(result);
      progress(
        `round ${r + 1}/${ROUNDS} ${host.mode.name}: ${result.rps.toFixed(0)} calls/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.cpuUsPerCall.toFixed(0)} µs CPU/call (${result.mainCpuUsPerCall.toFixed(0)} on the event loop)`,
      );
    }
  }
  const medians = new Map(
    [...rounds].map(([name, rs]) => [
      name,
      {
        rps: median(rs.map((x) => x.rps)),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        cpuUsPerCall: median(rs.map((x) => x.cpuUsPerCall)),
        mainCpuUsPerCall: median(rs.map((x) => x.mainCpuUsPerCall)),
      },
    ]),
  );
  const off = medians.get('telemetry off') as Round;
  const comparisons: Comparison[] = [];
  const table = [
    `IsRegistered over gRPC from h2load (1 connection, ${STREAMS} in flight), ${ROUNDS} rounds of ${ROUND_S} s per mode in rotated order; medians.`,
    '',
    '| mode | calls/s | × off, round by round: median (range) | p50 (ms) | p99 (ms) | server CPU/call (µs) | of it on the event loop (µs) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const offRounds = rounds.get('telemetry off') as Round[];
  for (const [name, m] of medians) {
    // Each round's calls/s against telemetry off's in the same round (run back to back), so that
    // a slow stretch of a shared machine weighs on both sides of the ratio.
    const paired = (rounds.get(name) as Round[]).map((x, i) => x.rps / (offRounds[i] as Round).rps);
    const pairedText = `${median(paired).toFixed(2)} (${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)})`;
    table.push(
      `| ${name} | ${m.rps.toFixed(0)} | ${pairedText} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} | ${m.cpuUsPerCall.toFixed(0)} | ${m.mainCpuUsPerCall.toFixed(0)} |`,
    );
    if (name === 'telemetry off') continue;
    const baselineName = 'the same host, telemetry off';
    comparisons.push(
      {
        metric: `example Chain host, ${name}: IsRegistered calls/s`,
        ours: m.rps,
        baseline: off.rps,
        baselineName,
        unit: 'calls/s',
        higherIsBetter: true,
        bar: { ratio: 0.9, text: '≥ 0.9× telemetry off (issue 23)' },
      },
      {
        metric: `example Chain host, ${name}: IsRegistered p99`,
        ours: m.p99,
        baseline: off.p99,
        baselineName,
        unit: 'ms',
        higherIsBetter: false,
        bar: { ratio: 1 / 1.1, text: '≤ 1.1× telemetry off (issue 23)' },
      },
      {
        metric: `example Chain host, ${name}: server CPU per call`,
        ours: m.cpuUsPerCall,
        baseline: off.cpuUsPerCall,
        baselineName,
        unit: 'µs',
        higherIsBetter: false,
      },
      {
        metric: `example Chain host, ${name}: server event-loop CPU per call`,
        ours: m.mainCpuUsPerCall,
        baseline: off.mainCpuUsPerCall,
        baselineName,
        unit: 'µs',
        higherIsBetter: false,
      },
    );
  }
  emit({
    name: 'Observability overhead',
    comparisons,
    notes: [
      ...table,
      '',
      `Spans exported over OTLP http/protobuf (each span written as protobuf as it ends; the SDK's BatchSpanProcessor where named) to a sink in the bench process (${(sink.bytes() / 1024).toFixed(0)} KiB received); access log off (LOG_LEVEL=warn), as deployed under load.`,
    ],
  });
} finally {
  await Promise.all(hosts.map((h) => h.stop()));
  sink.close();
}
