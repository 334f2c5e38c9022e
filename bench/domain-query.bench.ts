/**
 * A ported domain specification through the repository against the same query written by hand,
 * on the documents the .NET App writes (issue 22's Prove-it): `sessionsByAccount(accountId)`
 * (the account's sessions, latest start first) through `mapped(repository, gameSessions)`
 *   - over @mystira/repository-postgres (document layout, shared PostgreSQL on 127.0.0.1:5432,
 *     database test, a throw-away schema) vs hand-written SQL with raw `pg` on the same pool;
 *   - over @mystira/repository-cosmos on the in-process `@vercel/cosmosdb-server` vs a
 *     hand-written SQL query with raw `@azure/cosmos` on the same client and container.
 * Both sides return `GameSession` objects: the hand-written side decodes the stored documents
 * with the same codec (a hand-written query still has to read the .NET shapes), so the
 * difference is what the repository adds per call: binding and mapping the specification,
 * compiling it, and its result handling. One in five documents is of the legacy generation.
 * Calls alternate in rounds (the machine is shared and drifts); reported per side: calls/s,
 * median latency, and this process's CPU per call (process.cpuUsage over the calls).
 *
 * `node bench/domain-query.bench.ts [--smoke]`
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type GameSession, gameSessions, sessionsByAccount } from '@mystira/domain';
import { mapped, mapQuery, type Repository, type StoredDocument } from '@mystira/repository';
import { CosmosRepository, cosmosClient, ensureContainer } from '@mystira/repository-cosmos';
import {
  createDatabase,
  createTableStatements,
  PostgresRepository,
} from '@mystira/repository-postgres';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { type Comparison, emit, progress, smoke } from './lib/report.ts';

const ACCOUNTS = 20;
const account = (i: number) => `9a1c7e55-0000-4000-8000-${String(i % ACCOUNTS).padStart(12, '0')}`;

/** A GameSessions document as the .NET App writes it (current), or a legacy-domain one. */
function sessionDoc(i: number): StoredDocument {
  const started = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000 + (i % 7) * 123).toISOString();
  const startedText = started.replace(/\.000Z$/, 'Z');
  const common = {
    id: `s${String(i).padStart(7, '0')}`,
    accountId: account(i),
    ScenarioId: `scn-${i % 40}`,
    ProfileId: `p-${i % 97}`,
    // One session in ten never started (StartedAt null): it sorts last in the latest-first order.
    StartedAt: i % 10 === 9 ? null : startedText,
    PlayerCompassProgressTotals: '{"courage":3}',
    ChoiceHistory: [
      {
        Id: `c${i}`,
        SessionId: `s${i}`,
        SceneId: 'scene-2',
        SceneTitle: 'The Bridge',
        CompassDelta: 1,
        EchoGenerated: false,
        ChosenAt: startedText,
      },
    ],
  };
  if (i % 5 === 0) return { ...common, Status: i % 4, Discriminator: 'GameSession' }; // legacy
  return {
    ...common,
    HostPlayerId: `p-${i % 97}`,
    Status: i % 8,
    CurrentSceneId: 'scene-3',
    EndedAt: null,
    PlayerNames: 'Robin,Sam',
    SceneCount: 12,
    CompassValues: '[]',
    IsPaused: false,
    DurationSeconds: i % 3 === 0 ? 600 : null,
    CurrentSceneIndex: 3,
    ScenesVisited: 3,
    LastActivityAt: startedText,
    IsPublic: false,
    MaxPlayers: 2,
    IsDeleted: false,
    $type: 'GameSession',
  };
}

interface Side {
  calls: number;
  wallMs: number;
  cpuUs: number;
  latencies: number[];
}
const side = (): Side => ({ calls: 0, wallMs: 0, cpuUs: 0, latencies: [] });

/** Runs `fn` `n` times and adds wall time, this process's CPU time and latencies to `s`. */
async function measure(s: Side, fn: (i: number) => Promise<unknown>, n: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const c0 = performance.now();
    await fn(s.calls + i);
    s.latencies.push(performance.now() - c0);
  }
  s.wallMs += performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  s.cpuUs += cpu.user + cpu.system;
  s.calls += n;
}

