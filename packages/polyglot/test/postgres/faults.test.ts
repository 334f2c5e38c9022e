import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  accountPair,
  database,
  dualWriteAccounts,
  expectAgreement,
  FaultProxy,
  migratePair,
  PG,
  randomSchema,
} from './helpers.js';
import { randomWrites } from './workload.js';

// The secondary sits behind a TCP proxy we can break: reset + refuse (a stopped server), then
// blackhole (a hung network, so secondary writes hit their timeout), then back up. The app must
// see no failed write, and once the outbox drains a full verification must find 0 differences.
// 10 000 operations, as the issue asks (about 35 s here); POLYGLOT_FAULT_OPS changes it.
const OPS = Number(process.env.POLYGLOT_FAULT_OPS ?? 10_000);
const schema = randomSchema('pgf');
const direct = database();
let proxy: FaultProxy;
let viaProxy: ReturnType<typeof database>;

beforeAll(async () => {
  proxy = await new FaultProxy(PG).listen();
  viaProxy = database({ port: proxy.port, statementTimeoutMs: 5000, connectionTimeoutMs: 1000 });
  await direct.query(`CREATE SCHEMA "${schema}"`);
});
afterAll(async () => {
  await viaProxy?.close().catch(() => {});
  await proxy?.close();
  await direct.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await direct.close();
});

it(`secondary stopped and hung during ${OPS} random writes: no failed write, 0 differences after the drain`, async () => {
  const pair = accountPair(direct, schema, viaProxy);
  await migratePair(direct, pair);
  const { primary, mirror, outbox } = pair;
  const polyglot = dualWriteAccounts(outbox, primary, mirror, 300);
  const replayer = polyglot.replayer({
    idleMs: 50,
    backoff: { baseMs: 50, maxMs: 1000 },
    leaseMs: 5000,
  });
  replayer.start();
  const states: string[] = [];
  const result = await randomWrites(polyglot.repositories.accounts, {
    ops: OPS,
    ids: 300,
    workers: 8,
    seed: 9,
    onOp: (n) => {
      if (n === Math.floor(OPS * 0.2)) {
        proxy.down();
        states.push('down');
      } else if (n === Math.floor(OPS * 0.5)) {
        proxy.blackhole();
        states.push('blackhole');
      } else if (n === Math.floor(OPS * 0.55)) {
        proxy.up();
        states.push('up');
      }
    },
  });
  expect(states).toEqual(['down', 'blackhole', 'up']);
  expect(result.failed).toEqual([]);
  expect(result.done).toBe(OPS);
  const during = (await polyglot.metrics()).accounts!;
  expect(during.counters.secondaryFailures).toBeGreaterThan(0);
  expect(during.counters.secondaryTimeouts).toBeGreaterThan(0);
  await replayer.stop();
  await polyglot.settled();
  await polyglot
    .replayer({ idleMs: 20, backoff: { baseMs: 10, maxMs: 200 } })
    .drain({ ignoreSchedule: true });
  expect((await outbox.stats()).depth).toBe(0);
  await expectAgreement(polyglot, 101);
}, 300_000);
