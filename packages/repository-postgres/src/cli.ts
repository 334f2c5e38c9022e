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
 *
 * The Node.js version is checked before anything else: this file imports nothing at load time
 * but the version rules (bundled in) and is kept to ES2020, and the library (`./index.js`, a separate file of the
 * package) and `node:` modules are imported inside `main`. So an old Node prints which version
 * it needs instead of failing on syntax or a missing export. The rules are the repo's
 * `shared/node-version.ts`, shared with `mystira-polyglot`.
 */
import { nodeVersionProblem, typeScriptModuleProblem } from '../../../shared/node-version.js';
import type { Migration } from './migrations.js';

const tooOld = nodeVersionProblem('mystira-pg', process.versions.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exitCode = 1;
}

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

const SUBCOMMANDS = ['up', 'down', 'status'];

/** What is wrong with the command words, or undefined when they are `migrate up|down|status`. */
function commandProblem(positionals: readonly string[]): string | undefined {
  const [group, command, ...extra] = positionals;
  if (group === undefined) return 'no command given';
  if (group !== 'migrate') return `unknown command "${group}"`;
  if (command === undefined) return 'migrate needs a subcommand: up, down or status';
  if (!SUBCOMMANDS.includes(command)) return `unknown command "${command}"`;
  if (extra.length > 0) return `unexpected argument "${extra[0]}"`;
  return undefined;
}

type Library = typeof import('./index.js');

async function loadMigrations(
  lib: Library,
  dir: string | undefined,
  mod: string | undefined,
): Promise<Migration[]> {
  const { resolve } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const out: Migration[] = [];
  if (mod) {
    const problem = typeScriptModuleProblem(
      mod,
      process.versions.node,
      process.features.typescript,
      'module',
    );
    if (problem) throw new Error(problem);
    const m = (await import(pathToFileURL(resolve(mod)).href)) as {
      migrations?: unknown;
      default?: unknown;
    };
    const list = m.migrations ?? m.default;
    if (!Array.isArray(list)) throw new Error(`${mod} exports no \`migrations\` array`);
    out.push(...(list as Migration[]));
  }
  if (dir) out.push(...(await lib.loadSqlMigrations(resolve(dir))));
  return out;
}

export async function main(
  argv: string[],
  io = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const { parseArgs } = await import('node:util');
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
    io.err.write(`mystira-pg: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out.write(USAGE);
    return 0;
  }
  const problem = commandProblem(positionals);
  if (problem) {
    io.err.write(`mystira-pg: ${problem}\n\n${USAGE}`);
    return 2;
  }
  const command = positionals[1];
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && (!Number.isSafeInteger(steps) || steps < 1)) {
    io.err.write(`mystira-pg: --steps must be a positive integer\n\n${USAGE}`);
    return 2;
  }
  let dir = values.dir;
  if (!dir && !values.module) {
    const { existsSync } = await import('node:fs');
    if (existsSync('migrations')) dir = 'migrations';
  }
  const lib = await loadLibrary();
  const url = values.url ?? process.env.DATABASE_URL;
  const db = lib.createDatabase({
    primary: url ? { connectionString: url } : {},
    statementTimeoutMs: 0,
    max: 2,
  });
  try {
    const migrations = await loadMigrations(lib, dir, values.module);
    const migrator = new lib.Migrator(db, migrations, {
      schema: values.schema,
      table: values.table,
    });
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

/** The package's own entry, loaded as its own file (see the top of this file). */
async function loadLibrary(): Promise<Library> {
  // A specifier in a variable, so the bundler leaves the import alone.
  const library = './index.js';
  return (await import(library)) as Library;
}

// Run when executed as the package bin (not when imported by tests), unless Node is too old.
if (!tooOld && process.argv[1]) void runIfInvoked(process.argv[1]);

async function runIfInvoked(script: string): Promise<void> {
  const { resolve } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  if (import.meta.url !== pathToFileURL(resolve(script)).href && !/mystira-pg$/.test(script))
    return;
  process.exitCode = await main(process.argv.slice(2));
}
