/**
 * @mystira/chain-server against a plain @grpc/grpc-js server running the same handler logic (and,
 * for the JSON "REST" path, a minimal Fastify endpoint calling the same handlers), in one run.
 *
 * Each server runs in its own child process (so its CPU per call can be read).
 *
 * Server-bound throughput (issue 23's method, the rows its bars are read from): h2load, a native
 * HTTP/2 generator pinned to its own core, drives unary IsRegistered over gRPC in a closed loop
 * (one connection, 64 streams in flight) against ours, the grpc-js + @grpc/proto-loader server and
 * the raw node:http2 ceiling, each server's event loop pinned to the other core; rounds of a few
 * seconds in rotated order, medians of calls/s, p50, p99 and server CPU per call (from /proc).
 * There the server, not the client, is the bottleneck.
 *
 * Then, with the load generator here (one grpc-js client process, which near 64 in flight is
 * close to its own limit, so calls/s ratios compress toward 1×): unary IsRegistered and
 * RegisterIpAsset at concurrency 1/16/64 over:
 *   - gRPC (HTTP/2, one grpc-js client channel per server) against ours and against grpc-js with
 *     @grpc/proto-loader (the primary baseline), grpc-js with protobuf-es, a raw node:http2
 *     server framing gRPC by hand (the ceiling), ours through the Connect router only and, when
 *     installed, the Python grpcio server (see lib/grpc-baselines.ts, lib/python-chain-server.ts);
 *   - Connect binary (HTTP/2) against ours;
 *   - Connect JSON over HTTP/1.1 (keep-alive, one socket per concurrent caller) against ours and
 *     the Fastify endpoint.
 * Reported: req/s, p50, p99, server CPU per call (µs), bytes on the wire per request (measured
 * through a counting TCP proxy in a separate short pass, so the proxy never skews throughput).
 *
 * `node bench/chain-server.bench.ts [--smoke] [--h2load-only] [--rounds <n>] [--no-pin]`;
 * `--serve <kind>` is the child-process mode.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { create, fromJson, toBinary, toJson } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  ChainService,
  ContributorType,
  IsRegisteredRequestSchema,
  RegisterIpAssetRequestSchema,
} from '@mystira/chain-protos';
import {
  type ChainHandlers,
  createChainHandlers,
  createChainServer,
  DevnetLedger,
} from '@mystira/chain-server';
import {
  serveGrpcJsProtobufEs,
  serveGrpcJsProtoLoader,
  serveRawHttp2,
} from './lib/grpc-baselines.ts';
import { grpcFrame, h2loadAvailable, runH2loadClosedLoop } from './lib/h2load.ts';
import { pinMainThread, pinning } from './lib/processes.ts';
import { processCpuUs, startPythonChainServer } from './lib/python-chain-server.ts';
import { type Comparison, emit, flag, progress, smoke } from './lib/report.ts';

/** grpcjs: grpc-js + @grpc/proto-loader; grpcjs-es: grpc-js + protobuf-es; h2raw: the ceiling. */
type Kind = 'ours' | 'ours-connect' | 'ours-other' | 'grpcjs' | 'grpcjs-es' | 'h2raw' | 'fastify';
/**
 * `--other-build <path to a dist/index.js of @mystira/chain-server>`: that build (e.g. of an
 * earlier commit) joins the server-bound rounds as one more server, for before/after ratios
 * measured side by side.
 */
const OTHER_BUILD = flag('other-build');
const SEEDED = 'bench-seeded-content';
const NEVER = new AbortController().signal;
/** The primary grpc-js baseline: grpc-js as its users run it. */
const GRPCJS_LOADER = 'grpc-js + @grpc/proto-loader (protobufjs)';
const RAW_CEILING = 'raw node:http2, gRPC framed by hand, same handlers (ceiling)';
/** The rows driven from this process through one grpc-js client channel per server. */
const GRPC_CLIENT = 'gRPC, grpc-js client';
const WALLETS = [
  '0x1111111111111111111111111111111111111111',
  '0x2222222222222222222222222222222222222222',
];

// ------------------------------------------------------------------------------------ servers --

async function seededLedger(): Promise<DevnetLedger> {
  const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
  await ledger.registerAsset({
    contentId: SEEDED,
    title: 'seeded',
    contributors: [{ wallet: WALLETS[0] as string, type: ContributorType.AUTHOR, shareBps: 10000 }],
  });
  ledger.mine();
  return ledger;
}

