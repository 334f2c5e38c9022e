/**
 * `npm run demo` and its data folder, end to end (real demo processes, as in demo.test.ts): two
 * demos on one folder, a stale lock, the saved state a crash between writes leaves, and data of
 * the previous run that is gone. Issue 18 item 11: each of these used to break the folder for
 * good.
 */

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/data-folder.ts';
import { MANIFEST_FILE } from '../src/saved-state.ts';
import { expectScenarioPassed, runDemo, startDemo } from './run-demo.ts';
import { tempFolders } from './temp-folders.ts';

const tempDataDir = tempFolders('mystira-demo-test-', { traversable: true });

const PREVIOUS_RUN_CHECKED = /✓ +1\. the previous run’s data is still there/;

describe('npm run demo on one data folder', () => {
  it('refuses a second demo at once, naming the first, whose PostgreSQL keeps serving; the folder is free again once the first stops', async () => {
    const dataDir = await tempDataDir();
    const first = startDemo({ dataDir });
    try {
      await first.waitFor(/Serving until Ctrl-C/);
      const postgresPort = Number(
        (await first.waitFor(/✓ PostgreSQL +postgres:\/\/mystira:\*\*\*@127\.0\.0\.1:(\d+)\//))[1],
      );
      const apiUrl = (await first.waitFor(/✓ App API +(http:\/\/\S+)/))[1]!;

      const asked = Date.now();
      const second = await runDemo({ dataDir, timeoutMs: 30_000 });
      expect(second.code, second.output).toBe(1);
      expect(second.output).toContain(
        `✗ the data folder ${dataDir} is in use by another demo: pid ${first.pid} since`,
      );
      expect(second.output).toContain(
        `kill ${first.pid}), or give this one a folder of its own: npm run demo -- --data-dir <dir> (or DEMO_DATA_DIR=<dir>)`,
      );
      expect(second.output).not.toContain('Starting the system');
      expect(Date.now() - asked).toBeLessThan(5_000); // at once: nothing built or started

      // The first one is untouched: its PostgreSQL answers, its App API is ready.
      const client = new pg.Client({
        host: '127.0.0.1',
        port: postgresPort,
        user: 'mystira',
        password: 'mystira-demo',
        database: 'mystira',
      });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
      expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
    } finally {
      const stopped = await first.stop('SIGTERM');
      expect(stopped.code, stopped.output).toBe(0);
    }
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false); // released on SIGTERM

    const third = await runDemo({ dataDir });
    expect(third.output).toMatch(PREVIOUS_RUN_CHECKED);
    expectScenarioPassed(third.output);
    expect(third.code, third.output).toBe(0);
  });

  it('takes over a stale lock and moves aside the saved state a crash between writes left, one line each, then passes', async () => {
    const dataDir = await tempDataDir();
    // A demo killed hard: its lock names a pid that is gone.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      join(dataDir, LOCK_FILE),
      JSON.stringify({
        pid: gone,
        since: '2026-01-01T00:00:00.000Z',
        command: 'node examples/demo/src/main.ts',
        hostname: hostname(),
      }),
    );
    // Issue 18's folder: last-run.json names a story the Cosmos snapshot does not hold.
    writeFileSync(
      join(dataDir, 'cosmos-snapshot.json'),
      JSON.stringify({ version: 2, databases: [] }),
    );
    writeFileSync(
      join(dataDir, 'last-run.json'),
      JSON.stringify({
        stores: 'embedded|app|embedded|owned',
        ids: { authorId: randomUUID(), artistId: randomUUID(), storyId: randomUUID() },
      }),
    );

    const run = await runDemo({ dataDir });
    expect(run.output).toMatch(
      new RegExp(
        `(^|\\n)  ! Data folder +took over a stale lock: pid ${gone} since .* days ago\\), node examples/demo/src/main\\.ts, is no longer running\\n`,
      ),
    );
    expect(run.output).toMatch(
      /\n {2}! Data folder +found cosmos-snapshot\.json and last-run\.json from an earlier version of the demo, .*: moved the saved state to .*\/discarded\/[\w-]+\/ and starting afresh\n/,
    );
    expect(run.output).not.toContain('the previous run’s data');
    expectScenarioPassed(run.output);
    expect(run.code, run.output).toBe(0);
    const [moved] = readdirSync(join(dataDir, 'discarded'));
    expect(readdirSync(join(dataDir, 'discarded', moved!)).sort()).toEqual([
      'cosmos-snapshot.json',
      'last-run.json',
    ]);
  });

  it('when the previous run’s data is gone, says so and starts afresh instead of failing at every start', async () => {
    const dataDir = await tempDataDir();
    const first = await runDemo({ dataDir });
    expect(first.code, first.output).toBe(0);

    // The PostgreSQL cluster deleted (re-created by the next start): the accounts are gone.
    await rm(join(dataDir, 'postgres'), { recursive: true, force: true });
    const second = await runDemo({ dataDir });
    expect(second.output).toMatch(
      /! Data folder +the PostgreSQL cluster is not the one the last run used .*: moved the saved state to .* and starting afresh\n/,
    );
    expect(second.output).not.toContain('the previous run’s data');
    expectScenarioPassed(second.output);
    expect(second.code, second.output).toBe(0);

    // Ids that nothing holds any more, which no check before the scenario can see: that run
    // fails, once; the next one starts afresh.
    const manifest = JSON.parse(readFileSync(join(dataDir, MANIFEST_FILE), 'utf8'));
    manifest.lastRun.ids.storyId = randomUUID();
    writeFileSync(join(dataDir, MANIFEST_FILE), JSON.stringify(manifest));
    const third = await runDemo({ dataDir });
    expect(third.code, third.output).toBe(1);
    expect(third.output).toMatch(/✗ +1\. the previous run’s data is still there/);
    expect(third.output).toContain(
      'the previous run’s ids are forgotten: the next run starts afresh.',
    );

    const fourth = await runDemo({ dataDir });
    expect(fourth.output).not.toContain('the previous run’s data');
    expectScenarioPassed(fourth.output);
    expect(fourth.code, fourth.output).toBe(0);
  });
});
