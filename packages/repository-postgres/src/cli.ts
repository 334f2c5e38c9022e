#!/usr/bin/env node
/**
 * `mystira-pg migrate up|down|status`: runs the same `Migrator` an application would, from a
 * shell or a deploy step. Migrations come from a directory of `.sql` files (`--dir`) and/or a
 * module exporting `migrations` (an array of `Migration`, e.g. `entityMigration(...)` results).
 *
 *   mystira-pg migrate up     [--dir ./migrations] [--module ./migrations.js] [--to <id>]
 *   mystira-pg migrate down   [--steps 1 | --to <id>]
 *   mystira-pg migrate status
 *
 * Connection: `--url` or `DATABASE_URL`, else the libpq environment (PGHOST, PGUSER, ...).
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDatabase } from './database.js';
import { loadSqlMigrations, type Migration, Migrator } from './migrations.js';

const USAGE = `usage: mystira-pg migrate <up|down|status> [options]

options:
  --dir <path>       directory of <id>.up.sql / <id>.down.sql files (default ./migrations if it exists)
  --module <path>    ES module exporting \`migrations\` (array) or a default array
  --url <url>        connection string (default: DATABASE_URL, then PG* environment variables)
  --schema <name>    schema of the migrations table (default public)
  --table <name>     migrations table (default mystira_migrations)
  --to <id>          up: stop after this id; down: revert everything after it
  --steps <n>        down: how many to revert (default 1)
`;

async function loadMigrations(
  dir: string | undefined,
  mod: string | undefined,
): Promise<Migration[]> {
  const out: Migration[] = [];
  if (mod) {
    const m = (await import(pathToFileURL(resolve(mod)).href)) as {
      migrations?: unknown;
      default?: unknown;
    };
    const list = m.migrations ?? m.default;
    if (!Array.isArray(list)) throw new Error(`${mod} exports no \`migrations\` array`);
    out.push(...(list as Migration[]));
  }
  if (dir) out.push(...(await loadSqlMigrations(resolve(dir))));
  return out;
}

export async function main(
  argv: string[],
  io = { out: process.stdout, err: process.stderr },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        module: { type: 'string' },
        url: { type: 'string' },
        schema: { type: 'string' },
        table: { type: 'string' },
        to: { type: 'string' },
        steps: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    io.err.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [group, command] = positionals;
  if (values.help || group !== 'migrate' || !['up', 'down', 'status'].includes(command ?? '')) {
    (values.help ? io.out : io.err).write(USAGE);
    return values.help ? 0 : 2;
  }
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && (!Number.isSafeInteger(steps) || steps < 1)) {
    io.err.write(`--steps must be a positive integer\n${USAGE}`);
    return 2;
  }
  let dir = values.dir;
  if (!dir && !values.module) {
    const { existsSync } = await import('node:fs');
    if (existsSync('migrations')) dir = 'migrations';
  }
  const url = values.url ?? process.env.DATABASE_URL;
  const db = createDatabase({
    primary: url ? { connectionString: url } : {},
    statementTimeoutMs: 0,
    max: 2,
  });
  try {
    const migrations = await loadMigrations(dir, values.module);
    const migrator = new Migrator(db, migrations, { schema: values.schema, table: values.table });
    if (command === 'status') {
      const status = await migrator.status();
      if (status.length === 0) io.out.write('no migrations (pass --dir or --module)\n');
      for (const s of status) {
        io.out.write(
          `${s.state.padEnd(8)} ${s.id}${s.appliedAt ? `  ${s.appliedAt.toISOString()}` : ''}\n`,
        );
      }
    } else if (command === 'up') {
      const applied = await migrator.up({ to: values.to });
      io.out.write(
        applied.length ? applied.map((id) => `applied  ${id}\n`).join('') : 'nothing to apply\n',
      );
    } else {
      const reverted = await migrator.down({ steps, to: values.to });
      io.out.write(
        reverted.length ? reverted.map((id) => `reverted ${id}\n`).join('') : 'nothing to revert\n',
      );
    }
    return 0;
  } catch (err) {
    io.err.write(`mystira-pg: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

// Run when executed as the package bin (not when imported by tests).
const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : '';
if (import.meta.url === invoked || /mystira-pg$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