/** A minimal Fastify JSON endpoint per RPC doing the same work: JSON in, same handler, JSON out. */
async function serveFastify(handlers: ChainHandlers): Promise<number> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  for (const m of ChainService.methods) {
    if (m.methodKind !== 'unary') continue;
    const h = (
      handlers as unknown as Record<
        string,
        (req: unknown, call: { signal: AbortSignal }) => Promise<unknown>
      >
    )[m.localName] as (req: unknown, call: { signal: AbortSignal }) => Promise<unknown>;
    app.post(`/${ChainService.typeName}/${m.name}`, async (request) => {
      const res = await h(fromJson(m.input, request.body as never, { ignoreUnknownFields: true }), {
        signal: NEVER,
      });
      return toJson(m.output, res as never);
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as net.AddressInfo).port;
}

async function serve(kind: Kind): Promise<void> {
  const ledger = await seededLedger();
  let port: number;
  if (kind === 'ours' || kind === 'ours-connect') {
    // ours-connect: the same server with every call through the Connect router (no lean path).
    const server = createChainServer({ ledger, fastPath: kind === 'ours' });
    port = (await server.listen(0)).port;
  } else if (kind === 'ours-other') {
    const other = (await import(OTHER_BUILD as string)) as {
      createChainServer: typeof createChainServer;
    };
    port = (await other.createChainServer({ ledger }).listen(0)).port;
  } else {
    const handlers = createChainHandlers({ ledger });
    const bind = {
      grpcjs: serveGrpcJsProtoLoader,
      'grpcjs-es': serveGrpcJsProtobufEs,
      h2raw: serveRawHttp2,
      fastify: serveFastify,
    }[kind];
    port = await bind(handlers);
  }
  let base = process.cpuUsage();
  process.on('message', (msg: string) => {
    if (msg === 'reset') base = process.cpuUsage();
    if (msg === 'cpu') {
      const d = process.cpuUsage(base);
      process.send?.({ cpuUs: d.user + d.system });
    }
    if (msg === 'exit') process.exit(0);
  });
  // Never outlive the benchmark, even when it dies.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port });
}

interface Child {
  port: number;
  pid: number;
  reset(): void;
  cpuUs(): Promise<number>;
  stop(): void;
}

/** The Python grpcio server as a Child, its CPU read from /proc; or why it cannot run. */
async function startPythonChild(): Promise<Child | string> {
  const python = await startPythonChainServer().catch((e: unknown) => (e as Error).message);
  if (typeof python === 'string') return python;
  let base = processCpuUs(python.pid);
  return {
    port: python.port,
    pid: python.pid,
    reset: () => {
      base = processCpuUs(python.pid);
    },
    cpuUs: async () => processCpuUs(python.pid) - base,
    stop: () => void python.stop(),
  };
}

function startChild(kind: Kind): Promise<Child> {
  const other = OTHER_BUILD ? ['--other-build', OTHER_BUILD] : [];
  const proc = spawn(process.execPath, [import.meta.filename, '--serve', kind, ...other], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('message', (m: { port: number }) =>
      resolve({
        port: m.port,
        pid: proc.pid as number,
        reset: () => proc.send('reset'),
        cpuUs: () =>
          new Promise(
            (r) => proc.once('message', (x: { cpuUs: number }) => r(x.cpuUs)) && proc.send('cpu'),
          ),
        stop: () => proc.send('exit'),
      }),
    );
  });
}

// ------------------------------------------------------------------------------------ clients --

type Rpc = 'IsRegistered' | 'RegisterIpAsset';
let seq = 0;

function requestOf(rpc: Rpc) {
  if (rpc === 'IsRegistered') return create(IsRegisteredRequestSchema, { contentId: SEEDED });
  seq++;
  return create(RegisterIpAssetRequestSchema, {
    contentId: `bench-${process.pid}-${seq}`,
    contentTitle: 'A benchmark title',
    contributors: [
      {
        walletAddress: WALLETS[0] as string,
        contributorType: ContributorType.AUTHOR,
        shareBasisPoints: 6000,
      },
      {
        walletAddress: WALLETS[1] as string,
        contributorType: ContributorType.ARTIST,
        shareBasisPoints: 4000,
      },
    ],
    idempotencyKey: `bench-key-${process.pid}-${seq}`,
  });
}
const inputOf = (rpc: Rpc) =>
  rpc === 'IsRegistered' ? IsRegisteredRequestSchema : RegisterIpAssetRequestSchema;

