import { spec } from '@mystira/specification';
import { expect, it } from 'vitest';
import { cosmosToPostgres } from './cosmos-fixture.js';
import {
  Account,
  type AccountT,
  database,
  dualWriteAccounts,
  expectAgreement,
  FaultProxy,
  PG,
} from './helpers.js';
import { randomWrites } from './workload.js';

// The typical pair, Cosmos DB (in-process cosmosdb-server) → PostgreSQL, with the secondary
// behind a breakable proxy that is stopped during a stream of random writes.
const pair = cosmosToPostgres();
const { outbox } = pair;

it('secondary (PostgreSQL) stopped during 400 random writes to Cosmos: no failed write, 0 differences after the drain', async () => {
  const proxy = await new FaultProxy(PG).listen();
  const viaProxy = database({ port: proxy.port, connectionTimeoutMs: 1000 });
  try {
    const primary = await pair.primary<AccountT>(Account, 'faults', [spec(Account).take(1)]);
    const mirror = await pair.mirror<AccountT>(Account, 'cosmos_faults', viaProxy);
    await mirror.migrate();
    const polyglot = dualWriteAccounts(outbox, primary, mirror, 500);
    const result = await randomWrites(polyglot.repositories.accounts, {
      ops: 400,
      ids: 150,
      workers: 6,
      seed: 3,
      onOp: (k) => {
        if (k === 100) proxy.down();
        if (k === 280) proxy.up();
      },
    });
    expect(result.failed).toEqual([]);
    expect((await polyglot.metrics()).accounts!.counters.secondaryFailures).toBeGreaterThan(0);
    await polyglot.settled();
    await polyglot
      .replayer({ entity: 'accounts', idleMs: 20, backoff: { baseMs: 10, maxMs: 200 } })
      .drain({ ignoreSchedule: true });
    await expectAgreement(polyglot, 51);
  } finally {
    await viaProxy.close().catch(() => {});
    await proxy.close();
  }
}, 120_000);