/** Ours and the hand-written side in alternating rounds (the order flips every round). */
async function interleaved(
  ours: (i: number) => Promise<unknown>,
  hand: (i: number) => Promise<unknown>,
  perRound: number,
  rounds: number,
): Promise<{ ours: Side; hand: Side }> {
  for (let i = 0; i < Math.min(perRound, 20); i++) {
    await ours(i);
    await hand(i);
  }
  const o = side();
  const h = side();
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await measure(o, ours, perRound);
      await measure(h, hand, perRound);
    } else {
      await measure(h, hand, perRound);
      await measure(o, ours, perRound);
    }
  }
  return { ours: o, hand: h };
}

const rate = (s: Side) => s.calls / (s.wallMs / 1000);
const cpu = (s: Side) => s.cpuUs / s.calls;
const p50 = (s: Side) =>
  [...s.latencies].sort((a, b) => a - b)[Math.floor(s.latencies.length / 2)]!;

/** The three comparisons of one backend. */
function comparisons(backend: string, baselineName: string, r: { ours: Side; hand: Side }) {
  progress(
    `${backend}: repository ${rate(r.ours).toFixed(1)} calls/s, ${cpu(r.ours).toFixed(0)} µs CPU/call; hand-written ${rate(r.hand).toFixed(1)} calls/s, ${cpu(r.hand).toFixed(0)} µs CPU/call`,
  );
  return [
    {
      metric: `${backend}: sessionsByAccount through mapped() (calls/s)`,
      ours: rate(r.ours),
      baseline: rate(r.hand),
      baselineName,
      unit: 'calls/s',
      higherIsBetter: true,
      bar: { ratio: 0.75, text: '≥ 0.75× the hand-written query (issue 22)' },
    },
    {
      metric: `${backend}: sessionsByAccount median latency (ms)`,
      ours: p50(r.ours),
      baseline: p50(r.hand),
      baselineName,
      unit: 'ms',
      higherIsBetter: false,
    },
    {
      metric: `${backend}: sessionsByAccount client CPU per call (µs)`,
      ours: cpu(r.ours),
      baseline: cpu(r.hand),
      baselineName,
      unit: 'µs',
      higherIsBetter: false,
    },
  ] satisfies Comparison[];
}

const ids = (xs: unknown[]) => JSON.stringify(xs.map((x) => (x as GameSession).id));
const decode = (doc: StoredDocument) => gameSessions.decode(doc);
const rows = smoke ? 400 : 4_000;
const docs = Array.from({ length: rows }, (_, i) => sessionDoc(i));
const perRound = smoke ? 10 : 50;
const rounds = smoke ? 2 : 24;
const results: Comparison[] = [];
const notes: string[] = [];

// --- PostgreSQL --------------------------------------------------------------------------------
const schema = `bench_${randomBytes(4).toString('hex')}`;
const db = createDatabase({
  primary: {
    host: '127.0.0.1',
    port: 5432,
    user: process.env.PGUSER ?? 'postgres',
    database: 'test',
  },
  max: 4,
});
try {
  await db.query(`CREATE SCHEMA "${schema}"`);
  const inner = new PostgresRepository<StoredDocument>(db, gameSessions.stored, {
    layout: 'document',
    schema,
    table: 'game_sessions',
    indexes: ['accountId'],
  });
  for (const stmt of createTableStatements(inner.mapping)) await db.query(stmt);
  const table = inner.mapping.qualified;
  progress(`PostgreSQL: seeding ${rows} documents`);
  await inner.addMany(docs);
  await db.query(`ANALYZE ${table}`);
  const repo: Repository<GameSession> = mapped(inner, gameSessions);
  const ours = (i: number) => repo.list(sessionsByAccount(account(i)));
  // What a developer writes by hand for the same rows: the partition filter and the order on
  // the stored .NET text (latest first, never-started last, id as the tiebreaker).
  const hand = async (i: number) => {
    const r = await db.primary.query(
      `SELECT data FROM ${table} WHERE (data->>'accountId') COLLATE "C" = $1
       ORDER BY (data->>'StartedAt') COLLATE "C" DESC NULLS LAST, id COLLATE "C"`,
      [account(i)],
    );
    return r.rows.map((row: { data: StoredDocument }) => decode(row.data));
  };
  const same = ids(await ours(3)) === ids(await hand(3));
  if (!same) throw new Error('PostgreSQL: the repository and the hand-written query disagree');
  progress('PostgreSQL: interleaved rounds');
  results.push(
    ...comparisons(
      'PostgreSQL',
      'hand-written SQL with raw pg, same pool, decoded by the same codec',
      await interleaved(ours, hand, perRound, rounds),
    ),
  );
  notes.push(
    `PostgreSQL: ${rows} GameSessions documents (document layout, an expression index on accountId), ${rows / ACCOUNTS} per account; both sides return the same ids in the same order.`,
  );
} finally {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await db.close();
}

