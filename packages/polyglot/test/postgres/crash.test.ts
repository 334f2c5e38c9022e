import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MirrorStore } from '@mystira/polyglot';
import { PgCheckpointStore } from '@mystira/polyglot/postgres';
import { passThrough } from '@mystira/repository';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import {
  type AccountT,
  account,
  accountPair,
  database,
  dualWriteAccounts,
  expectAgreement,
  migratePair,
  randomSchema,
  rng,
} from './helpers.js';
import { randomWrites } from './workload.js';

// Crash safety: the app process (a child) is SIGKILLed mid-stream, at a random point, and
// restarted; the intents it recorded before each dual write let a replay restore agreement.
// Same for a backfill: killed after a random batch, resumed from its checkpoint.
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const db = database({ max: 8 });
const children = new Set<ChildProcess>();
let schema = '';

const stores = () => accountPair(db, schema);

beforeEach(async () => {
  schema = randomSchema('pgk');
  await db.query(`CREATE SCHEMA "${schema}"`);
  await migratePair(db, stores());
  await new PgCheckpointStore(db, { schema }).migrate();
});
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
});
afterAll(async () => {
  await db.close();
});

/** Runs the child until `until(line)` says stop, then SIGKILLs it. Resolves with the lines seen. */
function runUntil(
  env: Record<string, string>,
  until: (line: string) => boolean,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], {
      env: { ...process.env, SCHEMA: schema, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const lines: string[] = [];
    let buf = '';
    let err = '';
    let killed = false;
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (!killed && until(line)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (signal === 'SIGKILL' || code === 0) resolve(lines);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

it('app process killed mid-stream (twice, at random points) and restarted: 0 differences after the replay', async () => {
  const random = rng(Date.now() % 1e9);
  for (const seed of [1, 2]) {
    const stopAt = 200 + Math.floor(random() * 600);
    const lines = await runUntil(
      { MODE: 'writes', SEED: String(seed) },
      (l) => l === `op ${stopAt}`,
    );
    expect(lines.filter((l) => l.startsWith('failed'))).toEqual([]);
    expect(lines).toContain(`op ${stopAt}`);
  }
  const { primary, mirror, outbox } = stores();
  const polyglot = dualWriteAccounts(outbox, primary, mirror);
  // Intents of the writes that were in flight at each kill are still there.
  expect((await outbox.stats()).depth).toBeGreaterThan(0);
  await polyglot.replayer({ idleMs: 10 }).drain({ ignoreSchedule: true });
  expect((await outbox.stats()).depth).toBe(0);
  await expectAgreement(polyglot, 51);
}, 90_000);

it('backfill killed after a random batch and resumed (with dual writes running): 0 differences, at most one batch repeated', async () => {
  const N = 6000;
  const BATCH = 200;
  const { primary, mirror, outbox } = stores();
  await primary.bulkInsert(
    Array.from({ length: N }, (_, i) =>
      account(`acc${String(i).padStart(4, '0')}`, { balance: i }),
    ),
  );
  const killAfter = 3 + Math.floor(rng(Date.now() % 1e9)() * 12);
  const lines = await runUntil({ MODE: 'backfill', BATCH: String(BATCH) }, (l) =>
    l.startsWith(`batch ${killAfter} `),
  );
  expect(lines.at(-1)).not.toBe('done');
  const checkpoints = new PgCheckpointStore(db, { schema });
  const cp = await checkpoints.load('backfill:accounts');
  expect(cp?.batches).toBeGreaterThanOrEqual(killAfter);
  // Count what the resumed run writes.
  let puts = 0;
  const counting: MirrorStore<AccountT> = passThrough(
    mirror,
    new Map([
      [
        'putMany',
        (...a: Parameters<MirrorStore<AccountT>['putMany']>) => {
          puts += a[0].length;
          return mirror.putMany(...a);
        },
      ],
    ]),
  );
  const polyglot = dualWriteAccounts(outbox, primary, counting);
  const [done, writes] = await Promise.all([
    polyglot.backfill('accounts', { checkpoints, batchSize: BATCH }),
    randomWrites(polyglot.repositories.accounts, { ops: 400, ids: N, workers: 4, seed: 5 }),
  ]);
  expect(writes.failed).toEqual([]);
  expect(done.done).toBe(true);
  expect(done.resumedAfter).toBe(cp!.after);
  expect(puts).toBeLessThanOrEqual(N - cp!.scanned + BATCH);
  await polyglot.settled();
  await polyglot.replayer({ idleMs: 10 }).drain({ ignoreSchedule: true });
  await expectAgreement(polyglot, N - 400);
}, 90_000);