type Caller = { call(rpc: Rpc): Promise<void>; close(): void };

function grpcCaller(port: number): Caller {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const id = (b: Buffer) => b;
  return {
    call: (rpc) =>
      new Promise((resolve, reject) => {
        const bytes = Buffer.from(toBinary(inputOf(rpc), requestOf(rpc) as never));
        client.makeUnaryRequest(`/${ChainService.typeName}/${rpc}`, id, id, bytes, (err) =>
          err ? reject(err) : resolve(),
        );
      }),
    close: () => client.close(),
  };
}

function readAll(
  stream: NodeJS.ReadableStream,
  done: (status: number | undefined, body: Buffer) => void,
  status?: number,
) {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(status, Buffer.concat(chunks)));
}

function connectBinaryCaller(port: number): Caller {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  return {
    call: (rpc) =>
      new Promise((resolve, reject) => {
        const body = toBinary(inputOf(rpc), requestOf(rpc) as never);
        const req = session.request({
          ':method': 'POST',
          ':path': `/${ChainService.typeName}/${rpc}`,
          'content-type': 'application/proto',
          'connect-protocol-version': '1',
        });
        let status = 0;
        req.on('response', (h) => {
          status = Number(h[':status']);
        });
        req.on('error', reject);
        readAll(req, () => (status === 200 ? resolve() : reject(new Error(`HTTP ${status}`))));
        req.end(body);
      }),
    close: () => session.close(),
  };
}

function jsonCaller(port: number, concurrency: number): Caller {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  return {
    call: (rpc) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify(toJson(inputOf(rpc), requestOf(rpc) as never));
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/${ChainService.typeName}/${rpc}`,
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) =>
            readAll(
              res,
              (s) => (s === 200 ? resolve() : reject(new Error(`HTTP ${s}`))),
              res.statusCode,
            ),
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

// ---------------------------------------------------------------------------------- measuring --

interface Result {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerCall: number;
}

interface Contender {
  make: () => Caller;
  child: Child;
}

/**
 * Measures contenders against each other in alternating rounds (A B C, B C A, C A B, ...), so that
 * load from other processes on a shared machine falls on all of them alike; the figures of each
 * contender are pooled over its rounds.
 */
async function contest(
  contenders: Contender[],
  rpc: Rpc,
  concurrency: number,
  ms: number,
): Promise<Result[]> {
  const rounds = smoke ? 1 : 3;
  const callers = contenders.map((x) => x.make());
  const pooled = contenders.map(() => ({ latencies: [] as number[], elapsed: 0, cpu: 0 }));
  for (const caller of callers) {
    const warm = Date.now() + (smoke ? 20 : 300);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < warm) await caller.call(rpc);
      }),
    );
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (k + round) % contenders.length;
      const caller = callers[idx] as Caller;
      const child = (contenders[idx] as Contender).child;
      const acc = pooled[idx] as (typeof pooled)[number];
      child.reset();
      const start = performance.now();
      const end = start + ms / rounds;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            const t = performance.now();
            await caller.call(rpc);
            acc.latencies.push(performance.now() - t);
          }
        }),
      );
      acc.elapsed += (performance.now() - start) / 1000;
      acc.cpu += await child.cpuUs();
    }
  }
  for (const caller of callers) caller.close();
  return pooled.map(({ latencies, elapsed, cpu }) => {
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      rps: latencies.length / elapsed,
      p50: at(0.5),
      p99: at(0.99),
      cpuUsPerCall: cpu / latencies.length,
    };
  });
}

// ------------------------------------------------------------------ server-bound (h2load) --

const H2LOAD_STREAMS = 64;
const H2LOAD_ROUND_S = smoke ? 1 : Number(flag('round-seconds') ?? 3);
const H2LOAD_ROUNDS = smoke ? 1 : Number(flag('rounds') ?? 10);
/** `--grpc-timeout 10S`: every server-bound call carries that deadline (the issue's runs do not). */
const H2LOAD_DEADLINE = flag('grpc-timeout');

interface Round {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerCall: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** One closed-loop h2load round against `child`, its CPU per call read from /proc. */
async function h2loadRound(child: Child, body: Uint8Array, seconds: number): Promise<Round> {
  const cpuBefore = processCpuUs(child.pid);
  const r = await runH2loadClosedLoop({
    url: `http://127.0.0.1:${child.port}/${ChainService.typeName}/IsRegistered`,
    body,
    streams: H2LOAD_STREAMS,
    durationSeconds: seconds,
    headers: H2LOAD_DEADLINE ? [`grpc-timeout: ${H2LOAD_DEADLINE}`] : [],
    cpus: pinning?.generator,
  });
  const cpu = processCpuUs(child.pid) - cpuBefore;
  if (r.errors > 0) throw new Error(`h2load: ${r.errors} of the round's requests failed`);
  return { rps: r.rps, p50: r.latency.p50, p99: r.latency.p99, cpuUsPerCall: cpu / r.done };
}

