/**
 * At-least-once across a crash: a consumer process is SIGKILLed at random moments while plain SQL
 * keeps writing, and restarted; once the last one has caught up, every version of every row was
 * handled by some run of the consumer (duplicates allowed, gaps not). The slot holds the position:
 * a change is acknowledged only after the sink handled it. And a replication connection the
 * server terminates is reconnected by `consumeChanges`, again without a gap.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumeChanges } from '@mystira/cdc';
import { afterAll, expect, it } from 'vitest';
import { seededRandom } from '../../../test-support/seeded-random.js';
import { TABLE, until, useNotesServer } from './support/fixture.js';

const notesDb = useNotesServer({ rows: 10, outsideMax: 4 });
const dir = mkdtempSync(join(tmpdir(), 'mystira-cdc-kill-'));
const log = join(dir, 'handled.log');
const child = join(import.meta.dirname, 'support', 'consumer-child.ts');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startChild(): ChildProcess {
  return spawn(process.execPath, [child, notesDb.server.url, 'killed', log], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const handled = () =>
  existsSync(log) ? new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean)) : new Set();

it('a consumer SIGKILLed mid-stream and restarted loses no change', async () => {
  const random = seededRandom(7);
  let consumer = startChild();
  await until(async () => {
    const { rows } = await notesDb.outside.query(
      `select active from pg_replication_slots where slot_name = 'killed'`,
    );
    return rows[0]?.active === true;
  }, 20_000);
  const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
  const written: string[] = [];
  let kills = 0;
  for (let round = 0; round < 4; round++) {
    // Writes in small transactions while the consumer runs (at most 400 a round, so the slow
    // consumer catches up in seconds), then a kill at a random moment.
    const stopAt = Date.now() + 100 + Math.floor(random() * 200);
    while (Date.now() < stopAt && written.length < (round + 1) * 400) {
      const id = ids[Math.floor(random() * ids.length)] as string;
      const { rows } = await notesDb.outside.query<{ version: number }>(
        `update ${TABLE} set version = version + 1 where id = $1 returning version`,
        [id],
      );
      written.push(`${id}:${rows[0]?.version}`);
    }
    consumer.kill('SIGKILL');
    await new Promise((r) => consumer.once('exit', r));
    kills++;
    // Writes while no consumer runs: the slot keeps them.
    for (let i = 0; i < 20; i++) {
      const id = ids[i % ids.length] as string;
      const { rows } = await notesDb.outside.query<{ version: number }>(
        `update ${TABLE} set version = version + 1 where id = $1 returning version`,
        [id],
      );
      written.push(`${id}:${rows[0]?.version}`);
    }
    consumer = startChild();
  }
  try {
    await until(() => {
      const seen = handled();
      return written.every((w) => seen.has(w));
    }, 30_000);
  } finally {
    consumer.kill('SIGKILL');
    await new Promise((r) => consumer.once('exit', r));
  }
  const seen = handled();
  const missing = written.filter((w) => !seen.has(w));
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
  console.log(
    `kill/restart: ${written.length} outside writes, ${kills} SIGKILLs, ${lines} handled (${lines - seen.size} again after a restart), ${missing.length} missing`,
  );
  expect(missing).toEqual([]);
  expect(kills).toBe(4);
}, 120_000);

it('a replication connection the server drops is reconnected and resumes without a gap', async () => {
  const source = notesDb.source('dropped');
  const seen = new Set<string>();
  const errors: string[] = [];
  const stop = new AbortController();
  const running = consumeChanges(
    source,
    {
      async handle(batch) {
        for (const e of batch.events) seen.add(`${String(e.key.id)}:${String(e.row?.version)}`);
      },
    },
    { signal: stop.signal, retryDelayMs: 10, onError: (err) => void errors.push(err.code) },
  );
  const activePid = async () =>
    (
      await notesDb.outside.query<{ pid: number | null }>(
        `select active_pid as pid from pg_replication_slots where slot_name = 'dropped'`,
      )
    ).rows[0]?.pid ?? null;
  await until(async () => (await activePid()) !== null, 20_000);
  const written: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 100; i++) {
      const { rows } = await notesDb.outside.query<{ version: number }>(
        `update ${TABLE} set version = version + 1 where id = $1 returning version`,
        [`n${i % 10}`],
      );
      written.push(`n${i % 10}:${rows[0]?.version}`);
    }
    // The server ends the walsender (as on a failover or an admin's pg_terminate_backend).
    const pid = await activePid();
    if (pid !== null) await notesDb.outside.query('select pg_terminate_backend($1)', [pid]);
  }
  await until(() => written.every((w) => seen.has(w)), 30_000);
  stop.abort();
  await running;
  await source.close({ drop: true });
  expect(errors.filter((c) => c === 'SOURCE').length).toBeGreaterThanOrEqual(1);
  expect(written.filter((w) => !seen.has(w))).toEqual([]);
}, 60_000);
