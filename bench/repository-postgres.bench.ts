/**
 * @mystira/repository-postgres against raw `pg`, same pool, same run, same table:
 * - getById: repository vs a hand-written `SELECT ... WHERE id = $1`;
 * - a typical list(spec) (filter + order + take) vs the same query hand-written;
 * - bulk insert rows/s of 100k documents: repository bulkInsert (unnest, chunks of 5000) vs
 *   hand-written multi-row `INSERT ... VALUES (...), (...)` in batches of 1000.
 * Uses the shared PostgreSQL on 127.0.0.1:5432 (database test) in a throw-away schema.
 */
import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  createTableStatements,
  PostgresRepository,
} from '@mystira/repository-postgres';
import { entity, field, spec } from '@mystira/specification';
import { emit, opsPerSecond, progress, smoke } from './lib/report.ts';

/**
 * Ours and the baseline in alternating slices (the machine is shared and drifts), each side's
 * ops/s taken as the median of its slices.
 */
async function interleaved(
  ours: () => unknown,
  baseline: () => unknown,
): Promise<[number, number]> {
  const rounds = smoke ? 1 : 7;
  const ms = smoke ? 50 : 300;
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await opsPerSecond(ours, ms));
    b.push(await opsPerSecond(baseline, ms));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(a), median(b)];
}

const Doc = entity(
  'docs',
  {
    id: field.string(),
    version: field.number(),
    title: field.string(),
    country: field.string(),
    score: field.number(),
    tags: field.array(field.string()),
  },
  { id: 'id', version: 'version' },
);
type DocT = {
  id: string;
  version: number;
  title: string;
  country: string;
  score: number;
  tags: string[];
};

const COUNTRIES = ['NO', 'SE', 'DK', 'FI', 'IS', 'DE', 'FR', 'NL'];
const makeDocs = (n: number, prefix: string): DocT[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(7, '0')}`,
    version: 1,
    title: `Story number ${i}`,
    country: COUNTRIES[i % COUNTRIES.length]!,
    score: (i * 7919) % 1000,
    tags: [`t${i % 13}`, `t${i % 7}`],
  }));

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

try {
  await db.query(`CREATE SCHEMA "${schema}"`);
  const repo = new PostgresRepository<DocT>(db, Doc, { schema, indexes: ['country', 'score'] });
  for (const stmt of createTableStatements(repo.mapping)) await db.query(stmt);
  const table = repo.mapping.qualified;

  const base = smoke ? 2_000 : 20_000;
  progress(`seeding ${base} documents`);
  await repo.bulkInsert(makeDocs(base, 'd'));
  await db.query(`ANALYZE ${table}`);

  // --- getById --------------------------------------------------------------------------------
  let i = 0;
  const nextId = () => `d${String((i++ * 7) % base).padStart(7, '0')}`;
  progress('getById: repository vs raw pg, interleaved');
  const [repoGet, rawGet] = await interleaved(
    () => repo.getById(nextId()),
    async () => {
      const r = await pool.query(`SELECT id, version, data FROM ${table} WHERE id = $1`, [
        nextId(),
      ]);
      const row = r.rows[0];
      return row ? { ...row.data, version: row.version } : undefined;
    },
  );

  // --- typical list(spec) ----------------------------------------------------------------------
  let k = 0;
  const nextCountry = () => COUNTRIES[k++ % COUNTRIES.length]!;
  progress('list(spec): repository vs raw pg, interleaved');
  const [repoList, rawList] = await interleaved(
    () =>
      repo.list(
        spec(Doc)
          .where((w) => w.and(w.eq('country', nextCountry()), w.gt('score', 500)))
          .orderByDescending('score')
          .take(20),
      ),
    async () => {
      const r = await pool.query(
        `SELECT id, version, data FROM ${table}
        WHERE (data->>'country') COLLATE "C" = $1 AND (data->>'score')::numeric > $2
        ORDER BY (data->>'score')::numeric DESC NULLS LAST, id COLLATE "C" LIMIT 20`,
        [nextCountry(), 500],
      );
      return r.rows.map((row) => ({ ...row.data, version: row.version }));
    },
  );

  // --- bulk insert ---------------------------------------------------------------------------------
  const bulkN = smoke ? 5_000 : 100_000;
  const repoDocs = makeDocs(bulkN, 'b');
  const rawDocs = makeDocs(bulkN, 'r');
  progress(`bulk insert ${bulkN}: repository (unnest, chunks of 5000)`);
  let t0 = performance.now();
  await repo.bulkInsert(repoDocs);
  const repoBulk = bulkN / ((performance.now() - t0) / 1000);
  progress(`bulk insert ${bulkN}: raw pg multi-row VALUES (batches of 1000)`);
  t0 = performance.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (let s = 0; s < rawDocs.length; s += 1000) {
      const batch = rawDocs.slice(s, s + 1000);
      const values: unknown[] = [];
      const tuples = batch.map((d, j) => {
        const { version, ...data } = d;
        values.push(d.id, version, JSON.stringify(data));
        return `($${j * 3 + 1}, $${j * 3 + 2}, $${j * 3 + 3}::jsonb)`;
      });
      await client.query(
        `INSERT INTO ${table} (id, version, data) VALUES ${tuples.join(', ')}`,
        values,
      );
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const rawBulk = bulkN / ((performance.now() - t0) / 1000);

  emit({
    name: 'repository-postgres',
    comparisons: [
      {
        metric: 'getById (ops/s)',
        ours: repoGet,
        baseline: rawGet,
        baselineName: 'raw pg SELECT by id, same pool',
        unit: 'ops/s',
        higherIsBetter: true,
      },
      {
        metric: 'list(spec): eq + gt + orderBy desc + take 20 (ops/s)',
        ours: repoList,
        baseline: rawList,
        baselineName: 'the same query hand-written in raw pg, same pool',
        unit: 'ops/s',
        higherIsBetter: true,
      },
      {
        metric: `bulk insert ${bulkN} documents (rows/s)`,
        ours: repoBulk,
        baseline: rawBulk,
        baselineName: 'raw pg multi-row INSERT VALUES, batches of 1000, one transaction',
        unit: 'rows/s',
        higherIsBetter: true,
      },
    ],
    notes: [
      `table of ${base} documents (document layout, expression indexes on country and score); PostgreSQL on 127.0.0.1`,
      'repository overhead = spec binding + normalisation + compilation + validation per call; both sides parse rows',
    ],
  });
} finally {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await db.close();
}
