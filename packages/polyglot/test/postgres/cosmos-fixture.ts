import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  type PgMirror,
  type PgOutbox,
  postgresMirror,
  postgresOutbox,
} from '@mystira/polyglot/postgres';
import {
  CosmosRepository,
  cosmosClient,
  type EnsureContainerOptions,
  ensureContainer,
} from '@mystira/repository-cosmos';
import {
  createTableStatements,
  type PgDatabase,
  PostgresRepository,
} from '@mystira/repository-postgres';
import type { EntityDef } from '@mystira/specification';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll } from 'vitest';
import { database, randomSchema } from './helpers.js';

type CosmosDatabase = Awaited<
  ReturnType<ReturnType<typeof cosmosClient>['databases']['createIfNotExists']>
>['database'];

/** The two stores of a Cosmos DB → PostgreSQL test, ready once its `beforeAll` has run. */
export interface CosmosToPostgres {
  /** The PostgreSQL side (pool of 8). */
  db: PgDatabase;
  /** A fresh schema for this file's tables, dropped after it. */
  schema: string;
  /** The outbox, migrated into `schema`. */
  outbox: PgOutbox;
  /**
   * The primary: a repository of `entity` over a new container `id` of a fresh database on the
   * in-process cosmosdb-server, indexed for `specs` (after `beforeAll`).
   */
  primary<T extends object>(
    entity: EntityDef,
    id: string,
    specs: EnsureContainerOptions['specs'],
  ): Promise<CosmosRepository<T>>;
  /**
   * The secondary: a mirror of `entity` on a new table `table` of `schema`, created through `db`;
   * the mirror writes through `via` (default `db`; a pool behind a fault proxy, say). Not migrated.
   */
  mirror<T extends object>(
    entity: EntityDef,
    table: string,
    via?: PgDatabase,
  ): Promise<PgMirror<T>>;
}

/**
 * The typical pair, documents in Cosmos DB (the in-process cosmosdb-server over HTTPS) moving to
 * PostgreSQL: starts both in `beforeAll` and tears both down in `afterAll` of the calling file.
 */
export function cosmosToPostgres(): CosmosToPostgres {
  const server = createHttpsServer();
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const db = database({ max: 8 });
  const schema = randomSchema('pgcos');
  const outbox = postgresOutbox(db, { schema });
  let client: ReturnType<typeof cosmosClient> | undefined;
  let cosmos: CosmosDatabase | undefined;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = cosmosClient({
      endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      key: Buffer.from('polyglot-test-key-not-a-secret').toString('base64'),
      agent,
    });
    cosmos = (
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

  return {
    db,
    schema,
    outbox,
    async primary<T extends object>(
      entity: EntityDef,
      id: string,
      specs: EnsureContainerOptions['specs'],
    ) {
      if (!cosmos) throw new Error('cosmosToPostgres: the Cosmos database exists after beforeAll');
      const profile = 'cosmosdb-server';
      const container = await ensureContainer(cosmos, entity, { id, specs, profile });
      return new CosmosRepository<T>(entity, { container, profile });
    },
    async mirror<T extends object>(entity: EntityDef, table: string, via = db) {
      const repository = new PostgresRepository<T>(via, entity, { schema, table });
      for (const s of createTableStatements(repository.mapping)) await db.query(s);
      return postgresMirror(via, repository);
    },
  };
}
