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
 * CPU pinning (Linux `taskset`): the server under load gets the last core, the load generator the
 * others, so they never share one. Off with `--no-pin`, on machines with one core, or without
 * taskset.
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

/** Moves every thread of this process onto `cpus` (a taskset list); no-op without pinning. */
export function pinSelf(cpus: string | undefined): void {
  if (pinning && cpus) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]);
}

/** `command args` wrapped to run on the server core (taskset execs it: same pid, same IPC). */
export function onServerCore(command: string, args: string[]): [string, string[]] {
  return pinning ? ['taskset', ['-c', pinning.server, command, ...args]] : [command, args];
}
