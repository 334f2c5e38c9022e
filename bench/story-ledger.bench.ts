/**
 * The Chain server on the Story ledger (`@mystira/ledger-story`), on the embedded EVM node
 * (Hardhat EDR, automine: one block per transaction, Story test contracts, chain id 1315):
 *
 * 1. Registrations per second: RegisterIpAsset over gRPC (@mystira/chain-client, HTTP/2) to a
 *    Chain server whose ledger is `storyLedger({ rpcUrls, deployVaults: false })`, against the
 *    same `mintAndRegisterIp` sent directly with viem (bench/lib/story-chain.ts). One
 *    transaction per registration on both sides (`deployVaults: false`: no vault, no split
 *    transfers). Closed loop at fixed concurrency, contenders interleaved in rotated rounds;
 *    throughput, p50/p99, the CPU time per registration of the contender's process and of the
 *    node's, the node RPC calls per registration and the node's answer time per method (seen
 *    by a proxy in front of the node), and where a registration's time goes in the server (to
 *    broadcast / until the submitter sees it mined / to the answer). The ledger runs twice: at
 *    its default poll interval (1 s) and at 100 ms. Bar: ≥ 0.8× viem's registrations/s at c ≥ 32.
 * 2. IsRegistered and GetIpAssetStatus from h2load at the seed's 5,000 req/s with the Story
 *    ledger behind (p99 < 40 ms, no errors), counting the node RPC calls meanwhile: reads must
 *    not go to the node. The same load on a Chain server over the in-process devnet ledger is
 *    the comparison.
 *
 * Every process is a child (`--serve node|server|devnet|viem`); the load comes from here.
 * `node bench/story-ledger.bench.ts [--smoke] [--no-pin] [--levels 1,32,128] [--polls 1000,100]
 *  [--slice-seconds 12] [--read-seconds 15] [--cpu-prof <dir>]`
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { create, toBinary } from '@bufbuild/protobuf';
import { type ChainClient, createChainClient } from '@mystira/chain-client';
import {
  ChainService,
  ContributorType,
  GetIpAssetStatusRequestSchema,
  IsRegisteredRequestSchema,
} from '@mystira/chain-protos';
import { createChainServer, DevnetLedger } from '@mystira/chain-server';
import { storyLedger } from '@mystira/ledger-story';
import type { Address, Hex } from 'viem';
import { grpcFrame, type H2loadResult, h2loadAvailable, runH2load } from './lib/h2load.ts';
import { summarize } from './lib/open-loop.ts';
import { pinMainThread, pinning, pinSelf } from './lib/processes.ts';
import { type Comparison, emit, flag, progress, smoke, type Target } from './lib/report.ts';
import {
  answer,
  CONTRIBUTORS,
  call,
  closedLoop,
  type LoopResult,
  type NodeReady,
  type RpcCounts,
  ready,
  serveNode,
  serveViem,
  TITLE,
} from './lib/story-chain.ts';

const list = (name: string) => flag(name)?.split(',').map(Number);
/**
 * Concurrency levels of part 1 (`--levels 1,32,128`; `none` skips part 1). The bar (≥ 0.8× viem) is judged at every
 * level from 32 up: throughput; at c=1 the figure is one caller's latency.
 */
const LEVELS = flag('levels') === 'none' ? [] : (list('levels') ?? (smoke ? [4] : [1, 32, 128]));
const BAR_FROM = smoke ? 4 : 32;
const ROUNDS = smoke ? 1 : 3;
/** Per contender and level, split over the rounds (`--slice-seconds`). */
const SLICE_MS = 1000 * Number(flag('slice-seconds') ?? (smoke ? 1 : 12));
const WARMUP_MS = smoke ? 500 : 3000;
/** The ledger's poll intervals measured, its default (1 s) first (`--polls 1000,100`). */
const POLLS = list('polls') ?? (smoke ? [100] : [1000, 100]);
const READ_RATE = smoke ? 1000 : 5000;
/** Seconds of each read run (`--read-seconds`; 0 skips the reads). */
const READ_SECONDS = Number(flag('read-seconds') ?? (smoke ? 1 : 15));
const READ_WARMUP_SECONDS = smoke ? 1 : 3;
/** `--cpu-prof <dir>`: the Chain server and viem processes write V8 CPU profiles there. */
const CPU_PROF = flag('cpu-prof');
const SEEDED = 'bench-story-seeded';

