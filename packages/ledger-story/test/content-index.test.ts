/**
 * The content index stores, one behaviour for all three (memory, the shared PostgreSQL, the
 * shared Redis): both directions of the map, the first registration of a content id wins (also
 * when instances race), and the checkpoint only moves forward.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ContentIndex,
  type ContentIndexEntry,
  memoryContentIndex,
} from '../src/content-index/index.js';
import { postgresContentIndex } from '../src/content-index/postgres.js';
import { redisContentIndex } from '../src/content-index/redis.js';

const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 4 });
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false });
const schema = `ci_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const prefix = `test:content-index:${randomUUID()}`;
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  for await (const keys of redis.scanStream({ match: `{${prefix}*` }))
    if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

let tables = 0;
const stores: [string, () => Promise<ContentIndex>][] = [
  ['memory', async () => memoryContentIndex()],
  [
    'PostgreSQL',
    async () => {
      const index = postgresContentIndex({ pool, schema, table: `index_${tables++}` });
      await Promise.all([index.migrate(), index.migrate()]); // two instances starting together
      return index;
    },
  ],
  ['Redis', async () => redisContentIndex({ redis, keyPrefix: `${prefix}:${tables++}` })],
];

const entry = (n: number, ipId = `0x${n.toString(16).padStart(40, 'A')}`): ContentIndexEntry => ({
  contentId: `story-${n}`,
  ipId,
  txHash: `0x${n.toString(16).padStart(64, '0')}`,
  nftTokenId: String(n),
  blockNumber: BigInt(n * 10),
});

describe.each(stores)('%s content index', (_name, create) => {
  it('maps content ids to IP assets and back (IP ids in any case)', async () => {
    const index = await create();
    const e = entry(1);
    expect(await index.put(e)).toEqual({ ...e, ipId: e.ipId.toLowerCase() });
    expect(await index.get('story-1')).toEqual({ ...e, ipId: e.ipId.toLowerCase() });
    expect(await index.getByIpId(e.ipId.toUpperCase().replace('0X', '0x'))).toEqual(
      await index.get('story-1'),
    );
    expect(await index.get('story-2')).toBeUndefined();
    expect(await index.getByIpId(`0x${'f'.repeat(40)}`)).toBeUndefined();
    const { blockNumber: _, ...withoutBlock } = entry(3);
    expect(await index.put(withoutBlock)).toEqual({
      ...withoutBlock,
      ipId: withoutBlock.ipId.toLowerCase(),
    });
  });

  it('keeps the first registration of a content id, also when writers race', async () => {
    const index = await create();
    const first = entry(7, `0x${'7'.repeat(40)}`);
    const second = { ...entry(7, `0x${'8'.repeat(40)}`), txHash: `0x${'9'.repeat(64)}` };
    const [a, b] = await Promise.all([index.put(first), index.put(second)]);
    expect(a).toEqual(b);
    expect([first.ipId, second.ipId]).toContain(a.ipId);
    expect(await index.get('story-7')).toEqual(a);
  });

  it('moves the checkpoint forward only', async () => {
    const index = await create();
    expect(await index.checkpoint()).toBeUndefined();
    await index.setCheckpoint(100n);
    await index.setCheckpoint(40n);
    expect(await index.checkpoint()).toBe(100n);
    await index.setCheckpoint(101n);
    expect(await index.checkpoint()).toBe(101n);
  });
});

it('refuses a table name that is not a plain identifier', () => {
  expect(() => postgresContentIndex({ pool, table: 'x"; DROP TABLE y; --' })).toThrow(TypeError);
});
