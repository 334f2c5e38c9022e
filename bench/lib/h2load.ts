/**
 * Load from h2load (Debian's nghttp2-client), a native HTTP/2 generator, for the Chain server's
 * service-level target. Our own open-loop generator (open-loop.ts) drives the server through a
 * Node HTTP/2 client, and that client's garbage collection (V8 scavenges of 20–80 ms at a few
 * thousand calls/s, measured) lands in the latencies it reports; h2load has no collector, so
 * what it measures is the server and the loopback.
 *
 * h2load is held to a fixed rate per connection (`--rps`) with far more streams allowed than
 * the rate needs (`-m`), so a server stall does not stop arrivals from being sent (coordinated
 * omission) unless it outlasts `clients × streams / rate` seconds (0.2 s with the defaults at
 * 5,000/s). It times each request from when it was sent, which is when it was due while streams
 * are free.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LatencySummary, summarize } from './open-loop.ts';

export interface H2loadOptions {
  /** e.g. http://127.0.0.1:50051/mystira.chain.v1.ChainService/IsRegistered */
  url: string;
  /** The request body: for gRPC and gRPC-Web the 5-byte frame header and the message. */
  body: Uint8Array;
  /** Default application/grpc. */
  contentType?: string;
  ratePerSecond: number;
  durationSeconds: number;
  warmUpSeconds: number;
  clients?: number;
  streamsPerClient?: number;
  /** A taskset CPU list to run h2load on (the generator's cores). */
  cpus?: string;
}

export interface H2loadResult {
  ok: number;
  /** Requests that failed, errored, timed out or were never answered. */
  errors: number;
  /** Requests per second over the measured window (after the warm-up). */
  achievedRate: number;
  latency: LatencySummary;
}

export function h2loadAvailable(): boolean {
  return spawnSync('h2load', ['--version']).status === 0;
}

/** The 5-byte gRPC frame (uncompressed) around a serialised message. */
export function grpcFrame(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length);
  frame.set(message, 5);
  return frame;
}

/** What one h2load run reports: its stdout's counts and rate, its log file's latencies. */
function readRun(
  stdout: string,
  logFile: string,
): { ok: number; done: number; errors: number; rate: number; latency: LatencySummary } {
  // Tab-separated: start (µs since epoch), HTTP status, duration (µs). A gRPC or gRPC-Web error
  // also answers HTTP 200 (with grpc-status in the trailers or the body's last frame), which
  // h2load does not read; the handlers here cannot fail on this request, and the Node
  // generator's runs check statuses.
  const latencies: number[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const [, status, micros] = line.split('\t');
    if (status === '200') latencies.push(Number(micros) / 1000);
  }
  const summary = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded/.exec(stdout);
  const rate = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(stdout);
  if (!summary || !rate) throw new Error(`unexpected h2load output:\n${stdout}`);
  const [total, done, succeeded] = [Number(summary[1]), Number(summary[2]), Number(summary[3])];
  return {
    ok: latencies.length,
    done,
    errors: total - succeeded,
    rate: Number(rate[1]),
    latency: summarize(latencies),
  };
}

/** What both runners send: one URL, one body, its content type and any more headers. */
interface RequestOptions {
  url: string;
  body: Uint8Array;
  contentType?: string;
  headers?: string[];
  cpus?: string;
}

/**
 * h2load's command for one run: `load` (connections, streams, duration, rate) and the request
 * (the body from a file, gRPC's headers, a per-request log), on `cpus` through taskset. The body
 * and the log live in a temporary folder that `remove()` deletes.
 */
function h2loadCommand(
  load: string[],
  request: RequestOptions,
): { command: string; args: string[]; logFile: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-h2load-'));
  const bodyFile = join(dir, 'request.bin');
  const logFile = join(dir, 'requests.tsv');
  writeFileSync(bodyFile, request.body);
  const args = [
    ...load,
    ...['-d', bodyFile, '-H', `content-type: ${request.contentType ?? 'application/grpc'}`],
    ...['-H', 'te: trailers'],
    ...(request.headers ?? []).flatMap((h) => ['-H', h]),
    `--log-file=${logFile}`,
    request.url,
  ];
  return {
    ...(request.cpus
      ? { command: 'taskset', args: ['-c', request.cpus, 'h2load', ...args] }
      : { command: 'h2load', args }),
    logFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function runH2load(options: H2loadOptions): H2loadResult {
  const clients = options.clients ?? 4;
  const streams = options.streamsPerClient ?? 256;
  const h2load = h2loadCommand(
    [
      ...['-c', String(clients), '-m', String(streams)],
      `--rps=${Math.ceil(options.ratePerSecond / clients)}`,
      ...['-D', String(options.durationSeconds), `--warm-up-time=${options.warmUpSeconds}`],
    ],
    options,
  );
  try {
    const run = spawnSync(h2load.command, h2load.args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`h2load failed (${run.status}): ${run.stderr}`);
    const r = readRun(run.stdout, h2load.logFile);
    return { ok: r.ok, errors: r.errors, achievedRate: r.rate, latency: r.latency };
  } finally {
    h2load.remove();
  }
}

export interface ClosedLoopOptions {
  /** e.g. http://127.0.0.1:50051/mystira.chain.v1.ChainService/IsRegistered */
  url: string;
  /** The request body: for gRPC the 5-byte frame header and the message. */
  body: Uint8Array;
  /** Default application/grpc. */
  contentType?: string;
  /** Requests in flight on the one connection (`-m`); each answer sends the next at once. */
  streams: number;
  durationSeconds: number;
  /** More request headers, e.g. `grpc-timeout: 10S`. */
  headers?: string[];
  /** A taskset CPU list to run h2load on (the generator's cores). */
  cpus?: string;
  /**
   * Seconds before the counted window (`--warm-up-time`); none by default, so that a CPU reading
   * taken around the round divides by `done`.
   */
  warmUpSeconds?: number;
}

export interface ClosedLoopResult {
  /** Requests per second over the whole round. */
  rps: number;
  /** Requests answered in the round (every one counts: the round has no warm-up window). */
  done: number;
  /** Requests that failed, errored, timed out or were never answered. */
  errors: number;
  latency: LatencySummary;
}

/**
 * One closed-loop round: one connection with `streams` requests in flight for
 * `durationSeconds`, no rate limit, so the server (not a Node client) sets the pace. Without
 * `warmUpSeconds` every request of the round is counted, so a CPU reading taken around the round
 * divides by `done`. Runs h2load as a child without blocking this event loop.
 */
export async function runH2loadClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const h2load = h2loadCommand(
    [
      ...['-c', '1', '-m', String(options.streams), '-D', String(options.durationSeconds)],
      ...(options.warmUpSeconds ? [`--warm-up-time=${options.warmUpSeconds}`] : []),
    ],
    options,
  );
  try {
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(h2load.command, h2load.args);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
        });
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
        });
        child.once('error', reject);
        child.once('close', (status) => resolve({ status, stdout, stderr }));
      },
    );
    if (run.status !== 0) throw new Error(`h2load failed (${run.status}): ${run.stderr}`);
    const r = readRun(run.stdout, h2load.logFile);
    return { rps: r.rate, done: r.done, errors: r.errors, latency: r.latency };
  } finally {
    h2load.remove();
  }
}
