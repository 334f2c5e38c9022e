/**
 * `mystira-polyglot migrate`: creates the tables the config's stores need (outbox, phases,
 * checkpoints, each mirror), by calling the stores' own `migrate()`. The CLI does not know the
 * backends (this package depends on `@mystira/polyglot` only), so a store takes part when it
 * has a `migrate()`, as the PostgreSQL stores of `@mystira/polyglot/postgres` do; their
 * `migrate()` is idempotent and takes an advisory lock, so running this twice, or from two
 * machines at once, is safe.
 */
import type { AnyPolyglot, CliIO, PolyglotCliConfig } from './cli.js';

/** A store that can create its own tables, structurally (`PgOutbox`, `PgMirror`, ...). */
interface MigratableStore {
  migrate(options?: { signal?: AbortSignal }): Promise<unknown>;
  /** Quoted names of its tables, e.g. `"public"."polyglot_outbox"` (for the missing-table hint). */
  tables?(): string[];
}

/** What the `@mystira/polyglot/postgres` stores answer from `migrate()` (`TableReport`). */
interface TableReport {
  kind: 'schema' | 'table';
  name: string;
  created: boolean;
}

interface StoreRef {
  /** What the store is for: `outbox`, `phases`, `checkpoints`, `<entity> mirror`. */
  role: string;
  store: unknown;
}

function isMigratable(store: unknown): store is MigratableStore {
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof (store as { migrate?: unknown }).migrate === 'function'
  );
}

function isReportList(value: unknown): value is TableReport[] {
  return (
    Array.isArray(value) &&
    value.every(
      (r) => typeof r === 'object' && r !== null && typeof r.name === 'string' && 'created' in r,
    )
  );
}

/** The config's stores, each once (one object may serve two roles), in migration order. */
function storesOf(config: PolyglotCliConfig, entities: readonly string[]): StoreRef[] {
  const p: AnyPolyglot = config.polyglot;
  const refs: StoreRef[] = [
    { role: 'outbox', store: p.outbox },
    { role: 'phases', store: p.phaseStore },
    { role: 'checkpoints', store: config.checkpoints },
    ...entities.map((n) => ({ role: `${n} mirror`, store: p.binding(n)?.secondary })),
  ];
  const seen = new Set<unknown>();
  return refs.filter((r) => {
    if (r.store === undefined || seen.has(r.store)) return false;
    seen.add(r.store);
    return true;
  });
}

export async function migrateCmd(
  config: PolyglotCliConfig,
  entities: readonly string[],
  json: boolean | undefined,
  io: CliIO,
): Promise<number> {
  const done: (TableReport & { store: string })[] = [];
  const skipped: string[] = [];
  const out = (line: string) => {
    if (!json) io.stdout.write(`${line}\n`);
  };
  for (const { role, store } of storesOf(config, entities)) {
    if (!isMigratable(store)) {
      // A memory store, or a backend whose adapter has nothing to create.
      skipped.push(role);
      out(`skipped  ${role}: the store has no migrate(), nothing to create`);
      continue;
    }
    const result = await store.migrate({ signal: io.signal });
    if (!isReportList(result)) {
      // Another adapter's migrate() that does not say what it did.
      done.push({ store: role, kind: 'table', name: role, created: true });
      out(`migrated ${role}`);
      continue;
    }
    for (const r of result) {
      done.push({ store: role, ...r });
      out(`${r.created ? 'created ' : 'exists  '} ${r.kind} ${r.name}  (${role})`);
    }
  }
  const created = done.filter((r) => r.created).length;
  if (json) {
    io.stdout.write(`${JSON.stringify({ created, items: done, skipped }, null, 2)}\n`);
  } else if (done.length === 0) {
    out('nothing to migrate: no store in the config has tables to create');
  } else {
    out(
      created === 0
        ? 'nothing to do: everything exists'
        : `${created} created, ${done.length - created} existed already`,
    );
  }
  return 0;
}

/**
 * "run migrate" when `err` is PostgreSQL's "relation ... does not exist" (42P01) for one of the
 * tables `migrate` creates, else undefined. A missing table of the app's own (the primary) gets
 * no hint: `migrate` would not create it.
 */
export function missingTableHint(err: unknown, config: PolyglotCliConfig): string | undefined {
  const relation = missingRelation(err);
  if (relation === undefined) return undefined;
  const ours = storesOf(config, config.polyglot.names)
    .map((r) => r.store)
    .filter(isMigratable)
    .flatMap((s) => s.tables?.() ?? [])
    .map(unquote);
  if (!ours.some((t) => t === relation || t.endsWith(`.${relation}`))) return undefined;
  return `the table ${relation} does not exist: run \`mystira-polyglot migrate\` (with the same --config) to create the tables of the config's outbox, mirrors, checkpoints and phases`;
}

/** The relation of a 42P01 error (pg's or wrapped as a `cause`), as PostgreSQL names it. */
function missingRelation(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const m = /relation "([^"]+)" does not exist/.exec((e as { message?: string }).message ?? '');
    if (m) return m[1];
  }
  return undefined;
}

/** `"public"."polyglot_outbox"` -> `public.polyglot_outbox`, the form of PostgreSQL's message. */
function unquote(qualified: string): string {
  return (qualified.match(/"(?:[^"]|"")*"|[^."]+/g) ?? [])
    .map((part) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part))
    .join('.');
}
