/**
 * The repository conformance kit, run through the cache: over the memory repository with the
 * memory store and with the shared Redis, and over PostgreSQL with Redis. A second run wraps every
 * spec in a `cache()` hint, so list/first/single/count/any/page answers come from the query cache
 * (after the first call) and must still match the kit's expectations exactly.
 */
import {
  type CachedRepository,
  type CacheStore,
  cached,
  memoryStore,
  redisStore,
} from '@mystira/cache';
import { memoryRepository, type Repository } from '@mystira/repository';
import { type ConformanceItemT, repositoryConformance } from '@mystira/repository/testing';
import {
  createDatabase,
  createTableStatements,
  dropTableStatements,
  type PgDatabase,
  postgresRepository,
  tableMapping,
} from '@mystira/repository-postgres';
import type { EntityDef } from '@mystira/specification';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connect, deletePrefix, hinted, uniquePrefix } from './helpers.js';

type Item = ConformanceItemT;

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-');
const open = new Map<Repository<Item>, CachedRepository<Item>>();

function kit(
  name: string,
  makeStore: () => CacheStore,
  inner: (e: EntityDef) => Promise<Repository<Item>>,
  withHints: boolean,
  largeCount?: number,
) {
  let n = 0;
  const cases = repositoryConformance({
    largeCount,
    create: async (entity) => {
      const repo = cached(await inner(entity), {
        store: makeStore(),
        keyPrefix: `${prefix}:${slug(name)}:${n++}`,
        storeTimeoutMs: 1000,
      });
      const outer = withHints ? hinted(repo, ['conformance']) : repo;
      open.set(outer, repo);
      return outer;
    },
    dispose: async (outer) => {
      await open.get(outer)?.close();
      open.delete(outer);
    },
  });
  describe(name, () => {
    for (const c of cases) it(c.name, c.run, 30_000);
  });
}

const prefix = uniquePrefix('conformance');
let redis: Redis;
let db: PgDatabase;
let tables = 0;
const dropped: string[][] = [];

beforeAll(async () => {
  redis = await connect();
  db = createDatabase({ primary: 'postgres://postgres@127.0.0.1:5432/test', max: 4 });
});

afterAll(async () => {
  for (const stmts of dropped) for (const s of stmts) await db.query(s).catch(() => {});
  await db?.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

const memoryInner = async (e: EntityDef) => memoryRepository<Item>(e);
const pgInner = async (e: EntityDef) => {
  const table = `cache_conf_${process.pid}_${tables++}`;
  const mapping = tableMapping(e, { table });
  for (const s of dropTableStatements(mapping)) await db.query(s);
  for (const s of createTableStatements(mapping)) await db.query(s);
  dropped.push(dropTableStatements(mapping));
  return postgresRepository<Item>(db, e, { table });
};

kit('memory repository + memory store', () => memoryStore(), memoryInner, false);
kit('memory repository + memory store, every spec cached', () => memoryStore(), memoryInner, true);
kit('memory repository + Redis', () => redisStore(redis), memoryInner, true);
kit('PostgreSQL + Redis, every spec cached', () => redisStore(redis), pgInner, true, 400);
