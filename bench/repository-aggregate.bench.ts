/**
 * An aggregate through @mystira/repository-postgres against the same aggregate hand-written with
 * raw `pg`, same pool, same table, interleaved (the machine is shared and drifts): "completed
 * sessions per scenario: count, total, average and best score" over a table of 1M documents
 * (`--rows <n>` to change it; 20k with --smoke). Reports calls/s and the client CPU per call of
 * each side (process.cpuUsage over the calls: the repository's binding, compilation and result
 * finishing, which the hand-written side does not do; the scan itself is server time).
 * Uses the shared PostgreSQL on 127.0.0.1:5432 (database test) in a throw-away schema.
 */
import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  createTableStatements,
  PostgresRepository,
} from '@mystira/repository-postgres';
import { entity, field, spec } from '@mystira/specification';
import { emit, flag, progress, smoke } from './lib/report.ts';

const Session = entity(
  'sessions',
  {
    id: field.string(),
    version: field.number(),
    scenario: field.string(),
    status: field.string().optional().nullable(),
    score: field.number().optional(),
  },
  { id: 'id', version: 'version' },
);
type SessionT = {
  id: string;
  version: number;
  scenario: string;
  status?: string | null;
  score?: number;
};

const rows = Number(flag('rows') ?? (smoke ? 20_000 : 1_000_000));
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
const pool = db.primary; // raw pg uses the very same pool

interface Side {
  calls: number;
  wallMs: number;
  cpuUs: number;
}

/** Runs `fn` `n` times and adds its wall time and this process's CPU time to `side`. */
async function measure(side: Side, fn: () => Promise<unknown>, n: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  side.wallMs += performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  side.cpuUs += cpu.user + cpu.system;
  side.calls += n;
}

try {
  await db.query(`CREATE SCHEMA "${schema}"`);
  const repo = new PostgresRepository<SessionT>(db, Session, { schema });
  for (const stmt of createTableStatements(repo.mapping)) await db.query(stmt);
  const table = repo.mapping.qualified;

  progress(`seeding ${rows} documents server-side (generate_series)`);
  // 200 scenarios, 6 statuses (one in 7 rows has none, one in 11 a null), fractional scores
  // with one in 13 missing: the aggregate has absent values to skip and real sums to round.
  await db.query(
    `INSERT INTO ${table} (id, version, data)
     SELECT 's' || lpad(g::text, 8, '0'), 1, jsonb_strip_nulls(jsonb_build_object(
       'id', 's' || lpad(g::text, 8, '0'),
       'scenario', 'scenario-' || (g % 200),
       'score', CASE WHEN g % 13 = 0 THEN NULL ELSE round(((g::bigint * 7919) % 10000) / 100.0, 2) END
     )) || CASE WHEN g % 7 = 0 THEN '{}'::jsonb
                WHEN g % 11 = 0 THEN '{"status": null}'::jsonb
                ELSE jsonb_build_object('status', (ARRAY['done','open','failed','done','done','paused'])[1 + g % 6]) END
     FROM generate_series(1, $1::int) AS g`,
    [rows],
  );
  await db.query(`ANALYZE ${table}`);

  const ours = () =>
    repo.aggregate(
      spec(Session)
        .where((w) => w.eq('status', 'done'))
        .groupBy('scenario')
        .aggregate((a) => ({
          n: a.count(),
          total: a.sum('score'),
          avg: a.avg('score'),
          best: a.max('score'),
        })),
    );
  // What a developer writes by hand: the same filter and groups, numeric sums, ordered by key.
  const handWritten = async () => {
    const r = await pool.query(
      `SELECT (data->>'scenario') COLLATE "C" AS scenario, count(*)::int AS n,
              sum((data->>'score')::numeric)::float8 AS total,
              avg((data->>'score')::numeric)::float8 AS avg,
              max((data->>'score')::numeric)::float8 AS best
       FROM ${table} WHERE (data->>'status') COLLATE "C" = $1
       GROUP BY 1 ORDER BY 1`,
      ['done'],
    );
    return r.rows;
  };

  // Same answer first (the hand-written avg rounds through numeric's scale: compare loosely).
  const a = (await ours()) as { scenario: string; n: number; total: number | null }[];
  const b = await handWritten();
  if (a.length !== b.length || a.some((g, i) => g.n !== b[i].n || g.scenario !== b[i].scenario))
    throw new Error('the repository and the hand-written query disagree');

  const o: Side = { calls: 0, wallMs: 0, cpuUs: 0 };
  const h: Side = { calls: 0, wallMs: 0, cpuUs: 0 };
  const rounds = Number(flag('rounds') ?? (smoke ? 2 : 6));
  const perRound = Number(flag('per-round') ?? (smoke ? 2 : 3));
  await ours();
  await handWritten(); // warm both plans and caches
  for (let r = 0; r < rounds; r++) {
    progress(`round ${r + 1}/${rounds}: ${perRound} calls each, interleaved`);
    if (r % 2 === 0) {
      await measure(o, ours, perRound);
      await measure(h, handWritten, perRound);
    } else {
      await measure(h, handWritten, perRound);
      await measure(o, ours, perRound);
    }
  }
  const rate = (s: Side) => s.calls / (s.wallMs / 1000);
  const cpu = (s: Side) => s.cpuUs / s.calls;
  progress(
    `repository ${rate(o).toFixed(3)} calls/s, ${cpu(o).toFixed(0)} µs CPU/call; raw pg ${rate(h).toFixed(3)} calls/s, ${cpu(h).toFixed(0)} µs CPU/call`,
  );

  emit({
    name: 'repository-aggregate',
    comparisons: [
      {
        metric: `aggregate: count/sum/avg/max per scenario of ${rows} documents (calls/s)`,
        ours: rate(o),
        baseline: rate(h),
        baselineName: 'the same GROUP BY hand-written in raw pg, same pool, interleaved',
        unit: 'calls/s',
        higherIsBetter: true,
        bar: { ratio: 0.9, text: '≥ 0.9× hand-written SQL (issue 22)' },
      },
      {
        metric: 'aggregate: client CPU per call (µs)',
        ours: cpu(o),
        baseline: cpu(h),
        baselineName: 'raw pg, same query',
        unit: 'µs',
        higherIsBetter: false,
      },
    ],
    notes: [
      `${rows} documents (document layout, no index on status: both sides scan), 200 groups; PostgreSQL on 127.0.0.1`,
      'the repository sends count and exact numeric sums and finishes avg/rounding in JS; the hand-written query lets PostgreSQL compute avg and cast to float8',
    ],
  });
} finally {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await db.close();
}