// --- Cosmos DB (in-process server) ----------------------------------------------------------------
const server = createHttpsServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
const client = cosmosClient({
  endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
  key: Buffer.from('bench-key-not-a-secret').toString('base64'),
  agent,
});
try {
  const { database } = await client.databases.createIfNotExists({ id: 'bench' });
  const container = await ensureContainer(database, gameSessions.stored, {
    id: 'GameSessions',
    specs: [mapQuery(gameSessions, sessionsByAccount(account(0)).build())],
  });
  const inner = new CosmosRepository<StoredDocument>(gameSessions.stored, {
    container,
    profile: 'cosmosdb-server',
  });
  const cosmosRows = smoke ? 200 : 1_000;
  progress(`Cosmos DB: seeding ${cosmosRows} documents`);
  await inner.addMany(docs.slice(0, cosmosRows));
  const repo: Repository<GameSession> = mapped(inner, gameSessions);
  const ours = (i: number) => repo.list(sessionsByAccount(account(i)));
  // By hand as by the repository: Cosmos DB leaves documents without the sort key out of an
  // ORDER BY (cosmosdb-server drops them; the service would sort missing apart from null), so
  // the never-started sessions are a second query, appended (they sort last, latest first).
  const hand = async (i: number) => {
    const run = async (query: string) =>
      (
        await container.items
          .query<StoredDocument>(
            { query, parameters: [{ name: '@a', value: account(i) }] },
            { partitionKey: account(i) },
          )
          .fetchAll()
      ).resources;
    const started = await run(
      'SELECT * FROM c WHERE c["accountId"] = @a AND IS_DEFINED(c["StartedAt"]) AND NOT IS_NULL(c["StartedAt"]) ORDER BY c["StartedAt"] DESC, c["id"] ASC',
    );
    const never = await run(
      'SELECT * FROM c WHERE c["accountId"] = @a AND (NOT IS_DEFINED(c["StartedAt"]) OR IS_NULL(c["StartedAt"])) ORDER BY c["id"] ASC',
    );
    return [...started, ...never].map(decode);
  };
  const same = ids(await ours(3)) === ids(await hand(3));
  if (!same) throw new Error('Cosmos DB: the repository and the hand-written query disagree');
  progress('Cosmos DB: interleaved rounds');
  results.push(
    ...comparisons(
      'Cosmos DB (cosmosdb-server)',
      'hand-written SQL with raw @azure/cosmos, same client, decoded by the same codec',
      await interleaved(ours, hand, smoke ? 3 : 15, smoke ? 2 : 6),
    ),
  );
  notes.push(
    'Cosmos DB: one session in ten never started (StartedAt null); both sides run two queries per call (started, latest first; then never started), as Cosmos DB leaves documents without the sort key out of an ORDER BY.',
    `Cosmos DB: ${cosmosRows} documents on the in-process cosmosdb-server (CPU-bound JavaScript in this process, so the CPU per call includes the server's; the ratio is the point); both sides return the same ids in the same order.`,
  );
} finally {
  client.dispose();
  agent.destroy();
  server.closeAllConnections();
  server.close();
}

emit({
  name: 'domain-query: a ported specification through mapped() vs hand-written pg / @azure/cosmos',
  comparisons: results,
  notes,
});
