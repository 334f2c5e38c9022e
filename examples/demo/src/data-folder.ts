/**
 * The demo's data folder and its lock. Two demos on one folder would share one PostgreSQL cluster
 * and overwrite each other's Cosmos snapshot and last run, so a demo holds the folder exclusively
 * for as long as it runs: `demo.lock` in the folder, created only if absent (O_EXCL), naming the
 * process that holds it. A lock whose process is gone (killed hard, the machine rebooted) is stale
 * and taken over, saying so.
 *
 * No built package is imported here: `npm run demo` takes the lock before it builds anything, so a
 * second demo is refused at once.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isRunning, ownIdentity, type ProcessIdentity } from './process-identity.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
/** `npm run demo`'s folder unless --data-dir or DEMO_DATA_DIR names another (git-ignored). */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.mystira-demo');
export const LOCK_FILE = 'demo.lock';

/** What the lock file says about the process holding it. */
export interface LockHolder extends ProcessIdentity {
  /** When it took the lock (ISO 8601). */
  since: string;
  command: string;
  hostname: string;
}

export interface DataFolderLock {
  readonly dataDir: string;
  /** Set when a stale lock was found and replaced: whose it was and why it was stale. */
  readonly replaced?: { holder?: LockHolder; reason: string };
  /** Removes the lock if it is still this one's. Safe to call twice; also runs on process exit. */
  release(): void;
}

export class DataFolderLockedError extends Error {
  override readonly name = 'DataFolderLockedError';
  readonly dataDir: string;
  readonly holder: LockHolder;
  constructor(dataDir: string, holder: LockHolder) {
    super(`the data folder ${dataDir} is in use by another demo: ${describeHolder(holder)}`);
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

/** "pid 123 since 2026-…Z (4 min ago), node …/main.ts --once" */
export function describeHolder(holder: LockHolder, now = Date.now()): string {
  const minutes = Math.round((now - Date.parse(holder.since)) / 60_000);
  const ago = Number.isNaN(minutes)
    ? ''
    : minutes < 1
      ? ' (just now)'
      : minutes < 120
        ? ` (${minutes} min ago)`
        : minutes < 48 * 60
          ? ` (${Math.round(minutes / 60)} h ago)`
          : ` (${Math.round(minutes / 60 / 24)} days ago)`;
  const where = holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`;
  return `pid ${holder.pid}${where} since ${holder.since}${ago}, ${holder.command}`;
}

/** A process that took a lock and died before writing a byte into it gets this long. */
const BEING_WRITTEN_MS = 2_000;
/** A takeover holds its guard for a few system calls; one older than this was abandoned. */
const ABANDONED_TAKEOVER_MS = 10_000;

function pause(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function errorCode(error: unknown) {
  return (error as NodeJS.ErrnoException).code;
}

/** Creates `file` with `text` only if it does not exist (O_CREAT|O_EXCL); false if it does. */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(file);
    throw error;
  }
  closeSync(fd);
  return true;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.since === 'string') {
      return { command: '?', hostname: hostname(), ...value } as LockHolder;
    }
  } catch {}
  return undefined;
}

/** A lock on another machine (a shared folder) cannot be checked here: it is taken as held. */
function holderRunning(holder: LockHolder): boolean {
  return holder.hostname !== hostname() || isRunning(holder);
}

/**
 * Removes the stale lock `file`, provided it still reads `staleText`. Two demos may find the same
 * stale lock at once; a guard file (created exclusively) lets one of them at a time re-read and
 * remove it, so neither can remove a lock the other has just taken. True when this call removed it.
 */
function removeStaleLock(file: string, staleText: string): boolean {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, String(process.pid))) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > ABANDONED_TAKEOVER_MS) unlinkSync(guard);
    } catch {}
    pause(20);
    return false;
  }
  try {
    if (readFileSync(file, 'utf8') !== staleText) return false;
    unlinkSync(file);
    return true;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    return false;
  } finally {
    unlinkSync(guard);
  }
}

/**
 * Locks `dataDir` (created if missing) for this process, or throws DataFolderLockedError naming
 * the process that holds it.
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  const me: LockHolder = {
    ...ownIdentity(),
    since: new Date().toISOString(),
    command: `node ${process.argv.slice(1).join(' ')}`.slice(0, 300),
    hostname: hostname(),
  };
  const text = `${JSON.stringify(me, null, 2)}\n`;
  let replaced: DataFolderLock['replaced'];
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (createExclusive(file, text)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          // Only our own: after a takeover the file may be another demo's.
          if (readFileSync(file, 'utf8') === text) unlinkSync(file);
        } catch {}
      };
      // Covers process.exit() and uncaught errors; a clean stop calls release() itself.
      process.on('exit', release);
      return { dataDir, replaced, release };
    }
    let seen: string;
    let ageMs: number;
    try {
      seen = readFileSync(file, 'utf8');
      ageMs = Date.now() - statSync(file).mtimeMs;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue; // released meanwhile: try again
      throw error;
    }
    const holder = parseHolder(seen);
    if (holder === undefined && ageMs < BEING_WRITTEN_MS) {
      pause(50); // just created, its content not written yet
      continue;
    }
    if (holder && holderRunning(holder)) throw new DataFolderLockedError(dataDir, holder);
    if (removeStaleLock(file, seen)) {
      replaced = holder
        ? { holder, reason: `${describeHolder(holder)}, is no longer running` }
        : { reason: `the lock file ${file} was unreadable` };
    }
  }
  throw new Error(
    `could not lock ${dataDir}: ${file} keeps changing (many demos starting at once?)`,
  );
}
