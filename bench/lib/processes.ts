/**
 * Child processes for benchmarks: servers under load run in their own process (so the load
 * generator and the server do not share an event loop or, usually, a core), and they never
 * outlive the benchmark, even when it throws.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export { freePort } from '../../test-support/throwaway-redis.ts';

export interface Spawned {
  proc: ChildProcess;
  /** Resolves when the child has exited, or after `timeoutMs` (false then). */
  exited(timeoutMs: number): Promise<boolean>;
  /** Ends the child (SIGTERM, then SIGKILL after `graceMs`) and waits for it. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns a child that is killed when this process exits; its stderr goes to ours. */
export function spawnChild(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ipc?: boolean; stdout?: 'pipe' | 'ignore' | 'inherit' } = {},
): Spawned {
  const proc = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: [
      'ignore',
      options.stdout ?? 'ignore',
      'inherit',
      ...(options.ipc ? ['ipc' as const] : []),
    ],
  });
  children.add(proc);
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null) resolve();
    proc.once('exit', () => {
      children.delete(proc);
      resolve();
    });
  });
  return {
    proc,
    async exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const done = await Promise.race([exited.then(() => true as const), timedOut]);
      clearTimeout(timer);
      return done;
    },
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Retries `probe` until it resolves or `timeoutMs` passes (then throws its last error). */
export async function waitFor<T>(probe: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * CPU pinning (Linux `taskset`): the event loop of the server under load gets the last core, the
 * load generator's the others, so the two never share one. Off with `--no-pin`, on machines with
 * one core, or without taskset.
 *
 * Only main threads are pinned. The threads a process started before (V8's garbage-collector
 * helpers for parallel scavenges and concurrent marking, libuv's pool) keep floating, as they do on
 * a deployed host. Pinning them with the event loop turns the collector's parallel phases into a
 * queue behind it on one core: measured with h2load at 5,000 req/s, the Chain server's p99 was
 * 50–85 ms with every thread pinned and 26–30 ms with only the main thread pinned.
 */
export const pinning = (() => {
  const cpus = availableParallelism();
  if (process.argv.includes('--no-pin') || cpus < 2) return undefined;
  if (spawnSync('taskset', ['--version']).status !== 0) return undefined;
  return {
    server: String(cpus - 1),
    generator: cpus === 2 ? '0' : `0-${cpus - 2}`,
    all: `0-${cpus - 1}`,
  };
})();

/**
 * Moves the main thread of process `pid` onto `cpus` (a taskset list); no-op without pinning.
 * Call it once the process is serving, so that its helper threads already exist (threads started
 * later inherit the main thread's CPUs).
 */
export function pinMainThread(pid: number | undefined, cpus: string | undefined): void {
  if (pinning && cpus && pid !== undefined) spawnSync('taskset', ['-p', '-c', cpus, String(pid)]);
}

/** pinMainThread for this process. */
export function pinSelf(cpus: string | undefined): void {
  pinMainThread(process.pid, cpus);
}