/**
 * Issue 23's throughput method: h2load drives IsRegistered over gRPC in a closed loop against
 * each server in turn, rounds in rotated order; medians per server. Each server's event loop is
 * pinned to one core and h2load to the other while this runs (then unpinned).
 */
async function serverBound(
  servers: Array<{ name: string; child: Child; bars?: 'primary' | 'ceiling' }>,
): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const body = grpcFrame(
    toBinary(IsRegisteredRequestSchema, create(IsRegisteredRequestSchema, { contentId: SEEDED })),
  );
  for (const { child } of servers) pinMainThread(child.pid, pinning?.server);
  const rounds = servers.map(() => [] as Round[]);
  try {
    // Warm-up: JIT and connection set-up, not measured (a smoke run only proves it works).
    if (!smoke) for (const { child } of servers) await h2loadRound(child, body, 1);
    for (let r = 0; r < H2LOAD_ROUNDS; r++) {
      // Rotated order: no server always runs first (or right after another) on a noisy machine.
      for (let i = 0; i < servers.length; i++) {
        const idx = (r + i) % servers.length;
        const server = servers[idx] as (typeof servers)[number];
        const round = await h2loadRound(server.child, body, H2LOAD_ROUND_S);
        rounds[idx]?.push(round);
        progress(
          `h2load round ${r + 1}/${H2LOAD_ROUNDS} ${server.name}: ${round.rps.toFixed(0)} calls/s, p99 ${round.p99.toFixed(2)} ms, ${round.cpuUsPerCall.toFixed(1)} µs CPU/call`,
        );
      }
    }
  } finally {
    for (const { child } of servers) pinMainThread(child.pid, pinning?.all);
  }
  const medians = rounds.map((rs) => ({
    rps: median(rs.map((x) => x.rps)),
    p50: median(rs.map((x) => x.p50)),
    p99: median(rs.map((x) => x.p99)),
    cpuUsPerCall: median(rs.map((x) => x.cpuUsPerCall)),
  }));
  const ours = medians[0] as Round;
  const where = `h2load, ${H2LOAD_STREAMS} streams${H2LOAD_DEADLINE ? `, grpc-timeout ${H2LOAD_DEADLINE}` : ''}`;
  const comparisons: Comparison[] = [];
  const notes = [
    `Server-bound: IsRegistered over gRPC from h2load (1 connection, ${H2LOAD_STREAMS} streams in flight${H2LOAD_DEADLINE ? `, grpc-timeout ${H2LOAD_DEADLINE}` : ''}, closed loop${pinning ? `, h2load on CPU ${pinning.generator}, each server's event loop on CPU ${pinning.server}` : ', unpinned'}), ${H2LOAD_ROUNDS} rounds of ${H2LOAD_ROUND_S} s per server in rotated order; medians. Server CPU per call from /proc (10 ms ticks).`,
    '',
    'Paired: the median over rotations of ours ÷ theirs (calls/s) and theirs ÷ ours (CPU/call) within the same rotation, which drift on a shared machine moves less than the medians.',
    '',
    '| server | calls/s | p50 (ms) | p99 (ms) | server CPU/call (µs) | paired calls/s × | paired CPU × |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const oursRounds = rounds[0] as Round[];
  for (const [i, server] of servers.entries()) {
    const m = medians[i] as Round;
    const theirs = rounds[i] as Round[];
    const paired = (f: (o: Round, t: Round) => number) =>
      median(oursRounds.map((o, r) => f(o, theirs[r] as Round))).toFixed(2);
    const pairedRps = i === 0 ? '' : paired((o, t) => o.rps / t.rps);
    const pairedCpu = i === 0 ? '' : paired((o, t) => t.cpuUsPerCall / o.cpuUsPerCall);
    notes.push(
      `| ${server.name} | ${m.rps.toFixed(0)} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} | ${m.cpuUsPerCall.toFixed(1)} | ${pairedRps} | ${pairedCpu} |`,
    );
    if (i === 0) continue;
    const primary = server.bars === 'primary';
    comparisons.push(
      {
        metric: `IsRegistered gRPC (${where}) calls/s`,
        ours: ours.rps,
        baseline: m.rps,
        baselineName: server.name,
        unit: 'calls/s',
        higherIsBetter: true,
        ...(primary
          ? { bar: { ratio: 1.2, text: 'issue 23: gRPC unary throughput ≥ 1.2× grpc-js' } }
          : {}),
        ...(server.bars === 'ceiling'
          ? { bar: { ratio: 0.8, text: 'issue 23: ≥ 0.8× the raw node:http2 ceiling' } }
          : {}),
      },
      {
        metric: `IsRegistered gRPC (${where}) server CPU per call`,
        ours: ours.cpuUsPerCall,
        baseline: m.cpuUsPerCall,
        baselineName: server.name,
        unit: 'µs',
        higherIsBetter: false,
        ...(primary
          ? { bar: { ratio: 1.2, text: 'issue 23: server CPU per call ≤ 1/1.2 of grpc-js' } }
          : {}),
      },
      {
        metric: `IsRegistered gRPC (${where}) p99`,
        ours: ours.p99,
        baseline: m.p99,
        baselineName: server.name,
        unit: 'ms',
        higherIsBetter: false,
      },
    );
  }
  notes.push('');
  return { comparisons, notes };
}

