/**
 * `mystira-polyglot migrate|status|backfill|verify|replay|phase`: the operator's side of a
 * migration, driving the same `Polyglot` registry the application builds (from a config module),
 * so the CLI and the app always agree on stores, phases and outbox.
 *
 * The config module (`--config`, default `./polyglot.config.{js,mjs,ts}`) default-exports a
 * `Polyglot`, or `{ polyglot, checkpoints?, close? }`, or a (possibly async) function returning
 * either. A `.ts` config is imported by Node itself (type stripping, on by default from 22.18).
 *
 * Exit codes: 0 success, 1 failure, 2 usage error, 3 verification found differences.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { CheckpointStore, EntityBinding, Polyglot } from '@mystira/polyglot';
import { isPhase, MemoryCheckpointStore, PHASES } from '@mystira/polyglot';
import { typeScriptModuleProblem } from '../../../shared/node-version.js';
import { migrateCmd, missingTableHint } from './migrate.js';
import { ProgressBar, type ProgressOutput } from './progress.js';

/** A registry of any entities: what a config module provides. */
export type AnyPolyglot = Polyglot<Record<string, EntityBinding<object>>>;

/** What a config module provides. */
export interface PolyglotCliConfig {
  /** The registry the commands drive (the same one the application builds). */
  polyglot: AnyPolyglot;
  /** Where backfill checkpoints live (e.g. `new PgCheckpointStore(db)`); in memory otherwise (not resumable). */
  checkpoints?: CheckpointStore;
  /** Closes pools and clients when the command is done. */
  close?(): void | Promise<void>;
}

/**
 * Where {@link runCli} writes and what it may be given instead of the process's own (tests inject
 * them).
 */