// ------------------------------------------------------------------------------------ children --

interface Child {
  proc: ReturnType<typeof spawn>;
  cpu(): Promise<number>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function child(kind: string, ...args: string[]): Child {
  const profile =
    CPU_PROF && (kind === 'server' || kind === 'viem')
      ? [
          '--cpu-prof',
          '--cpu-prof-dir',
          CPU_PROF,
          '--cpu-prof-name',
          `${kind}-${args.at(-1)}.cpuprofile`,
        ]
      : [];
  const proc = spawn(
    process.execPath,
    [...profile, import.meta.filename, '--serve', kind, ...args],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  process.on('exit', () => proc.kill('SIGKILL'));
  return {
    proc,
    cpu: () => call<number>(proc, 'cpu'),
    reset: () => call(proc, 'cpu-reset'),
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.send({ cmd: 'exit' });
      await Promise.race([exited, sleep(3000).then(() => proc.kill('SIGKILL'))]);
    },
  };
}

/** Where the registrations of one slice spent their time in the server, ms summed. */
interface Phases {
  n: number;
  /** RegisterIpAsset reached the ledger → the transaction was broadcast (`sent`). */
  toSent: number;
  /** Broadcast → the submitter saw it mined (`mined`). */
  toMined: number;
  /** Mined → the ledger answered (receipt decoded, content index written). */
  toAnswer: number;
}

/**
 * A Chain server whose ledger is the Story ledger over the node at `rpcUrl`. The ledger's
 * `registerAsset` is timed from outside (its `sent` and `mined` submission events split it), to
 * show where a registration's wall time goes; nothing inside the ledger is changed.
 */
async function serveStory(rpcUrl: string, key: Hex, pollMs: number): Promise<void> {
  const open = new Map<string, { start: number; sent?: number; mined?: number }>();
  let phases: Phases = { n: 0, toSent: 0, toMined: 0, toAnswer: 0 };
  const ledger = await storyLedger({
    rpcUrls: [rpcUrl],
    signer: key,
    ...(pollMs !== 1000 && { pollIntervalMs: pollMs }),
    requiredConfirmations: 1,
    deployVaults: false,
    collection: { name: 'Bench Stories', symbol: 'BNCH' },
    onEvent: (e) => {
      if (e.type !== 'submission' || !e.event.key?.startsWith('register:')) return;
      const timing = open.get(e.event.key.slice('register:'.length));
      if (timing && e.event.type === 'sent') timing.sent = performance.now();
      if (timing && e.event.type === 'mined') timing.mined = performance.now();
    },
  });
  const register = ledger.registerAsset.bind(ledger);
  ledger.registerAsset = async (input, signal) => {
    const timing: { start: number; sent?: number; mined?: number } = { start: performance.now() };
    open.set(input.contentId, timing);
    try {
      return await register(input, signal);
    } finally {
      open.delete(input.contentId);
      if (timing.sent !== undefined && timing.mined !== undefined) {
        phases.n++;
        phases.toSent += timing.sent - timing.start;
        phases.toMined += timing.mined - timing.sent;
        phases.toAnswer += performance.now() - timing.mined;
      }
    }
  };
  const server = createChainServer({ ledger });
  const { port } = await server.listen(0);
  answer({
    phases: () => {
      const out = phases;
      phases = { n: 0, toSent: 0, toMined: 0, toAnswer: 0 };
      return out;
    },
  });
  process.send?.({ ready: { port, collection: ledger.collection } });
}

/** The same server over the in-process devnet ledger, with the seeded content registered. */
async function serveDevnet(): Promise<void> {
  const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
  await ledger.registerAsset({
    contentId: SEEDED,
    title: TITLE,
    contributors: CONTRIBUTORS.map((c, i) => ({
      ...c,
      type: i === 0 ? ContributorType.AUTHOR : ContributorType.ARTIST,
    })),
  });
  ledger.mine();
  const server = createChainServer({ ledger });
  const { port } = await server.listen(0);
  answer();
  process.send?.({ ready: { port } });
}

// ------------------------------------------------------------------------------------ part 1 --

interface Contender {
  name: string;
  /** The process whose CPU time is the contender's. */
  owner: Child;
  /** Runs the closed loop for one slice. */
  run(concurrency: number, ms: number): Promise<LoopResult>;
  /** How long to let background work (receipt tracking) finish after a slice, ms. */
  settleMs: number;
  /** The server's timings of the slice's registrations (Chain server contenders). */
  phases?: () => Promise<Phases>;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  registrations: number;
  errors: number;
  errorMessages: string[];
  cpuUsPerReg: number;
  nodeCpuUsPerReg: number;
  rpcPerReg: number;
  rpcByMethod: Record<string, number>;
  /** The node's mean answer time per call, by method (ms, seen at the proxy). */
  rpcMeanMs: Record<string, number>;
  /** Mean ms per registration in each phase (Chain server contenders). */
  phases?: { toSent: number; toMined: number; toAnswer: number };
}

let seq = 0;

function chainServerContender(name: string, server: Child, port: number, poll: number): Contender {
  const client: ChainClient = createChainClient({
    baseUrl: `http://127.0.0.1:${port}`,
    protocol: 'grpc',
    retry: false,
    timeoutMs: 60_000,
  });
  return {
    name,
    owner: server,
    settleMs: 2 * poll + 300,
    phases: () => call<Phases>(server.proc, 'phases'),
    run: (concurrency, ms) =>
      closedLoop(concurrency, ms, async () => {
        seq++;
        const registration = await client.registerIpAsset({
          contentId: `bench-${process.pid}-${seq}`,
          contentTitle: TITLE,
          contributors: [
            { walletAddress: CONTRIBUTORS[0].wallet, role: 'author', shareBasisPoints: 6000 },
            { walletAddress: CONTRIBUTORS[1].wallet, role: 'artist', shareBasisPoints: 4000 },
          ],
          idempotencyKey: `bench-key-${process.pid}-${seq}`,
        });
        if (!registration.ipAssetId) throw new Error(`no IP asset id (${registration.status})`);
      }),
  };
}

/**
 * Measures the contenders in rotated rounds (A B C, B C A, ...), so drift on the shared machine
 * falls on all alike; each slice is followed by its settle time, whose CPU and RPC calls are
 * charged to the slice's registrations.
 */
async function contest(
  contenders: Contender[],
  node: Child,
  concurrency: number,
): Promise<Figures[]> {
  const pooled = contenders.map(() => ({
    latencies: [] as number[],
    elapsedMs: 0,
    errors: 0,
    messages: new Set<string>(),
    cpu: 0,
    nodeCpu: 0,
    rpc: {} as Record<string, number>,
    rpcMs: {} as Record<string, number>,
    phases: { n: 0, toSent: 0, toMined: 0, toAnswer: 0 } as Phases,
  }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (k + round) % contenders.length;
      const c = contenders[idx] as Contender;
      const acc = pooled[idx] as (typeof pooled)[number];
      await Promise.all([c.owner.reset(), node.reset(), call(node.proc, 'counts'), c.phases?.()]);
      const r = await c.run(concurrency, SLICE_MS / ROUNDS);
      await sleep(c.settleMs);
      const [cpu, nodeCpu, counts, phases] = await Promise.all([
        c.owner.cpu(),
        node.cpu(),
        call<RpcCounts>(node.proc, 'counts'),
        c.phases?.(),
      ]);
      if (phases) {
        acc.phases.n += phases.n;
        acc.phases.toSent += phases.toSent;
        acc.phases.toMined += phases.toMined;
        acc.phases.toAnswer += phases.toAnswer;
      }
      acc.latencies.push(...r.latencies);
      acc.elapsedMs += r.elapsedMs;
      acc.errors += r.errors;
      for (const m of r.errorMessages) acc.messages.add(m);
      acc.cpu += cpu;
      acc.nodeCpu += nodeCpu;
      for (const [method, n] of Object.entries(counts.calls))
        acc.rpc[method] = (acc.rpc[method] ?? 0) + n;
      for (const [method, ms] of Object.entries(counts.ms))
        acc.rpcMs[method] = (acc.rpcMs[method] ?? 0) + ms;
      progress(
        `  c=${concurrency} round ${round + 1} ${c.name}: ${r.latencies.length} registrations (${((1000 * r.latencies.length) / r.elapsedMs).toFixed(1)}/s), ${r.errors} errors`,
      );
    }
  }
  return pooled.map((p) => {
    const n = Math.max(1, p.latencies.length);
    const s = summarize(p.latencies);
    const calls = Object.values(p.rpc).reduce((a, b) => a + b, 0);
    return {
      rps: (1000 * p.latencies.length) / p.elapsedMs,
      p50: s.p50,
      p99: s.p99,
      registrations: p.latencies.length,
      errors: p.errors,
      errorMessages: [...p.messages],
      cpuUsPerReg: p.cpu / n,
      nodeCpuUsPerReg: p.nodeCpu / n,
      rpcPerReg: calls / n,
      ...(p.phases.n > 0 && {
        phases: {
          toSent: p.phases.toSent / p.phases.n,
          toMined: p.phases.toMined / p.phases.n,
          toAnswer: p.phases.toAnswer / p.phases.n,
        },
      }),
      rpcByMethod: Object.fromEntries(
        Object.entries(p.rpc)
          .sort((a, b) => b[1] - a[1])
          .map(([m, v]) => [m, v / n]),
      ),
      rpcMeanMs: Object.fromEntries(
        Object.entries(p.rpc).map(([m, v]) => [m, (p.rpcMs[m] ?? 0) / Math.max(1, v)]),
      ),
    };
  });
}

const f1 = (n: number) => n.toFixed(1);
const perMethod = (f: Figures) =>
  Object.entries(f.rpcByMethod)
    .map(([m, v]) => `${m} ${v.toFixed(2)} (${(f.rpcMeanMs[m] ?? 0).toFixed(1)} ms)`)
    .join(', ');

/** The machine's 1/5/15-minute load averages (Linux), to tell a quiet run from a busy one. */
function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / ');
  } catch {
    return 'unknown';
  }
}

