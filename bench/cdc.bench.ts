/**
 * @mystira/cdc: how long a row changed outside the SDK (plain SQL on its own connection, as the
 * .NET App, a migration or psql would) stays stale in @mystira/cache, under load.
 *
 * A throw-away PostgreSQL with `wal_level = logical` (started here on a free port, removed at the
 * end; the shared server runs with `replica`) holds 1,000 rows behind a cached repository on the
 * shared Redis (a unique prefix, deleted at the end). Four readers hammer `getById` while a
 * writer issues outside updates at a fixed rate; for each update the lag is from its commit
 * returning to the cache sink having invalidated it in Redis (the batch handled). Reported: p50,
 * p99, max, against the issue's ask (p99 reported) and the alternative without CDC, where an
 * outside write stays stale until the entry's TTL.
 *
 * `node bench/cdc.bench.ts [--smoke]`
 */
import { randomBytes } from 'node:crypto';
import { cached, redisStore } from '@mystira/cache';
import { cacheInvalidationSink, consumeChanges, postgresChangeSource } from '@mystira/cdc';
import {
  createDatabase,
  createTableStatements,
  postgresRepository,
  tableMapping,
} from '@mystira/repository-postgres';
import { entity, field, type Infer } from '@mystira/specification';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ThrowawayPostgres } from '../packages/cdc/test/support/throwaway-postgres.ts';
import { deletePrefix } from '../test-support/delete-prefix.ts';
import { type Comparison, emit, progress, smoke, type Target } from './lib/report.ts';

const Row = entity(
  'bench_cdc_rows',
  { id: field.string(), version: field.number(), name: field.string(), n: field.number() },
  { id: 'id', version: 'version' },
);
type RowT = Infer<typeof Row>;
const TABLE = 'bench_cdc_rows';
const ROWS = 1000;
const TTL_MS = 60_000;
const SECONDS = smoke ? 1 : 15;
const WRITES_PER_SECOND = 200;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
};

const server = new ThrowawayPostgres();
progress('starting a throw-away PostgreSQL with wal_level = logical');
await server.start();
const prefix = `bench:cdc:${randomBytes(4).toString('hex')}`;
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
const db = createDatabase({ primary: server.url, max: 8 });
const outside = new pg.Pool({ connectionString: server.url, max: 2 });
const store = redisStore(redis);
const rows = cached<RowT>(postgresRepository<RowT>(db, Row, { table: TABLE, layout: 'columns' }), {
  store,
  keyPrefix: prefix,
  ttlMs: TTL_MS,
});
const source = postgresChangeSource({ connection: server.url, slot: 'bench', tables: [TABLE] });
const stop = new AbortController();

try {
  for (const s of createTableStatements(tableMapping(Row, { table: TABLE, layout: 'columns' }))) {
    await outside.query(s);
  }
  await outside.query(
    `insert into ${TABLE} select 'r' || i, 1, 'row ' || i, 0 from generate_series(0, $1 - 1) i`,
    [ROWS],
  );

  // The consumer: the cache sink, then the time each (id, version) was invalidated.
  const invalidatedAt = new Map<string, number>();
  /** Failures the consumer retried (a sink that could not reach Redis, a broken stream). */
  const retries: string[] = [];
  const sink = cacheInvalidationSink({ [TABLE]: rows });
  const consuming = consumeChanges(
    source,
    {
      async handle(batch, signal) {
        await sink.handle(batch, signal);
        const now = performance.now();
        for (const e of batch.events) invalidatedAt.set(`${e.key.id}:${e.row?.version}`, now);
      },
    },
    {
      signal: stop.signal,
      onError: (err) => {
        retries.push(`${err.code}: ${err.message}`);
        return undefined;
      },
    },
  );
  while ((await source.status())?.active !== true) await new Promise((r) => setTimeout(r, 20));

  // Warm the cache, then the load: readers on every row, outside writes at a fixed rate.
  for (let i = 0; i < ROWS; i++) await rows.getById(`r${i}`);
  let loading = true;
  let reads = 0;
  const readers = Array.from({ length: 4 }, async () => {
    while (loading) {
      await rows.getById(`r${Math.floor(Math.random() * ROWS)}`);
      reads++;
    }
  });
  progress(`${SECONDS} s of outside writes at ${WRITES_PER_SECOND}/s under 4 cached readers`);
  const committedAt = new Map<string, number>();
  const started = performance.now();
  const interval = 1000 / WRITES_PER_SECOND;
  for (let i = 0; performance.now() - started < SECONDS * 1000; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `r${Math.floor(Math.random() * ROWS)}`;
    const { rows: updated } = await outside.query<{ version: number }>(
      `update ${TABLE} set version = version + 1, n = $2 where id = $1 returning version`,
      [id, i],
    );
    committedAt.set(`${id}:${updated[0]?.version}`, performance.now());
  }
  const deadline = performance.now() + 30_000;
  while (
    [...committedAt.keys()].some((k) => !invalidatedAt.has(k)) &&
    performance.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 10));
  }
  loading = false;
  await Promise.all(readers);
  const elapsed = (performance.now() - started) / 1000;

  const lags = [...committedAt].map(([k, t]) => (invalidatedAt.get(k) ?? Number.NaN) - t);
  const missing = lags.filter((l) => Number.isNaN(l)).length;
  if (missing > 0) throw new Error(`${missing} outside writes were never invalidated`);
  const p50 = percentile(lags, 0.5);
  const p99 = percentile(lags, 0.99);
  const max = Math.max(...lags);
  progress(`lag p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
  progress(`${retries.length} retried failures${retries.length ? `, first: ${retries[0]}` : ''}`);

  const comparisons: Comparison[] = [
    {
      metric: 'outside write → cache invalidated, p99 (ms)',
      ours: p99,
      baseline: TTL_MS,
      baselineName: `no CDC: stale until the entry's TTL (${TTL_MS / 1000} s here)`,
      unit: 'ms',
      higherIsBetter: false,
    },
  ];
  const targets: Target[] = [
    {
      metric: `CDC invalidation lag under load (${WRITES_PER_SECOND} outside writes/s, 4 cached readers): p99`,
      value: p99,
      unit: 'ms',
      comparator: '<',
      limit: 250,
    },
  ];
  stop.abort();
  await consuming;
  emit({
    name: '@mystira/cdc invalidation lag',
    comparisons,
    targets,
    notes: [
      `${committedAt.size} outside updates in ${elapsed.toFixed(1)} s while 4 readers made ${reads} cached reads (${Math.round(reads / elapsed)}/s); lag from the UPDATE returning to the invalidation in Redis: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms.`,
      `${retries.length} batches retried by the consumer${retries.length ? ` (first: ${retries[0]}); a retry backs off 50, 100, 200, … ms, so a Redis hiccup shows in the tail` : ''}.`,
      'Throw-away PostgreSQL (fsync off) on the same machine; pgoutput through pg-logical-replication; one consumer, one transaction per update.',
    ],
  });
} finally {
  stop.abort();
  await source.close({ drop: true }).catch(() => {});
  await rows.close();
  await store.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await outside.end();
  await db.close();
  await server.stop();
}
