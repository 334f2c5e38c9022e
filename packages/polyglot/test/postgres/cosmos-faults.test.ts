import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPolyglot } from '@mystira/polyglot';
import { postgresMirror, postgresOutbox } from '@mystira/polyglot/postgres';
import { CosmosRepository, cosmosClient, ensureContainer } from '@mystira/repository-cosmos';
import { createTableStatements, PostgresRepository } from '@mystira/repository-postgres';
import { spec } from '@mystira/specification';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Account, type AccountT, database, FaultProxy, PG, randomSchema } from './helpers.js';
import { randomWrites } from './workload.js';

// The typical pair, Cosmos DB (in-process cosmosdb-server) → PostgreSQL, with the secondary
// behind a breakable proxy that is stopped during a stream of random writes.
const server = createHttpsServer();
const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
const db = database({ max: 8 });
const schema = randomSchema('pgcos');
const outbox = postgresOutbox(db, { schema });
let database_: Awaited<
  ReturnType<ReturnType<typeof cosmosClient>['databases']['createIfNotExists']>
>['database'];
let client: ReturnType<typeof cosmosClient>;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = cosmosClient({
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: Buffer.from('polyglot-test-key-not-a-secret').toString('base64'),
    agent,
  });
  database_ = (
    await client.databases.createIfNotExists({ id: `polyglot-${randomUUID().slice(0, 8)}` })
  ).database;
  await db.query(`CREATE SCHEMA "${schema}"`);
  await outbox.migrate();
});
afterAll(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await db.close();
  client?.dispose();
  agent.destroy();
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('secondary (PostgreSQL) stopped during 400 random writes to Cosmos: no failed write, 0 differences after the drain', async () => {
  const proxy = await new FaultProxy(PG).listen();
  const viaProxy = database({ port: proxy.port, connectionTimeoutMs: 1000 });
  try {
    const container = await ensureContainer(database_, Account, {
      id: 'faults',
      specs: [spec(Account).take(1)],
      profile: 'cosmosdb-server',
    });
    const primary = new CosmosRepository<AccountT>(Account, {
      container,
      profile: 'cosmosdb-server',
    });
    const second = new PostgresRepository<AccountT>(viaProxy, Account, {
      schema,
      table: 'cosmos_faults',
    });
    for (const s of createTableStatements(second.mapping)) await db.query(s);
    const mirror = postgresMirror(viaProxy, second);
    await mirror.migrate();
    const polyglot = createPolyglot({
      outbox,
      entities: {
        accounts: {
          primary,
          secondary: mirror,
          phase: 'DualWritePrimaryRead',
          secondaryTimeoutMs: 500,
        },
      },
    });
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
    const report = await polyglot.verify('accounts');
    expect(report.differentItems).toEqual([]);
    expect(report.differences).toBe(0);
    expect(report.scanned).toBeGreaterThan(50);
  } finally {
    await viaProxy.close().catch(() => {});
    await proxy.close();
  }
}, 120_000);