// ------------------------------------------------------------------------------------ part 2 --

const READS = {
  IsRegistered: toBinary(
    IsRegisteredRequestSchema,
    create(IsRegisteredRequestSchema, { contentId: SEEDED }),
  ),
  GetIpAssetStatus: toBinary(
    GetIpAssetStatusRequestSchema,
    create(GetIpAssetStatusRequestSchema, { contentId: SEEDED }),
  ),
} as const;
type Read = keyof typeof READS;

function h2loadRead(port: number, rpc: Read, label: string): H2loadResult {
  const result = runH2load({
    url: `http://127.0.0.1:${port}/${ChainService.typeName}/${rpc}`,
    body: grpcFrame(READS[rpc]),
    ratePerSecond: READ_RATE,
    durationSeconds: READ_SECONDS,
    warmUpSeconds: READ_WARMUP_SECONDS,
    cpus: pinning?.generator,
  });
  progress(
    `${rpc} on ${label} (h2load, ${READ_RATE}/s, ${READ_SECONDS} s): ${result.ok} ok, ${result.errors} errors, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms`,
  );
  return result;
}

/** Both reads answer for the seeded content as registered (h2load does not read gRPC status). */
async function checkReads(client: ChainClient, ipAssetId: string): Promise<void> {
  const registered = await client.checkRegistration(SEEDED);
  const status = await client.getIpAssetStatus(SEEDED);
  if (
    !registered.registered ||
    registered.ipAssetId !== ipAssetId ||
    status.status !== 'registered'
  )
    throw new Error(
      `reads of ${SEEDED} do not answer registered: ${JSON.stringify({ registered, status })}`,
    );
}