export interface CliIO {
  /** Results (tables, JSON). */
  stdout: ProgressOutput;
  /** Progress bars, errors and hints. */
  stderr: ProgressOutput;
  /** Loads the config (tests inject one). Default: import the config module. */
  load?(path: string | undefined): Promise<PolyglotCliConfig>;
  /** Cancels the command (the bin wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number;
}

/** The usage text `mystira-polyglot --help` prints (and a usage error shows). */
export const USAGE = `usage: mystira-polyglot <migrate|status|backfill|verify|replay|phase> [options]

commands:
  migrate                create the tables the config's stores need (outbox, phases, checkpoints,
                         mirrors); idempotent, run it once before the other commands
  status                 phases, outbox depth/age, counters and health of every entity
  backfill               copy the primary into the secondary (resumable, version-gated)
  verify                 compare both stores (full or sampled); exit code 3 on differences
  replay                 apply the outbox until it is empty (or keep following it)
  phase <entity> <phase> switch an entity's phase (recorded in the config's PhaseStore, which
                         running apps follow with watchPhases); --force skips the drain

options:
  --config <path>        config module (default ./polyglot.config.{js,mjs,ts})
  --entity <name>        one entity (default: every entity with a secondary)
  --json                 machine-readable output on stdout
  backfill: --batch <n> (500)  --concurrency <n> (1)  --rate <items/s>  --dry-run  --restart  --run <name>
  verify:   --sample <0..1> (1 = full)  --repair  --max <n> differences listed (20)
  replay:   --now (do not wait for entries to be due)  --follow (until Ctrl-C)  --batch <n> (100)
`;

const COMMANDS = ['migrate', 'status', 'backfill', 'verify', 'replay', 'phase'];

/** Exit code 2, with the usage. */
class UsageError extends Error {}
/** Exit code 1, the message alone (no error name: it is written for the user). */
class CliError extends Error {}

/** Loads a config module by path. */
export async function loadConfig(path: string | undefined): Promise<PolyglotCliConfig> {
  const candidates = path
    ? [path]
    : ['polyglot.config.js', 'polyglot.config.mjs', 'polyglot.config.ts'];
  const found = candidates.map((p) => resolve(p)).find((p) => existsSync(p));
  if (!found)
    throw new UsageError(`no config module found (tried ${candidates.join(', ')}); pass --config`);
  const tsProblem = typeScriptModuleProblem(
    path ?? found,
    process.versions.node,
    process.features.typescript,
    'config',
  );
  if (tsProblem) throw new CliError(tsProblem);
  const mod = (await import(pathToFileURL(found).href)) as {
    default?: unknown;
    polyglot?: unknown;
  };
  let value: unknown = mod.default ?? mod;
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (value && typeof value === 'object' && 'polyglot' in value) return value as PolyglotCliConfig;
  if (value && typeof value === 'object' && 'setPhase' in value)
    return { polyglot: value as AnyPolyglot };
  throw new UsageError(
    `${found} must default-export a Polyglot, { polyglot, checkpoints?, close? }, or a function returning one`,
  );
}

/** Runs one command; resolves with the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr.write(`mystira-polyglot: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, args, values } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  let config: PolyglotCliConfig | undefined;
  try {
    config = await (io.load ?? loadConfig)(values.config);
    const p = config.polyglot;
    const entities = values.entity
      ? [values.entity]
      : p.names.filter((n) => p.binding(n)?.secondary);
    for (const e of entities)
      if (!p.binding(e))
        throw new UsageError(`unknown entity "${e}" (known: ${p.names.join(', ')})`);
    // Before syncPhases: the phase table may be one of those it creates.
    if (command === 'migrate') return await migrateCmd(config, entities, values.json, io);
    // Start from the phases the fleet follows, not the config's defaults.
    await p.syncPhases({ signal: io.signal });
    switch (command) {
      case 'status':
        return await status(p, entities, values, io);
      case 'backfill':
        return await backfillCmd(p, entities, values, config.checkpoints, io);
      case 'verify':
        return await verifyCmd(p, entities, values, io);
      case 'replay':
        return await replayCmd(p, values, io);
      case 'phase':
        return await phaseCmd(p, args, values, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`mystira-polyglot: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const message =
      err instanceof CliError
        ? err.message
        : err instanceof Error
          ? `${err.name}: ${err.message}`
          : String(err);
    io.stderr.write(`mystira-polyglot ${command}: ${message}\n`);
    const hint = config && missingTableHint(err, config);
    if (hint) io.stderr.write(`hint: ${hint}\n`);
    return 1;
  } finally {
    await config?.close?.();
  }
}

function parse(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      entity: { type: 'string' },
      json: { type: 'boolean' },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean' },
      restart: { type: 'boolean' },
      run: { type: 'string' },
      sample: { type: 'string' },
      repair: { type: 'boolean' },
      max: { type: 'string' },
      now: { type: 'boolean' },
      follow: { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  // Checked before the config is loaded: a typo needs no database.
  if (!values.help) {
    if (command === undefined) throw new UsageError('no command given');
    if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"`);
  }
  if (args.length > 0 && command !== 'phase') {
    throw new UsageError(`one command at a time (got ${positionals.join(' ')})`);
  }
  return { command: command as string, args, values };
}

type Values = ReturnType<typeof parse>['values'];

function num(
  v: string | undefined,
  name: string,
  fallback: number | undefined,
  range: [number, number] = [1, Number.MAX_SAFE_INTEGER],
): number | undefined {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < range[0] || n > range[1])
    throw new UsageError(`--${name} must be a number in [${range[0]}, ${range[1]}]`);
  return n;
}

async function status(
  p: AnyPolyglot,
  entities: string[],
  values: Values,
  io: CliIO,
): Promise<number> {
  const metrics = await p.metrics({ signal: io.signal });
  const health = await Promise.all(
    p.healthChecks().map(async (c) => {
      try {
        const r = await c.check({ signal: io.signal ?? new AbortController().signal });
        return { name: c.name, status: r?.status ?? 'healthy', critical: c.critical };
      } catch (err) {
        return {
          name: c.name,
          status: 'unhealthy' as const,
          critical: c.critical,
          error: (err as Error).message,
        };
      }
    }),
  );
  const shown = values.entity ? entities : p.names;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ entities: Object.fromEntries(shown.map((n) => [n, metrics[n]])), health }, null, 2)}\n`,
    );
  } else {
    for (const n of shown) {
      const m = metrics[n]!;
      const age =
        m.outbox.oldestAgeMs === null ? '-' : `${Math.round(m.outbox.oldestAgeMs / 1000)}s`;
      io.stdout.write(
        `${n}: ${m.phase}  outbox ${m.outbox.depth} (due ${m.outbox.due}, oldest ${age})\n`,
      );
    }
    for (const h of health)
      io.stdout.write(
        `health ${h.name}: ${h.status}${h.critical ? ' (critical)' : ''}${'error' in h ? ` ${h.error}` : ''}\n`,
      );
  }
  return health.some((h) => h.status === 'unhealthy' && h.critical) ? 1 : 0;
}

async function backfillCmd(
  p: AnyPolyglot,
  entities: string[],
  values: Values,
  checkpoints: CheckpointStore | undefined,
  io: CliIO,
): Promise<number> {
  if (!checkpoints && !values['dry-run'])
    io.stderr.write(
      'note: no checkpoint store in the config; this backfill cannot resume after a crash\n',
    );
  const store = checkpoints ?? new MemoryCheckpointStore();
  const results: Record<string, unknown> = {};
  for (const name of entities) {
    const bar = new ProgressBar(io.stderr, { now: io.now });
    const label = `${values['dry-run'] ? 'dry-run ' : ''}backfill ${name}`;
    const final = await p.backfill(name, {
      checkpoints: store,
      run: values.run,
      restart: values.restart,
      dryRun: values['dry-run'],
      batchSize: num(values.batch, 'batch', 500),
      concurrency: num(values.concurrency, 'concurrency', 1, [1, 64]),
      ratePerSecond: num(values.rate, 'rate', undefined),
      signal: io.signal,
      onProgress: (pr) =>
        bar.update({
          label,
          done: pr.scanned,
          total: pr.total,
          ratePerSecond: pr.ratePerSecond,
          etaMs: pr.etaMs,
        }),
    });
    bar.finish({
      label,
      done: final.scanned,
      total: final.total,
      ratePerSecond: final.ratePerSecond,
      etaMs: 0,
    });
    results[name] = final;
    if (!values.json) {
      io.stdout.write(
        `${name}: scanned ${final.scanned}, ${values['dry-run'] ? 'would copy' : 'copied'} ${final.copied}, skipped ${final.skipped}${final.resumedAfter !== null ? ` (resumed after ${final.resumedAfter})` : ''}\n`,
      );
    }
  }
  if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  return 0;
}

async function verifyCmd(
  p: AnyPolyglot,
  entities: string[],
  values: Values,
  io: CliIO,
): Promise<number> {
  const sample = num(values.sample, 'sample', 1, [Number.MIN_VALUE, 1]);
  const max = num(values.max, 'max', 20, [0, 100_000])!;
  let differences = 0;
  const reports: Record<string, unknown> = {};
  for (const name of entities) {
    const bar = new ProgressBar(io.stderr, { now: io.now });
    const started = (io.now ?? Date.now)();
    const report = await p.verify(name, {
      sampleRate: sample,
      repair: values.repair,
      maxReported: max,
      signal: io.signal,
      onProgress: (pr) => {
        const s = ((io.now ?? Date.now)() - started) / 1000;
        bar.update({
          label: `verify ${name}`,
          done: pr.scanned,
          total: null,
          ratePerSecond: s > 0 ? pr.scanned / s : 0,
          etaMs: null,
        });
      },
    });
    differences += report.differences;
    reports[name] = report;
    if (!values.json) {
      io.stdout.write(
        `${name}: ${report.sampled ? 'sampled' : 'full'} scan of ${report.scanned} ids: ${report.differences} differences (missing ${report.missing}, extra ${report.extra}, different ${report.different})${values.repair && report.differences > 0 ? ', queued for repair' : ''}\n`,
      );
      for (const id of report.missingIds) io.stdout.write(`  missing in secondary: ${id}\n`);
      for (const id of report.extraIds) io.stdout.write(`  extra in secondary:   ${id}\n`);
      for (const d of report.differentItems) {
        io.stdout.write(
          `  different: ${d.id}: ${d.diffs.map((x) => `${x.path} ${JSON.stringify(x.primary)} != ${JSON.stringify(x.secondary)}`).join('; ')}\n`,
        );
      }
    }
  }
  if (values.json) io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  return differences > 0 ? 3 : 0;
}

async function replayCmd(p: AnyPolyglot, values: Values, io: CliIO): Promise<number> {
  const replayer = p.replayer({
    entity: values.entity,
    batchSize: num(values.batch, 'batch', 100),
  });
  const start = await p.outbox.stats({ entity: values.entity });
  const bar = new ProgressBar(io.stderr, { now: io.now });
  const t0 = (io.now ?? Date.now)();
  const totals = { claimed: 0, inSync: 0, repaired: 0, retried: 0 };
  let depth = start.depth;
  while (!io.signal?.aborted) {
    const r = await replayer.runOnce({ ignoreSchedule: values.now, signal: io.signal });
    totals.claimed += r.claimed;
    totals.inSync += r.inSync;
    totals.repaired += r.repaired;
    totals.retried += r.retried;
    depth = (await p.outbox.stats({ entity: values.entity })).depth;
    const s = ((io.now ?? Date.now)() - t0) / 1000;
    const done = Math.max(0, start.depth - depth);
    const rate = s > 0 ? done / s : 0;
    bar.update({
      label: 'replay',
      done,
      total: values.follow ? null : start.depth,
      ratePerSecond: rate,
      etaMs: rate > 0 ? (depth / rate) * 1000 : null,
    });
    if (!values.follow && (depth === 0 || (r.claimed === 0 && !values.now))) break;
    if (r.claimed === 0 || r.retried > 0) await new Promise((res) => setTimeout(res, 250));
  }
  bar.finish({
    label: 'replay',
    done: Math.max(0, start.depth - depth),
    total: start.depth,
    ratePerSecond: 0,
    etaMs: 0,
  });
  const summary = { ...totals, remaining: depth };
  io.stdout.write(
    values.json
      ? `${JSON.stringify(summary)}\n`
      : `replayed ${totals.inSync + totals.repaired} ids (${totals.repaired} repaired, ${totals.retried} given back), ${depth} entries left\n`,
  );
  return 0;
}

async function phaseCmd(
  p: AnyPolyglot,
  args: string[],
  values: Values,
  io: CliIO,
): Promise<number> {
  const [name, phase] = args;
  if (!name || !phase)
    throw new UsageError('phase needs an entity and a phase: phase <entity> <phase> [--force]');
  if (!isPhase(phase))
    throw new UsageError(`unknown phase "${phase}" (one of ${PHASES.join(', ')})`);
  if (!p.binding(name))
    throw new UsageError(`unknown entity "${name}" (known: ${p.names.join(', ')})`);
  if (!p.phaseStore)
    io.stderr.write('note: no PhaseStore in the config; running apps will not see this change\n');
  const from = p.phase(name);
  await p.setPhase(name, phase, { force: values.force, signal: io.signal });
  io.stdout.write(
    values.json
      ? `${JSON.stringify({ entity: name, from, to: phase })}\n`
      : `${name}: ${from} -> ${phase}\n`,
  );
  return 0;
}
