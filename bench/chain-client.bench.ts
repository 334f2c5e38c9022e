/**
 * @mystira/chain-client against the clients a Node service could use instead, against the same
 * server in the same run: @mystira/chain-server (devnet ledger) in its own child process, unary
 * IsRegistered (a read) at concurrency 64 (and 1 for latency), three clients in this process:
 *   - ours: `createChainClient({ protocol: 'grpc' })`, the facade with retries and the circuit
 *     breaker on (bigint/Date conversion, typed errors, deadline sent on every call);
 *   - wrapped: `client.raw`, the generated client on the very transport the facade wraps (the
 *     client's lean unary gRPC path on its pooled HTTP/2 sessions), without the facade;
 *   - bare Connect: the generated Connect client on connect-node's `createGrpcTransport`;
 *   - grpc-js: a plain `@grpc/grpc-js` client as its users write it, with a stub from
 *     `@grpc/proto-loader` (protobufjs); and, labelled, the same client with protobuf-es
 *     (de)serialisation, our codec.
 * Besides calls/s and latency, each round reads this process's CPU time per call: on a shared
 * machine throughput swings with the neighbours' load, CPU per call much less.
 * Rounds interleave the clients (ours, bare, grpc-js, ours, ...) so drift hits all alike; the
 * report takes each client's median round. `--serve` is the child-process mode.
 */
import { spawn } from 'node:child_process';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { createClient, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { createChainClient } from '@mystira/chain-client';
import {
  ChainService,
  ContributorType,
  IsRegisteredRequestSchema,
  IsRegisteredResponseSchema,
} from '@mystira/chain-protos';
import { createChainServer, DevnetLedger } from '@mystira/chain-server';
import { protoLoaderIsRegistered } from './lib/grpc-baselines.ts';
import { pinMainThread, pinning, pinSelf } from './lib/processes.ts';
import { type Comparison, emit, opsPerSecond, progress, smoke } from './lib/report.ts';

const SEEDED = 'bench-seeded-content';
/**
 * Every client sends the same 10 s deadline: ours always sends one (its default `timeoutMs`), so
 * the baselines do too, and the server does the same work for each (a deadline-carrying call is
 * not eligible for @mystira/chain-server's lean unary path, whichever client sends it).
 */
const DEADLINE_MS = 10_000;
/** The primary grpc-js baseline's name. */
const GRPCJS = 'grpc-js + @grpc/proto-loader';

async function serve(): Promise<void> {
  const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
  await ledger.registerAsset({
    contentId: SEEDED,
    title: 'seeded',
    contributors: [
      {
        wallet: '0x1111111111111111111111111111111111111111',
        type: ContributorType.AUTHOR,
        shareBps: 10000,
      },
    ],
  });
  ledger.mine();
  const server = createChainServer({ ledger });
  const { port } = await server.listen(0);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m) => m === 'exit' && process.exit(0));
  process.send?.({ port });
}

type Call = () => Promise<unknown>;
interface Client {
  name: string;
  call: Call;
  close(): void;
}

function ours(url: string): Client {
  const c = createChainClient({ baseUrl: url, protocol: 'grpc', timeoutMs: DEADLINE_MS }); // retries + breaker on by default
  return { name: 'ours', call: () => c.isRegistered(SEEDED), close: () => c.close() };
}

function wrapped(url: string): Client {
  const c = createChainClient({ baseUrl: url, protocol: 'grpc' });
  return {
    name: 'wrapped transport (client.raw)',
    call: () => c.raw.isRegistered({ contentId: SEEDED }, { timeoutMs: DEADLINE_MS }),
    close: () => c.close(),
  };
}

/** The client's transport (lean unary gRPC path) without a deadline: the issue's own setting. */
function wrappedNoDeadline(url: string): Client {
  const c = createChainClient({ baseUrl: url, protocol: 'grpc' });
  return {
    name: 'our transport, no deadline',
    call: () => c.raw.isRegistered({ contentId: SEEDED }),
    close: () => c.close(),
  };
}

function bareNoDeadline(url: string): Client {
  const c = createClient(ChainService, createGrpcTransport({ baseUrl: url }));
  return {
    name: 'bare Connect gRPC, no deadline',
    call: () => c.isRegistered({ contentId: SEEDED }),
    close: () => {},
  };
}

