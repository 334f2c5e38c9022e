/**
 * Which embedded PostgreSQL servers the demo may stop. The rule: only one a demo started, and only
 * when that demo is gone (a server it left running when it was killed hard). A server some other
 * program started on the folder, or one a demo that still runs is using, is never stopped.
 *
 * Ownership is recorded in the server itself: the demo starts it with
 * `-c cluster_name=mystira-demo/<pid>/<start ticks>` naming the demo process. The postmaster's
 * command line keeps that argument for its whole life, so a later start reads it from
 * /proc/<pid>/cmdline: no separate record that could be lost or disagree with the process.
 */
import { isRunning, ownIdentity, type ProcessIdentity } from './process-identity.ts';

const TAG = /\bcluster_name=mystira-demo\/(\d+)\/(\d+|-)(?:\s|$)/;

/** The cluster_name value that marks a server as started by this process. */
export function ownershipTag(owner: ProcessIdentity = ownIdentity()): string {
  return `mystira-demo/${owner.pid}/${owner.startTicks ?? '-'}`;
}

/** The demo process that started the server with this command line, if a demo did. */
export function serverOwner(commandLine: string): ProcessIdentity | undefined {
  const match = TAG.exec(commandLine.replaceAll('\0', ' '));
  if (!match) return undefined;
  // No boot id: the server runs, so it and the demo that started it belong to this boot.
  return { pid: Number(match[1]), startTicks: match[2] === '-' ? undefined : match[2] };
}

export type RunningServerDecision =
  /** A server a demo started and left behind when it died: stopping it frees the folder. */
  | { stop: true; reason: string }
  /** Not ours to stop: start-up fails with `reason`. */
  | { stop: false; reason: string };

/**
 * What to do about PostgreSQL server `pid` (command line `commandLine`) found running on the
 * cluster folder `dataDir` at start-up.
 */
export function decideOnRunningServer(
  server: { pid: number; commandLine: string; dataDir: string },
  ownerRunning: (owner: ProcessIdentity) => boolean = isRunning,
): RunningServerDecision {
  const owner = serverOwner(server.commandLine);
  const alternatives =
    'or give this demo another data folder (--data-dir / DEMO_DATA_DIR), or set DATABASE_URL';
  if (owner === undefined) {
    return {
      stop: false,
      reason: `a PostgreSQL server (pid ${server.pid}) that the demo did not start runs on ${server.dataDir}; it is left alone: stop it yourself, ${alternatives}`,
    };
  }
  if (ownerRunning(owner)) {
    return {
      stop: false,
      reason: `the PostgreSQL server (pid ${server.pid}) on ${server.dataDir} belongs to the demo with pid ${owner.pid}, which still runs: stop that demo first, ${alternatives}`,
    };
  }
  return {
    stop: true,
    reason: `stopping the PostgreSQL server (pid ${server.pid}) that a demo (pid ${owner.pid}, no longer running) left on ${server.dataDir}`,
  };
}