// -------------------------------------------------------------------------------------- main --

async function main(): Promise<void> {
  const comparisons: Comparison[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];

  const loads = [`at the start ${loadAverage()}`];
  progress('starting the embedded chain (automine) behind a counting JSON-RPC proxy');
  const node = child('node');
  const chain = await ready<NodeReady>(node.proc);
  const [keyViem, keyProbe, ...ledgerKeys] = chain.keys as [Hex, Hex, ...Hex[]];
  progress(`Chain servers on the Story ledger (poll ${POLLS.join(' / ')} ms) and the viem process`);
  const servers = POLLS.map((poll, i) => {
    const server = child('server', chain.rpcUrl, ledgerKeys[i] as Hex, String(poll));
    return { poll, server, up: ready<{ port: number }>(server.proc) };
  });
  const viem = child('viem', chain.rpcUrl, chain.registrationWorkflows, keyViem, '1000');
  // Every process starts now, while the packages' builds are surely on disk (the devnet server
  // of part 2 too; it idles meanwhile).
  const devnet = READ_SECONDS > 0 ? child('devnet') : undefined;
  const devnetUp = devnet && ready<{ port: number }>(devnet.proc);
  await ready(viem.proc);
  const contenders: Contender[] = [];
  for (const s of servers) {
    const { port } = await s.up;
    contenders.push(
      chainServerContender(`chain-server, Story ledger, poll ${s.poll} ms`, s.server, port, s.poll),
    );
  }
  const viemContender: Contender = {
    name: 'viem, direct',
    owner: viem,
    settleMs: 0,
    run: (concurrency, ms) => call<LoopResult>(viem.proc, 'run', { concurrency, ms }),
  };
  contenders.push(viemContender);
  const viemIdx = contenders.length - 1;
  viemContender.settleMs = Math.max(...contenders.map((c) => c.settleMs)); // same pause for all

  // ---- 1. registrations per second ------------------------------------------------------------
  if (LEVELS.length > 0) {
    for (const c of contenders) {
      progress(`warming up ${c.name}`);
      await c.run(4, WARMUP_MS);
    }
    const table = [
      'contender | c | registrations/s | p50 ms | p99 ms | errors | CPU ms/registration (its process) | node CPU ms/registration | node RPC calls/registration | in the server, mean ms: to broadcast / broadcast → seen mined / mined → answer',
    ];
    const byLevel = new Map<number, Figures[]>();
    for (const concurrency of LEVELS) {
      progress(`RegisterIpAsset vs viem, closed loop, concurrency ${concurrency}`);
      const figures = await contest(contenders, node, concurrency);
      byLevel.set(concurrency, figures);
      const base = figures[viemIdx] as Figures;
      figures.forEach((f, i) => {
        const c = contenders[i] as Contender;
        table.push(
          `${c.name} | ${concurrency} | ${f1(f.rps)} | ${f1(f.p50)} | ${f1(f.p99)} | ${f.errors} | ${(f.cpuUsPerReg / 1000).toFixed(2)} | ${(f.nodeCpuUsPerReg / 1000).toFixed(2)} | ${f.rpcPerReg.toFixed(1)} | ${f.phases ? `${f1(f.phases.toSent)} / ${f1(f.phases.toMined)} / ${f1(f.phases.toAnswer)}` : '—'}`,
        );
        if (f.errorMessages.length)
          notes.push(`${c.name}, c=${concurrency}: errors: ${f.errorMessages.join('; ')}`);
        if (i === viemIdx) return;
        comparisons.push(
          {
            metric: `registrations/s, c=${concurrency}, ${c.name}`,
            ours: f.rps,
            baseline: base.rps,
            baselineName: 'viem writeContract + waitForTransactionReceipt, same node',
            unit: 'reg/s',
            higherIsBetter: true,
            ...(concurrency >= BAR_FROM ? { bar: { ratio: 0.8, text: '≥ 0.8× raw viem' } } : {}),
          },
          {
            metric: `p99 latency, c=${concurrency}, ${c.name}`,
            ours: f.p99,
            baseline: base.p99,
            baselineName: 'viem, same node',
            unit: 'ms',
            higherIsBetter: false,
          },
          {
            metric: `CPU per registration (its own process), c=${concurrency}, ${c.name}`,
            ours: f.cpuUsPerReg / 1000,
            baseline: base.cpuUsPerReg / 1000,
            baselineName: 'the viem process',
            unit: 'ms',
            higherIsBetter: false,
          },
          {
            metric: `node RPC calls per registration, c=${concurrency}, ${c.name}`,
            ours: f.rpcPerReg,
            baseline: base.rpcPerReg,
            baselineName: 'viem',
            unit: 'calls',
            higherIsBetter: false,
          },
        );
      });
    }
    for (const line of table) progress(line);
    notes.push(
      `Registrations: closed loop, ${SLICE_MS / 1000} s per contender and concurrency level in ${ROUNDS} rotated rounds (after a ${WARMUP_MS / 1000} s warm-up at c=4); each slice is followed by ${(viemContender.settleMs / 1000).toFixed(1)} s for background work (receipt tracking), whose CPU and RPC calls count towards the slice's registrations. One transaction per registration on both sides: the ledger runs with deployVaults: false (no vault, no royalty-token transfers), viem sends the same mintAndRegisterIp (same collection settings, the same two metadata documents built and stored with the same helpers, allowDuplicates true).`,
      "Node: the embedded EDR chain (automine, one block per transaction) in its own process, reached by every contender over HTTP JSON-RPC through a counting proxy in the node's process (node CPU includes the proxy). The Chain server answers RegisterIpAsset once the transaction is mined (PROCESSING, with the IP id); viem's call ends when waitForTransactionReceipt has the receipt and IPRegistered is decoded. Client: @mystira/chain-client over gRPC (HTTP/2) from the bench process; its CPU is not counted (the viem process's own loop is).",
      'viem: writeContract one at a time (sequential nonces), receipts awaited concurrently; pollingInterval 1000 ms (it never waits for a poll here: the receipt is there at the first look). Ledger: storyLedger over rpcUrls (the failover transport), default fee oracle, in-memory journal, nonce lease and content index, requiredConfirmations 1.',
      ...table,
      ...LEVELS.flatMap((level) =>
        (byLevel.get(level) as Figures[]).map(
          (f, i) =>
            `Node RPC calls per registration at c=${level}, ${(contenders[i] as Contender).name} (the node's mean answer time per call, at the proxy): ${perMethod(f)}.`,
        ),
      ),
    );

    // viem's own nonce manager under concurrency, as the reason the alternative sends one at a time.
    const probeConcurrency = smoke ? 8 : 32;
    const probe = await call<LoopResult>(viem.proc, 'probe-nonce-manager', {
      concurrency: probeConcurrency,
      ms: smoke ? 500 : 4000,
      probeKey: keyProbe,
    });
    notes.push(
      `Why viem sends one at a time: viem's nonceManager with ${probeConcurrency} concurrent writeContract calls on this node: ${probe.latencies.length} registered, ${probe.errors} failed${probe.errorMessages.length ? ` (${probe.errorMessages.join('; ')})` : ''}. Each call estimates and prices before it sends, so transactions can reach the node out of nonce order, and an automining node refuses a nonce ahead of its predecessor (how many depends on timing: some runs lose none).`,
    );
  }
  for (const s of servers.slice(1)) await s.server.stop();
  await viem.stop();

  // ---- 2. reads at the seed's rate -------------------------------------------------------------
  if (READ_SECONDS === 0) {
    notes.push('Reads: not measured in this run (--read-seconds 0).');
  } else if (!h2loadAvailable()) {
    notes.push(
      'Reads at 5,000 req/s: **not measured**: h2load (Debian nghttp2-client) is missing.',
    );
  } else {
    loads.push(`before the reads ${loadAverage()}`);
    const story = servers[0] as (typeof servers)[number];
    const storyPort = (await story.up).port;
    const client = createChainClient({
      baseUrl: `http://127.0.0.1:${storyPort}`,
      protocol: 'grpc',
      retry: false,
      timeoutMs: 30_000,
    });
    const seeded = await client.registerIpAsset({
      contentId: SEEDED,
      contentTitle: TITLE,
      contributors: [
        { walletAddress: CONTRIBUTORS[0].wallet, role: 'author', shareBasisPoints: 6000 },
        { walletAddress: CONTRIBUTORS[1].wallet, role: 'artist', shareBasisPoints: 4000 },
      ],
      idempotencyKey: `bench-seed-${process.pid}`,
    });
    for (let i = 0; (await client.getIpAssetStatus(SEEDED)).status !== 'registered'; i++) {
      if (i > 100) throw new Error('the seeded registration did not reach REGISTERED');
      await sleep(100);
    }
    await checkReads(client, seeded.ipAssetId as string);
    const devnetPort = (await (devnetUp as Promise<{ port: number }>)).port;
    const devnetClient = createChainClient({
      baseUrl: `http://127.0.0.1:${devnetPort}`,
      protocol: 'grpc',
    });
    if (!(await devnetClient.isRegistered(SEEDED))) throw new Error('devnet seed missing');
    devnetClient.close();
    // The servers get a core of their own, h2load the other (as in slo.bench.ts).
    pinMainThread(story.server.proc.pid, pinning?.server);
    pinMainThread(devnet?.proc.pid, pinning?.server);
    pinSelf(pinning?.generator);
    await sleep(2 * story.poll + 300);
    await call(node.proc, 'counts');
    const idleMs = smoke ? 500 : 3000;
    await sleep(idleMs);
    const idle = await call<RpcCounts>(node.proc, 'counts');
    const idleCalls = Object.values(idle.calls).reduce((a, b) => a + b, 0);
    const read: string[] = [];
    for (const rpc of Object.keys(READS) as Read[]) {
      await Promise.all([story.server.reset(), call(node.proc, 'counts')]);
      const ours = h2loadRead(storyPort, rpc, 'the Story ledger');
      const [cpu, counts] = await Promise.all([
        story.server.cpu(),
        call<RpcCounts>(node.proc, 'counts'),
      ]);
      await checkReads(client, seeded.ipAssetId as string);
      await devnet?.reset();
      const base = h2loadRead(devnetPort, rpc, 'the devnet ledger');
      const baseCpu = (await devnet?.cpu()) ?? 0;
      // CPU per read over the warm-up and the run: the warm-up's requests are counted at its rate.
      const perRead = (us: number, r: H2loadResult) =>
        (us / Math.max(1, r.ok + READ_RATE * READ_WARMUP_SECONDS)).toFixed(0);
      const calls = Object.values(counts.calls).reduce((a, b) => a + b, 0);
      const what = `${rpc} on the Story ledger, ${READ_RATE} req/s for ${READ_SECONDS} s (h2load)`;
      targets.push(
        { metric: `${what}: p99`, value: ours.latency.p99, unit: 'ms', comparator: '<', limit: 40 },
        { metric: `${what}: errors`, value: ours.errors, unit: '', comparator: '<=', limit: 0 },
        {
          metric: `${what}: node RPC calls while reading (warm-up included)`,
          value: calls,
          unit: '',
          comparator: '<=',
          limit: 0,
        },
      );
      comparisons.push({
        metric: `${rpc} at ${READ_RATE} req/s from h2load: p99`,
        ours: ours.latency.p99,
        baseline: base.latency.p99,
        baselineName: 'the same Chain server over the in-process devnet ledger',
        unit: 'ms',
        higherIsBetter: false,
      });
      read.push(
        `${rpc}: Story ledger ${ours.ok} answered, ${ours.errors} errors, ${ours.achievedRate.toFixed(0)}/s, p50 ${ours.latency.p50.toFixed(2)} / p99 ${ours.latency.p99.toFixed(2)} / max ${ours.latency.max.toFixed(2)} ms, server CPU ≈ ${perRead(cpu, ours)} µs per read, node RPC calls ${calls}${calls ? ` (${JSON.stringify(counts.calls)})` : ''}; devnet ledger p50 ${base.latency.p50.toFixed(2)} / p99 ${base.latency.p99.toFixed(2)} ms, ${base.errors} errors, server CPU ≈ ${perRead(baseCpu, base)} µs per read.`,
      );
    }
    client.close();
    await devnet?.stop();
    notes.push(
      `Reads: h2load (4 connections × 256 streams, fixed rate), gRPC, ${READ_SECONDS} s after a ${READ_WARMUP_SECONDS} s warm-up, for content registered through the same server (REGISTERED; both reads checked with a gRPC client before and after each run, since h2load does not read gRPC status). Server main thread${pinning ? ` pinned to CPU ${pinning.server}, h2load to CPU ${pinning.generator}` : 's not pinned'}. Node RPC calls counted at the node's proxy from the start of the warm-up to the end of the run; in ${idleMs / 1000} s idle before the reads the server made ${idleCalls} calls.`,
      ...read,
    );
  }
  for (const s of servers.slice(0, 1)) await s.server.stop();
  await call(node.proc, 'close').catch(() => undefined);
  await node.stop();
  loads.push(`at the end ${loadAverage()}`);
  notes.push(
    `Load average of the 2-core machine (1 / 5 / 15 min; other work on the shared machine included): ${loads.join('; ')}.`,
  );
  emit({ name: 'Chain server on the Story ledger', comparisons, targets, notes });
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  const [kind, ...rest] = process.argv.slice(serveAt + 1);
  if (kind === 'node') await serveNode();
  else if (kind === 'server') await serveStory(rest[0] as string, rest[1] as Hex, Number(rest[2]));
  else if (kind === 'devnet') await serveDevnet();
  else if (kind === 'viem')
    await serveViem(rest[0] as string, rest[1] as Address, rest[2] as Hex, Number(rest[3]));
  else throw new Error(`unknown --serve ${kind}`);
} else {
  await main();
  process.exit(0);
}
