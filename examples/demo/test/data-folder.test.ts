/**
 * The data folder's lock (src/data-folder.ts), held by real processes: children that take the
 * lock and hold it, exit, or get killed with SIGKILL (what `kill -9` or a closed terminal does to
 * a demo), so liveness is checked on processes that really ran.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFolderLockedError, LOCK_FILE, lockDataFolder } from '../src/data-folder.ts';
import { currentBootId } from '../src/process-identity.ts';
import { moduleScriptArgs, srcModuleUrl } from './module-script.ts';
import { tempFolders } from './temp-folders.ts';

const MODULE = srcModuleUrl('data-folder.ts');

/** Takes the lock on DIR at START_AT (ms), prints the outcome, then holds it (or exits: THEN=exit). */
const HOLDER = `
const { lockDataFolder } = await import(process.env.MODULE);
while (Date.now() < Number(process.env.START_AT ?? 0)) {}
try {
  const lock = lockDataFolder(process.env.DIR);
  console.log(lock.replaced ? 'locked, replaced ' + lock.replaced.reason : 'locked');
  if (process.env.THEN === 'exit') process.exit(0);
  setInterval(() => {}, 1000);
} catch (error) {
  console.log('refused: ' + error.message);
}
`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A child taking the lock; resolves with it and its first line of output. */
function holder(dir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, moduleScriptArgs(HOLDER), {
    env: { ...process.env, MODULE, DIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = new Promise<string>((done, fail) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) done(output.split('\n')[0]!);
    });
    child.on('close', (code) =>
      fail(new Error(`holder exited (${code}) before a line: ${output}`)),
    );
  });
  return { child, line };
}

function exited(child: ChildProcess) {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.on('close', () => done());
  });
}

/** The pid of a process that ran and is gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await exited(child);
  return child.pid!;
}

const folder = tempFolders('mystira-demo-lock-');

function writeLock(dir: string, fields: Record<string, unknown>) {
  const lock = {
    since: '2026-01-01T00:00:00.000Z',
    command: 'node examples/demo/src/main.ts',
    hostname: hostname(),
    ...fields,
  };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(lock));
}

describe('the data folder lock', () => {
  it('refuses a second demo while the first runs, naming its pid; takes the lock over once it was killed', async () => {
    const dir = await folder();
    const first = holder(dir);
    expect(await first.line).toBe('locked');

    let refusal: unknown;
    try {
      lockDataFolder(dir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataFolderLockedError);
    expect((refusal as DataFolderLockedError).holder.pid).toBe(first.child.pid);
    expect((refusal as Error).message).toContain(
      `in use by another demo: pid ${first.child.pid} since`,
    );

    // The same from another process: a second demo's view.
    const second = holder(dir);
    expect(await second.line).toMatch(new RegExp(`^refused: .*pid ${first.child.pid} since`));

    first.child.kill('SIGKILL'); // no exit handler runs: the lock file stays
    await exited(first.child);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const lock = lockDataFolder(dir);
    expect(lock.replaced?.holder?.pid).toBe(first.child.pid);
    expect(lock.replaced?.reason).toMatch(
      new RegExp(`^pid ${first.child.pid} since .*, is no longer running$`),
    );
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('is released when its process exits, and a release never removes a lock that is not its own', async () => {
    const dir = await folder();
    const child = holder(dir, { THEN: 'exit' });
    expect(await child.line).toBe('locked');
    await exited(child.child);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const lock = lockDataFolder(dir);
    // Same process, same folder: a second holder is refused too (two systems in one process).
    expect(() => lockDataFolder(dir)).toThrow(`pid ${process.pid} since`);
    writeLock(dir, { pid: 4242 }); // someone else's by now (after a takeover)
    lock.release();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(4242);
  });

  it('takes over a lock whose pid is dead, is now another process, or belongs to an earlier boot', async () => {
    const cases: Record<string, unknown>[] = [
      { pid: await deadPid() },
      // This test's own pid, but the process that locked started at another moment.
      { pid: process.pid, startTicks: '1', bootId: currentBootId() },
      { pid: process.pid, bootId: '00000000-0000-0000-0000-000000000000' },
    ];
    for (const fields of cases) {
      const dir = await folder();
      writeLock(dir, fields);
      const lock = lockDataFolder(dir);
      expect(lock.replaced?.holder?.pid, JSON.stringify(fields)).toBe(fields.pid);
      lock.release();
    }
  });

  it('takes over an unreadable lock file once it is old, and refuses a live holder on another host', async () => {
    const dir = await folder();
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 12'); // cut short
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    const lock = lockDataFolder(dir);
    expect(lock.replaced?.reason).toMatch(/unreadable/);
    lock.release();

    // Another machine's process cannot be checked from here: held, and said where.
    writeLock(dir, { pid: await deadPid(), hostname: 'elsewhere.example' });
    expect(() => lockDataFolder(dir)).toThrow(/on host elsewhere\.example/);
  });

  it('of eight demos taking over one stale lock at the same moment, exactly one gets it', async () => {
    const dir = await folder();
    writeLock(dir, { pid: await deadPid() });
    const startAt = String(Date.now() + 1_500);
    const contenders = Array.from({ length: 8 }, () => holder(dir, { START_AT: startAt }));
    const lines = await Promise.all(contenders.map((c) => c.line));
    const winners = lines.filter((line) => line.startsWith('locked'));
    expect(winners, lines.join('\n')).toHaveLength(1);
    const winner = contenders[lines.indexOf(winners[0]!)]!.child.pid;
    for (const line of lines.filter((l) => !l.startsWith('locked')))
      expect(line).toMatch(new RegExp(`^refused: .*pid ${winner} since`));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(winner);
  });
});
