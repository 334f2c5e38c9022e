/**
 * The real stores the mapped differential tests run on — PostgreSQL (document layout, in a schema
 * of the test's own, dropped on close) and Cosmos DB (the in-process server) — and, for a codec
 * and its golden documents, the three stored-shape repositories (memory, PostgreSQL, Cosmos DB)
 * holding the same documents with `mapped()` over each, next to the reference: the
 * specification's evaluator over the decoded items. Shared by this package's mapping tests and
 * `@mystira/domain`'s.
 */
import { randomUUID } from 'node:crypto';
import {
  type EntityCodec,
  mapped,
  mapQuery,
  memoryRepository,
  type Repository,
  type StoredDocument,
} from '@mystira/repository';
import { CosmosRepository, ensureContainer } from '@mystira/repository-cosmos';
import {
  createDatabase,
  createTableStatements,
  type PgDatabase,
  PostgresRepository,
} from '@mystira/repository-postgres';
import type { QueryNode } from '@mystira/specification';
import { startCosmos, type TestCosmos } from '../../repository-cosmos/test/cosmos.js';

/** One codec's documents on every backend. */
export interface MappedBackends<T extends object> {
  /** The specification's evaluator over the decoded documents (as JSON, as a store returns them). */
  reference: Repository<T>;
  /** The stored-shape repositories by backend name, holding the documents as the App wrote them. */
  stored: [string, Repository<StoredDocument>][];
  /** `mapped()` over each of `stored`, by backend name. */
  mapped: [string, Repository<T>][];
}

/** PostgreSQL and Cosmos DB, open for one test file. */
export interface MappingStores {
  readonly pg: PgDatabase;
  readonly cosmos: TestCosmos;
  /** A PostgreSQL table (document layout) for the codec's container, created in the schema. */
  postgres(codec: EntityCodec<object>, table?: string): Promise<PostgresRepository<StoredDocument>>;
  /**
   * A new Cosmos DB container for the codec, with the composite indexes the (TypeScript-shape)
   * queries need once translated to the stored shape.
   */
  cosmosRepository(
    codec: EntityCodec<object>,
    queries?: readonly QueryNode[],
  ): Promise<CosmosRepository<StoredDocument>>;
  /** The documents on memory, PostgreSQL and Cosmos DB, mapped, and the reference. */
  load<T extends object>(
    codec: EntityCodec<T>,
    docs: readonly StoredDocument[],
    queries?: readonly QueryNode[],
  ): Promise<MappedBackends<T>>;
  /** Drops the schema and closes both stores. */
  close(): Promise<void>;
}

/** A value as it comes back from a store: JSON, without `undefined` properties. */
export const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

/**
 * A maker of golden documents that differ from `fallback` (or from the `base` given) in their id
 * and a few properties.
 */
export function variantsOf(fallback: StoredDocument) {
  return (
    id: string,
    patch: StoredDocument = {},
    base: StoredDocument = fallback,
  ): StoredDocument => ({
    ...base,
    id,
    ...patch,
  });
}

/** Starts the Cosmos DB server and creates the PostgreSQL schema `<prefix>_<random>`. */
export async function openMappingStores(prefix: string): Promise<MappingStores> {
  const schema = `${prefix}_${randomUUID().slice(0, 8)}`;
  const cosmos = await startCosmos();
  const pg = createDatabase({
    primary: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' },
    max: 2,
  });
  await pg.query(`CREATE SCHEMA "${schema}"`);

  async function postgres(codec: EntityCodec<object>, table = codec.stored.name.toLowerCase()) {
    const repo = new PostgresRepository<StoredDocument>(pg, codec.stored, {
      layout: 'document',
      schema,
      table,
    });
    for (const stmt of createTableStatements(repo.mapping)) await pg.query(stmt);
    return repo;
  }

  async function cosmosRepository(codec: EntityCodec<object>, queries: readonly QueryNode[] = []) {
    const container = await ensureContainer(cosmos.database, codec.stored, {
      id: `${codec.stored.name}-${randomUUID().slice(0, 8)}`,
      profile: cosmos.profile,
      specs: queries.map((q) => mapQuery(codec, q)),
    });
    return new CosmosRepository<StoredDocument>(codec.stored, {
      container,
      profile: cosmos.profile,
    });
  }

  async function load<T extends object>(
    codec: EntityCodec<T>,
    docs: readonly StoredDocument[],
    queries: readonly QueryNode[] = [],
  ): Promise<MappedBackends<T>> {
    const untyped = codec as unknown as EntityCodec<object>;
    const stored: [string, Repository<StoredDocument>][] = [
      ['memory', memoryRepository<StoredDocument>(codec.stored)],
      ['postgres', await postgres(untyped)],
      ['cosmos', await cosmosRepository(untyped, queries)],
    ];
    for (const [, repo] of stored) await repo.addMany([...docs]);
    return {
      reference: memoryRepository<T>(codec.domain, {
        seed: docs.map((d) => plain(codec.decode(d))),
      }),
      stored,
      mapped: stored.map(([name, repo]) => [name, mapped(repo, codec)]),
    };
  }

  async function close() {
    await cosmos.close();
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pg.close();
  }

  return { pg, cosmos, postgres, cosmosRepository, load, close };
}