function grpcJsNoDeadline(port: number): Client {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const path = `/${ChainService.typeName}/IsRegistered`;
  const serialize = (m: never) => Buffer.from(toBinary(IsRegisteredRequestSchema, m));
  const deserialize = (b: Buffer) => fromBinary(IsRegisteredResponseSchema, b);
  return {
    name: 'grpc-js + protobuf-es, no deadline',
    call: () =>
      new Promise((resolve, reject) =>
        client.makeUnaryRequest(
          path,
          serialize,
          deserialize,
          create(IsRegisteredRequestSchema, { contentId: SEEDED }) as never,
          (e, r) => (e ? reject(e) : resolve(r)),
        ),
      ),
    close: () => client.close(),
  };
}

function bare(url: string): Client {
  const c = createClient(ChainService, createGrpcTransport({ baseUrl: url }));
  return {
    name: 'bare Connect gRPC',
    call: () => c.isRegistered({ contentId: SEEDED }, { timeoutMs: DEADLINE_MS }),
    close: () => {},
  };
}

/** grpc-js as its users run it: a stub from @grpc/proto-loader, plain objects (protobufjs). */
function grpcJsLoader(port: number, deadlineMs: number | undefined, name: string): Client {
  const stub = protoLoaderIsRegistered(port, deadlineMs);
  return { name, call: () => stub.call(SEEDED), close: stub.close };
}

function grpcJsProtobufEs(port: number): Client {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const path = `/${ChainService.typeName}/IsRegistered`;
  const serialize = (m: never) => Buffer.from(toBinary(IsRegisteredRequestSchema, m));
  const deserialize = (b: Buffer) => fromBinary(IsRegisteredResponseSchema, b);
  return {
    name: 'grpc-js + protobuf-es',
    call: () =>
      new Promise((resolve, reject) =>
        client.makeUnaryRequest(
          path,
          serialize,
          deserialize,
          create(IsRegisteredRequestSchema, { contentId: SEEDED }) as never,
          { deadline: Date.now() + DEADLINE_MS },
          (e, r) => (e ? reject(e) : resolve(r)),
        ),
      ),
    close: () => client.close(),
  };
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of this (client) process per call, µs. */
  cpu: number;
}

/** `concurrency` callers loop for `ms`; returns calls/s and latency percentiles (ms). */
async function round(call: Call, concurrency: number, ms: number): Promise<Round> {
  const lat: number[] = [];
  const end = performance.now() + ms;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await call();
        lat.push(performance.now() - t);
      }
    }),
  );
  const secs = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return {
    rps: lat.length / secs,
    p50: pct(0.5),
    p99: pct(0.99),
    cpu: (cpu.user + cpu.system) / Math.max(1, lat.length),
  };
}

/**
 * The clients in a different order each round, so each follows every other equally often: a
 * client that allocates a lot leaves garbage that the next one's round pays to collect.
 */
