import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPolyglot, type Phase } from '@mystira/polyglot';
import { postgresMirror, postgresOutbox } from '@mystira/polyglot/postgres';
import {
  ConformanceItem,
  type ConformanceItemT,
  conformanceSpecs,
  repositoryConformance,
} from '@mystira/repository/testing';
import { CosmosRepository, cosmosClient, ensureContainer } from '@mystira/repository-cosmos';
import { createTableStatements, PostgresRepository } from '@mystira/repository-postgres';
import { spec } from '@mystira/specification';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { database, randomSchema } from './helpers.js';

// The typical pair: documents in Cosmos DB (here the in-process cosmosdb-server over HTTPS),
// moving to PostgreSQL: the conformance kit through both dual-write phases.
const server = createHttpsServer();
const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
const db = database({ max: 8 });
const schema = randomSchema('pgcos');
const outbox = postgresOutbox(db, { schema });
let database_: Awaited<
  ReturnType<ReturnType<typeof cosmosClient>['databases']['createIfNotExists']>
>['database'];
let client: ReturnType<typeof cosmosClient>;
let n = 0;

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

const S = () => spec(ConformanceItem);
const specs = [
  ...conformanceSpecs.map((s) => s.spec()),
  S().orderBy('score').take(5),
  S().orderByDescending('name').take(3),
  S()
    .where((w) => w.eq('active', true))
    .orderBy('createdAt')
    .take(2),
  S().orderBy('name').take(3),
  S().orderBy('score').thenByDescending('name'),
];

for (const phase of ['DualWritePrimaryRead', 'DualWriteSecondaryRead'] as Phase[]) {
  describe(`polyglot (cosmosdb-server → postgres), ${phase}: conformance kit`, () => {
    const cases = repositoryConformance({
      largeCount: 300,
      async create(entity) {
        const k = ++n;
        const container = await ensureContainer(database_, entity, {
          id: `c${k}`,
          specs,
          profile: 'cosmosdb-server',
        });
        const primary = new CosmosRepository<ConformanceItemT>(entity, {
          container,
          profile: 'cosmosdb-server',
        });
        const second = new PostgresRepository<ConformanceItemT>(db, entity, {
          schema,
          table: `s_${k}`,
        });
        for (const s of createTableStatements(second.mapping)) await db.query(s);
        const mirror = postgresMirror(db, second);
        if (k === 1) await mirror.migrate();
        return createPolyglot({
          outbox,
          entities: { items: { primary, secondary: mirror, phase } },
        }).repositories.items;
      },
    });
    for (const c of cases) it(c.name, c.run, 60_000);
  });
}
