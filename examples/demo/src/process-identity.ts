/**
 * Who a process is, in a form that can be written to a file and checked later: its pid, and on
 * Linux the boot it runs in and the moment it started (in clock ticks since boot). A pid alone is
 * not enough: after the process is gone (or after a reboot) the same number can belong to some
 * other process, which must not be mistaken for it.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** /proc/sys/kernel/random/boot_id (Linux): a pid names nothing across a reboot. */
  bootId?: string;
  /** Field 22 of /proc/<pid>/stat (Linux): the pid's start time, which a reused pid does not share. */
  startTicks?: string;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * /proc/<pid>/stat from field 3 (state) on, or undefined when /proc cannot tell. It reads
 * "pid (command) state ppid …"; the command may hold spaces and parentheses, hence the last ')'.
 */
function statFields(pid: number): string[] | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The start time of `pid` (field 22, starttime, in clock ticks since boot). */
export function processStartTicks(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

export function currentBootId(): string | undefined {
  return readOrUndefined('/proc/sys/kernel/random/boot_id')?.trim();
}

/** This process. */
export function ownIdentity(): ProcessIdentity {
  return { pid: process.pid, bootId: currentBootId(), startTicks: processStartTicks(process.pid) };
}

/**
 * Whether the process `identity` names still runs. Errs on the side of "yes" when the system
 * cannot tell (no /proc): a live process taken for dead would be worse than a stale record kept.
 */
export function isRunning(identity: ProcessIdentity): boolean {
  if (!Number.isInteger(identity.pid) || identity.pid <= 0) return false;
  const bootId = currentBootId();
  if (identity.bootId && bootId && identity.bootId !== bootId) return false;
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const fields = statFields(identity.pid);
  if (fields === undefined) {
    // Gone between the two checks, or no /proc (then kill(0) is all there is).
    return statFields(process.pid) === undefined;
  }
  // A zombie has exited; only its parent's reaping is left.
  if (fields[0] === 'Z') return false;
  return identity.startTicks === undefined || identity.startTicks === fields[19];
}