const rotated = <T>(xs: T[], r: number): T[] => xs.map((_, k) => xs[(k + r) % xs.length] as T);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const child = spawn(process.execPath, [import.meta.filename, '--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: { port: number }) => resolve(m.port));
  });
  // The server's event loop and the clients' on cores of their own (see lib/processes.ts).
  pinMainThread(child.pid, pinning?.server);
  pinSelf(pinning?.generator);
  const url = `http://127.0.0.1:${port}`;
  const clients = [
    ours(url),
    wrapped(url),
    bare(url),
    grpcJsLoader(port, DEADLINE_MS, GRPCJS),
    grpcJsProtobufEs(port),
  ];
  const noDeadline = [
    wrappedNoDeadline(url),
    bareNoDeadline(url),
    grpcJsLoader(port, undefined, `${GRPCJS}, no deadline`),
    grpcJsNoDeadline(port),
  ];
  // Many short interleaved rounds: on a shared machine the neighbours' load comes in bursts, and
  // short slices spread those bursts evenly over the clients.
  const rounds = smoke ? 1 : 12;
  const ms = smoke ? 300 : 750;
  const results = new Map<string, { c64: Round[]; c1: Round[] }>(
    [...clients, ...noDeadline].map((c) => [c.name, { c64: [], c1: [] }]),
  );
  try {
    for (const c of clients) await round(c.call, 64, smoke ? 100 : 500); // warm-up: connections, JIT
    for (let r = 0; r < rounds; r++) {
      for (const c of rotated(clients, r)) {
        const res = await round(c.call, 64, ms);
        results.get(c.name)?.c64.push(res);
        progress(
          `round ${r + 1}/${rounds} c=64 ${c.name}: ${res.rps.toFixed(0)} calls/s, p99 ${res.p99.toFixed(2)} ms, ${res.cpu.toFixed(0)} µs CPU/call`,
        );
      }
      for (const c of rotated(clients, r)) {
        const res = await round(c.call, 1, ms / 4);
        results.get(c.name)?.c1.push(res);
        progress(
          `round ${r + 1}/${rounds} c=1 ${c.name}: ${res.rps.toFixed(0)} calls/s, p99 ${res.p99.toFixed(3)} ms`,
        );
      }
    }
    // Second pass, the issue's own setting: no deadline on any call, so the server answers on its
    // lean path and the clients' own cost weighs more. The facade always sends a deadline, so
    // here "ours" is its transport (client.raw).
    for (const c of noDeadline) await round(c.call, 64, smoke ? 100 : 500);
    for (let r = 0; r < rounds; r++) {
      for (const c of rotated(noDeadline, r)) {
        const res = await round(c.call, 64, ms);
        results.get(c.name)?.c64.push(res);
        progress(
          `round ${r + 1}/${rounds} c=64 ${c.name}: ${res.rps.toFixed(0)} calls/s, p99 ${res.p99.toFixed(2)} ms, ${res.cpu.toFixed(0)} µs CPU/call`,
        );
      }
    }
  } finally {
    for (const c of [...clients, ...noDeadline]) c.close();
    child.send('exit');
  }
  // The facade's own cost, isolated: an interceptor answers every call in memory (no socket, no
  // server), so the only difference between the two loops is the facade (policy pipeline with
  // retry + breaker, deadline bookkeeping, input/result conversion).
  const answer = create(IsRegisteredResponseSchema, {
    contentId: SEEDED,
    isRegistered: true,
    ipAssetId: 'ip-1',
  });
  const inMemory: Interceptor = () => async (req) =>
    ({
      stream: false,
      service: req.service,
      method: req.method,
      header: new Headers(),
      trailer: new Headers(),
      message: answer,
    }) as never;
  const isolated = createChainClient({ baseUrl: 'http://127.0.0.1:9', interceptors: [inMemory] });
  const facadeOps: number[] = [];
  const rawOps: number[] = [];
  for (let r = 0; r < (smoke ? 1 : 5); r++) {
    facadeOps.push(await opsPerSecond(() => isolated.isRegistered(SEEDED)));
    rawOps.push(await opsPerSecond(() => isolated.raw.isRegistered({ contentId: SEEDED })));
  }
  isolated.close();
  const facadeUs = 1e6 / median(facadeOps);
  const rawUs = 1e6 / median(rawOps);
  const overheadUs = Math.max(0, facadeUs - rawUs);
  progress(
    `facade in isolation: ${facadeUs.toFixed(2)} µs/call vs raw ${rawUs.toFixed(2)} µs/call → ${overheadUs.toFixed(2)} µs facade cost`,
  );

  const fig = (name: string, conc: 'c64' | 'c1', key: keyof Round) =>
    median((results.get(name)?.[conc] ?? []).map((x) => x[key]));
  const comparisons: Comparison[] = [];
  const bars: Record<string, { ratio: number; text: string }> = {
    [GRPCJS]: { ratio: 1.0, text: 'issue 5: ≥ 1.0× grpc-js throughput' },
    'wrapped transport (client.raw)': {
      ratio: 0.9,
      text: 'issue 5: facade costs ≤ 10 % over the transport it wraps',
    },
  };
  for (const baselineName of [
    GRPCJS,
    'grpc-js + protobuf-es',
    'wrapped transport (client.raw)',
    'bare Connect gRPC',
  ]) {
    const bar = bars[baselineName];
    comparisons.push({
      metric: 'IsRegistered over gRPC, concurrency 64 (calls/s)',
      ours: fig('ours', 'c64', 'rps'),
      baseline: fig(baselineName, 'c64', 'rps'),
      baselineName,
      unit: 'calls/s',
      higherIsBetter: true,
      ...(bar ? { bar } : {}),
    });
    comparisons.push({
      metric: 'IsRegistered over gRPC, concurrency 64, client CPU per call (µs)',
      ours: fig('ours', 'c64', 'cpu'),
      baseline: fig(baselineName, 'c64', 'cpu'),
      baselineName,
      unit: 'µs',
      higherIsBetter: false,
      ...(bar ? { bar: { ratio: bar.ratio, text: `${bar.text} (as CPU per call)` } } : {}),
    });
    comparisons.push({
      metric: 'IsRegistered over gRPC, concurrency 64, p99 (ms)',
      ours: fig('ours', 'c64', 'p99'),
      baseline: fig(baselineName, 'c64', 'p99'),
      baselineName,
      unit: 'ms',
      higherIsBetter: false,
    });
    comparisons.push({
      metric: 'IsRegistered over gRPC, concurrency 1, p99 (ms)',
      ours: fig('ours', 'c1', 'p99'),
      baseline: fig(baselineName, 'c1', 'p99'),
      baselineName,
      unit: 'ms',
      higherIsBetter: false,
    });
  }
  for (const baselineName of [
    `${GRPCJS}, no deadline`,
    'grpc-js + protobuf-es, no deadline',
    'bare Connect gRPC, no deadline',
  ]) {
    comparisons.push({
      metric: 'IsRegistered over gRPC, no deadline, concurrency 64 (calls/s; ours = our transport)',
      ours: fig('our transport, no deadline', 'c64', 'rps'),
      baseline: fig(baselineName, 'c64', 'rps'),
      baselineName,
      unit: 'calls/s',
      higherIsBetter: true,
      ...(baselineName.startsWith(GRPCJS)
        ? { bar: { ratio: 1.0, text: 'issue 5: ≥ 1.0× grpc-js throughput' } }
        : {}),
    });
    comparisons.push({
      metric:
        'IsRegistered over gRPC, no deadline, concurrency 64, client CPU per call (µs; ours = our transport)',
      ours: fig('our transport, no deadline', 'c64', 'cpu'),
      baseline: fig(baselineName, 'c64', 'cpu'),
      baselineName,
      unit: 'µs',
      higherIsBetter: false,
    });
  }
  const transportCpu = fig('wrapped transport (client.raw)', 'c64', 'cpu');
  comparisons.push({
    metric:
      'facade cost in isolation: in-memory calls/s (facade vs raw client, same transport and interceptor)',
    ours: 1e6 / facadeUs,
    baseline: 1e6 / rawUs,
    baselineName: 'raw generated client',
    unit: 'calls/s',
    higherIsBetter: true,
  });
  comparisons.push({
    metric: `client CPU per real gRPC call: transport (${transportCpu.toFixed(0)} µs, measured above) + facade cost (${overheadUs.toFixed(1)} µs, isolated)`,
    ours: transportCpu + overheadUs,
    baseline: transportCpu,
    baselineName: 'wrapped transport alone',
    unit: 'µs',
    higherIsBetter: false,
    bar: { ratio: 0.9, text: 'issue 5: facade costs ≤ 10 % over the transport it wraps' },
  });
  emit({
    name: '@mystira/chain-client',
    comparisons,
    notes: [
      `Server: @mystira/chain-server on a devnet ledger in its own process; clients in this process; ${rounds} interleaved rounds of ${ms} ms per client, median round reported.`,
      'ours = createChainClient facade (retries + breaker on, deadline on every call, bigint/Date conversion) over its lean unary gRPC path; wrapped = client.raw on that same transport; bare Connect = createClient(ChainService, createGrpcTransport()); grpc-js + @grpc/proto-loader = the stub grpc.makeGenericClientConstructor makes from the loaded .proto (protobufjs, plain objects), as grpc-js users call a service; grpc-js + protobuf-es = grpc.Client.makeUnaryRequest with protobuf-es (de)serialisation, the same codec as ours.',
      `Load average at the end: ${(await import('node:os'))
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(
          ' ',
        )} on ${(await import('node:os')).availableParallelism()} CPUs (the machine is shared; throughput moves with the neighbours, CPU per call much less).`,
    ],
  });
}

if (process.argv.includes('--serve')) await serve();
else await main();
