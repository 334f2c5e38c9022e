import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPolyglot, memoryMirror } from '@mystira/polyglot';
import { postgresOutbox } from '@mystira/polyglot/postgres';
import { type AnyPolyglot, runCli } from '@mystira/polyglot-cli';
import { memoryRepository, type Repository } from '@mystira/repository';
import {
  createDatabase,
  createTableStatements,
  type PgDatabase,
  PostgresRepository,
} from '@mystira/repository-postgres';
import { entity, field } from '@mystira/specification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `mystira-polyglot migrate` as a user meets it: the built bin, the README's config file as it
// is printed there, and a database of its own (so the README's default table names in `public`
// do not collide with other tests).
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const CONFIG = fileURLToPath(new URL('./fixtures/readme.config.ts', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' };

const Account = entity(
  'accounts',
  { id: field.string(), version: field.number(), name: field.string() },
  { id: 'id', version: 'version' },
);
type A = { id: string; version: number; name: string };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin (asynchronously, so two can run at once). */
function bin(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const created = (run: Run) =>
  run.stdout
    .split('\n')
    .filter((l) => l.startsWith('created'))
    .map((l) => l.replace(/ {2}\(.*$/, ''));

describe('mystira-polyglot migrate with the README config, in a fresh database', () => {
  const database = `polyglot_cli_${randomBytes(5).toString('hex')}`;
  const env = {
    DATABASE_URL: `postgres://${SERVER.user}@${SERVER.host}:${SERVER.port}/${database}`,
  };
  const withConfig = (...args: string[]) => bin(env, ...args, '--config', CONFIG);
  const admin = createDatabase({ primary: { ...SERVER, database: 'postgres' }, max: 1 });
  let db: PgDatabase;

  beforeAll(async () => {
    await admin.query(`CREATE DATABASE "${database}"`);
    db = createDatabase({ primary: env.DATABASE_URL, max: 2 });
    // The primary is the app's data, which `migrate` never creates: it exists already.
    const legacy = new PostgresRepository<A>(db, Account, { table: 'legacy_accounts' });
    for (const s of createTableStatements(legacy.mapping)) await db.query(s);
    await legacy.bulkInsert(
      Array.from({ length: 120 }, (_, i) => ({ id: `a${i}`, version: 1, name: `n${i}` })),
    );
  });
  afterAll(async () => {
    await db?.close();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => {});
    await admin.close();
  });

  it('the config file is the README example, verbatim', () => {
    expect(readFileSync(README, 'utf8')).toContain(
      `\`\`\`ts file=polyglot.config.ts\n${readFileSync(CONFIG, 'utf8')}\`\`\``,
    );
  });

  it('before migrate, a command fails and says to run mystira-polyglot migrate', async () => {
    const run = await withConfig('status');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('relation "public.polyglot_phases" does not exist');
    expect(run.stderr).toContain(
      'hint: the table public.polyglot_phases does not exist: run `mystira-polyglot migrate`',
    );
  });

  it('migrate creates every table the config needs, also when run twice at once', async () => {
    const runs = await Promise.all([withConfig('migrate'), withConfig('migrate')]);
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    // Each table is created by exactly one of the two; the other finds it.
    expect(runs.flatMap(created).sort()).toEqual(
      [
        'created  table "public"."accounts"',
        'created  table "public"."polyglot_checkpoints"',
        'created  table "public"."polyglot_outbox"',
        'created  table "public"."polyglot_phases"',
        'created  table "public"."polyglot_tombstones"',
      ].sort(),
    );
    expect(runs[0]!.stdout).toContain('(accounts mirror)');
  });

  it('migrate again is a no-op', async () => {
    const catalog = () =>
      db.query<{ n: string }>(
        `SELECT relkind::text || ' ' || relname AS n FROM pg_class
          WHERE relnamespace = 'public'::regnamespace ORDER BY relname`,
      );
    const before = (await catalog()).rows;
    const run = await withConfig('migrate');
    expect(run.status, run.stderr).toBe(0);
    expect(created(run)).toEqual([]);
    expect(run.stdout).toContain('exists   table "public"."polyglot_outbox"  (outbox)');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('nothing to do: everything exists');
    expect((await catalog()).rows).toEqual(before);
  });

  it('then status, backfill and verify succeed', async () => {
    const status = await withConfig('status');
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain('accounts: DualWritePrimaryRead  outbox 0');
    const backfill = await withConfig('backfill');
    expect(backfill.status, backfill.stderr).toBe(0);
    expect(backfill.stdout).toContain('accounts: scanned 120, copied 120, skipped 0');
    const verify = await withConfig('verify');
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('0 differences');
  });
});

describe('missing-table hint (in process)', () => {
  it('points at migrate for a missing outbox table, not for a missing table of the app', async () => {
    const db = createDatabase({ primary: { ...SERVER, database: 'test' }, max: 1 });
    const table = `polyglot_outbox_${randomBytes(5).toString('hex')}`;
    const mirrored = (primary: Repository<A>) =>
      createPolyglot({
        outbox: postgresOutbox(db, { table }),
        entities: {
          accounts: { primary, secondary: memoryMirror<A>(Account), phase: 'DualWritePrimaryRead' },
        },
      });
    let stdout = '';
    let stderr = '';
    const run = (argv: string[], polyglot: AnyPolyglot) => {
      stdout = '';
      stderr = '';
      return runCli(argv, {
        stdout: {
          write: (s: string) => {
            stdout += s;
            return true;
          },
        },
        stderr: {
          write: (s: string) => {
            stderr += s;
            return true;
          },
        },
        load: async () => ({ polyglot }),
      });
    };
    try {
      // The user's report: an outbox table nobody created.
      const memoryPrimary = mirrored(memoryRepository<A>(Account));
      expect(await run(['status'], memoryPrimary)).toBe(1);
      expect(stderr).toContain(`relation "public.${table}" does not exist`);
      expect(stderr).toContain(
        `hint: the table public.${table} does not exist: run \`mystira-polyglot migrate\``,
      );
      // migrate creates it; the memory mirror has nothing to create and says so.
      expect(await run(['migrate'], memoryPrimary)).toBe(0);
      expect(stdout).toContain(`created  table "public"."${table}"  (outbox)`);
      expect(stdout).toContain('skipped  accounts mirror: the store has no migrate()');
      // A missing table of the app's own (the primary): migrate would not create it, no hint.
      const app = new PostgresRepository<A>(db, Account, { table: `${table}_app` });
      expect(await run(['backfill'], mirrored(app))).toBe(1);
      expect(stderr).toContain(`relation "public.${table}_app" does not exist`);
      expect(stderr).not.toContain('hint:');
    } finally {
      await db.query(`DROP TABLE IF EXISTS "public"."${table}"`).catch(() => {});
      await db.close();
    }
  });
});