/** Bytes both ways per request, through a counting TCP proxy, at concurrency 1. */
async function wireBytes(
  port: number,
  make: (port: number) => Caller,
  rpc: Rpc,
  n: number,
): Promise<number> {
  let bytes = 0;
  const proxy = net.createServer((downstream) => {
    const upstream = net.connect(port, '127.0.0.1');
    downstream.on('data', (d) => {
      bytes += d.length;
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      bytes += d.length;
      downstream.write(d);
    });
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
    downstream.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const caller = make((proxy.address() as net.AddressInfo).port);
  for (let i = 0; i < (smoke ? 3 : 20); i++) await caller.call(rpc); // connection set-up is not per request
  const before = bytes;
  for (let i = 0; i < n; i++) await caller.call(rpc);
  const per = (bytes - before) / n;
  caller.close();
  proxy.close();
  return per;
}

async function main(): Promise<void> {
  const h2loadOnly = process.argv.includes('--h2load-only');
  // One server process per protocol family, so each serves as many calls as its baseline and
  // none carries the others' heap (RegisterIpAsset grows the devnet and idempotency store).
  const [ours, grpcjs, h2raw] = await Promise.all([
    startChild('ours'),
    startChild('grpcjs'),
    startChild('h2raw'),
  ]);
  const comparisons: Comparison[] = [];
  const notes: string[] = [];
  const other = OTHER_BUILD ? await startChild('ours-other') : undefined;
  const h2loadServers: Array<{ name: string; child: Child; bars?: 'primary' | 'ceiling' }> = [
    { name: 'chain-server', child: ours },
    { name: GRPCJS_LOADER, child: grpcjs, bars: 'primary' },
    { name: RAW_CEILING, child: h2raw, bars: 'ceiling' },
    ...(other ? [{ name: `chain-server built at ${OTHER_BUILD}`, child: other }] : []),
  ];
  const serverBoundRan = h2loadAvailable();
  if (serverBoundRan) {
    progress('IsRegistered gRPC from h2load (server-bound)');
    const bound = await serverBound(h2loadServers);
    comparisons.push(...bound.comparisons);
    notes.push(...bound.notes);
  } else {
    progress('h2load not installed: no server-bound rows');
    notes.push(
      'h2load not installed: no server-bound rows; the bars are read from the rows below.',
    );
  }
  other?.stop();
  if (h2loadOnly) {
    for (const c of [ours, grpcjs, h2raw]) c.stop();
    emit({ name: 'chain-server', comparisons, notes });
    return;
  }
  const [oursWeb, oursConnect, grpcjsEs, fastify] = await Promise.all([
    startChild('ours'),
    startChild('ours-connect'),
    startChild('grpcjs-es'),
    startChild('fastify'),
  ]);
  const python = await startPythonChild();
  if (typeof python === 'string') progress(`Python grpcio server not measured: ${python}`);
  const ms = smoke ? 100 : 4500;
  const levels = smoke ? [16] : [1, 16, 64];
  const table: string[] = [
    'rpc | protocol | server | c | req/s | p50 ms | p99 ms | server CPU µs/call',
  ];
  const row = (rpc: Rpc, proto: string, server: string, c: number, r: Result) =>
    table.push(
      `${rpc} | ${proto} | ${server} | ${c} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuUsPerCall.toFixed(0)}`,
    );
  /** Every gRPC server, ours first, then the baselines in the order of the report's rows. */
  const grpcServers: Array<{ name: string; child: Child; bars?: 'primary' | 'ceiling' }> = [
    { name: 'chain-server', child: ours },
    { name: GRPCJS_LOADER, child: grpcjs, bars: 'primary' },
    { name: 'grpc-js + protobuf-es (same codec as ours)', child: grpcjsEs },
    { name: RAW_CEILING, child: h2raw, bars: 'ceiling' },
    { name: 'chain-server, Connect router only', child: oursConnect },
    ...(typeof python === 'string'
      ? []
      : [{ name: 'Python grpcio server (answers from memory, no ledger)', child: python }]),
  ];

  for (const rpc of ['IsRegistered', 'RegisterIpAsset'] as Rpc[]) {
    for (const c of levels) {
      // Interleave ours and the baselines so drift on a shared machine hits all alike.
      progress(`${rpc} c=${c} gRPC`);
      const results = await contest(
        grpcServers.map(({ child }) => ({ make: () => grpcCaller(child.port), child })),
        rpc,
        c,
        ms,
      );
      const gOurs = results[0] as Result;
      const gBase = results[1] as Result;
      for (const [i, server] of grpcServers.entries()) {
        const r = results[i] as Result;
        row(rpc, GRPC_CLIENT, server.name, c, r);
        if (i === 0 || server.name === 'chain-server, Connect router only') continue;
        const primary = server.bars === 'primary';
        const ceiling = server.bars === 'ceiling';
        // Issue 23's bars are read from the server-bound (h2load) rows when h2load ran.
        const atC64 = c === 64 && !serverBoundRan;
        comparisons.push({
          metric: `${rpc} ${GRPC_CLIENT} c=${c} req/s`,
          ours: gOurs.rps,
          baseline: r.rps,
          baselineName: server.name,
          unit: 'req/s',
          higherIsBetter: true,
          ...(primary && atC64
            ? { bar: { ratio: 1.2, text: 'issue 23: gRPC unary throughput ≥ 1.2× grpc-js' } }
            : {}),
          ...(ceiling && atC64
            ? { bar: { ratio: 0.8, text: 'issue 23: ≥ 0.8× the raw node:http2 ceiling' } }
            : {}),
        });
        comparisons.push({
          metric: `${rpc} ${GRPC_CLIENT} c=${c} server CPU per call`,
          ours: gOurs.cpuUsPerCall,
          baseline: r.cpuUsPerCall,
          baselineName: server.name,
          unit: 'µs',
          higherIsBetter: false,
          ...(primary && atC64
            ? { bar: { ratio: 1.2, text: 'issue 23: server CPU per call ≤ 1/1.2 of grpc-js' } }
            : {}),
        });
        if (primary)
          comparisons.push({
            metric: `${rpc} ${GRPC_CLIENT} c=${c} p99`,
            ours: gOurs.p99,
            baseline: r.p99,
            baselineName: server.name,
            unit: 'ms',
            higherIsBetter: false,
            ...(c === 16 ? { bar: { ratio: 1 / 1.2, text: 'p99 at c=16 ≤ 1.2× grpc-js' } } : {}),
          });
      }

      progress(`${rpc} c=${c} Connect binary`);
      const [bOurs] = (await contest(
        [{ make: () => connectBinaryCaller(oursWeb.port), child: oursWeb }],
        rpc,
        c,
        ms,
      )) as [Result];
      row(rpc, 'Connect binary h2', 'chain-server', c, bOurs);
      comparisons.push({
        metric: `${rpc} Connect binary (h2) c=${c} req/s`,
        ours: bOurs.rps,
        baseline: gBase.rps,
        baselineName: `${GRPCJS_LOADER} over gRPC (grpc-js client)`,
        unit: 'req/s',
        higherIsBetter: true,
      });

      progress(`${rpc} c=${c} Connect JSON / HTTP/1.1`);
      const [jOurs, jBase] = (await contest(
        [
          { make: () => jsonCaller(oursWeb.port, c), child: oursWeb },
          { make: () => jsonCaller(fastify.port, c), child: fastify },
        ],
        rpc,
        c,
        ms,
      )) as [Result, Result];
      row(rpc, 'Connect JSON h1', 'chain-server', c, jOurs);
      row(rpc, 'JSON h1', 'fastify', c, jBase);
      comparisons.push({
        metric: `${rpc} Connect JSON (HTTP/1.1) c=${c} req/s`,
        ours: jOurs.rps,
        baseline: jBase.rps,
        baselineName: 'minimal Fastify JSON endpoint, same handlers',
        unit: 'req/s',
        higherIsBetter: true,
        ...(c === 16
          ? { bar: { ratio: 0.5, text: 'Connect JSON over HTTP/1.1 ≥ 0.5× Fastify' } }
          : {}),
      });
    }
  }

  progress('bytes on the wire');
  const n = smoke ? 5 : 200;
  for (const rpc of ['IsRegistered', 'RegisterIpAsset'] as Rpc[]) {
    const ourGrpc = await wireBytes(ours.port, grpcCaller, rpc, n);
    const baseGrpc = await wireBytes(grpcjs.port, grpcCaller, rpc, n);
    const ourJson = await wireBytes(oursWeb.port, (p) => jsonCaller(p, 1), rpc, n);
    const baseJson = await wireBytes(fastify.port, (p) => jsonCaller(p, 1), rpc, n);
    const ourBin = await wireBytes(oursWeb.port, connectBinaryCaller, rpc, n);
    comparisons.push(
      {
        metric: `${rpc} gRPC bytes on the wire per request`,
        ours: ourGrpc,
        baseline: baseGrpc,
        baselineName: GRPCJS_LOADER,
        unit: 'B',
        higherIsBetter: false,
      },
      {
        metric: `${rpc} Connect JSON bytes on the wire per request`,
        ours: ourJson,
        baseline: baseJson,
        baselineName: 'Fastify JSON endpoint',
        unit: 'B',
        higherIsBetter: false,
      },
      {
        metric: `${rpc} Connect binary (h2) bytes on the wire per request`,
        ours: ourBin,
        baseline: baseGrpc,
        baselineName: `${GRPCJS_LOADER} over gRPC`,
        unit: 'B',
        higherIsBetter: false,
      },
    );
  }
  for (const c of [ours, oursWeb, oursConnect, grpcjs, grpcjsEs, h2raw, fastify]) c.stop();
  if (typeof python !== 'string') python.stop();
  for (const line of table) process.stderr.write(`  ${line}\n`);
  notes.push(
    'Below the server-bound rows: servers in child processes, load from one client process on the same 2-core machine (its calls/s ratios compress toward 1× near the client’s own limit).',
    'gRPC client: one @grpc/grpc-js channel per server (pre-serialised request, bytes passed through). Connect JSON client: node:http keep-alive, one socket per caller.',
    `The primary grpc-js baseline loads the protos with @grpc/proto-loader (protobufjs, camelCase, longs as strings, defaults on), as grpc-js services do; grpc-js + protobuf-es is the same server with our codec. The raw node:http2 server reads the frame, decodes with protobuf-es, calls the same handler and writes the frame and trailers by hand (no deadlines, limits or admission): the ceiling. The Python grpcio server (packages/chain-client/test/python, ThreadPoolExecutor of 8) answers from memory; its CPU is read from /proc (10 ms ticks).`,
    ...table,
  );
  emit({ name: 'chain-server', comparisons, notes });
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) await serve(process.argv[serveAt + 1] as Kind);
else await main();
