import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createPolyglot, memoryMirror, memoryOutbox } from '@mystira/polyglot';
import {
  PgCheckpointStore,
  PgPhaseStore,
  postgresMirror,
  postgresOutbox,
} from '@mystira/polyglot/postgres';
import { formatDuration, ProgressBar, renderProgress, runCli } from '@mystira/polyglot-cli';
import { memoryRepository } from '@mystira/repository';
import {
  createDatabase,
  createTableStatements,
  PostgresRepository,
} from '@mystira/repository-postgres';
import { entity, field } from '@mystira/specification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const Account = entity(
  'accounts',
  { id: field.string(), version: field.number(), name: field.string() },
  { id: 'id', version: 'version' },
);
type A = { id: string; version: number; name: string };

function sink(isTTY = false) {
  let text = '';
  return {
    isTTY,
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

function memoryConfig(n = 50) {
  const primary = memoryRepository<A>(Account, {
    seed: Array.from({ length: n }, (_, i) => ({
      id: `a${String(i).padStart(3, '0')}`,
      version: 1,
      name: `n${i}`,
    })),
  });
  const secondary = memoryMirror<A>(Account);
  const polyglot = createPolyglot({
    outbox: memoryOutbox(),
    entities: { accounts: { primary, secondary, phase: 'DualWritePrimaryRead' } },
  });
  return { primary, secondary, polyglot };
}

async function run(argv: string[], config: ReturnType<typeof memoryConfig>) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(argv, {
    stdout,
    stderr,
    load: async () => ({ polyglot: config.polyglot }),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('runCli (memory stores)', () => {
  it('backfill (dry-run, then real), verify, status, replay', async () => {
    const c = memoryConfig();
    const dry = await run(['backfill', '--dry-run', '--batch', '20'], c);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('accounts: scanned 50, would copy 50, skipped 0');
    expect((await run(['verify'], c)).code).toBe(3);
    const real = await run(['backfill', '--batch', '20'], c);
    expect(real.code).toBe(0);
    expect(real.stderr).toContain('[########################]  100.0%  50/50');
    expect(real.stderr).toContain('no checkpoint store');
    const ok = await run(['verify', '--entity', 'accounts'], c);
    expect([ok.code, ok.stdout]).toEqual([
      0,
      'accounts: full scan of 50 ids: 0 differences (missing 0, extra 0, different 0)\n',
    ]);
    await c.secondary.put({ id: 'a007', version: 1, name: 'tampered' }, 1, {
      expect: { version: 1, deleted: false },
    });
    const bad = await run(['verify', '--repair'], c);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toContain('different: a007: name "n7" != "tampered"');
    const replay = await run(['replay', '--now'], c);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('replayed 1 ids (1 repaired, 0 given back), 0 entries left');
    expect((await run(['verify'], c)).code).toBe(0);
    const status = await run(['status', '--json'], c);
    const body = JSON.parse(status.stdout);
    expect(body.entities.accounts.phase).toBe('DualWritePrimaryRead');
    expect(body.health.map((h: { status: string }) => h.status)).toEqual([
      'healthy',
      'healthy',
      'healthy',
    ]);
  });

  it('usage errors exit 2, failures exit 1', async () => {
    const c = memoryConfig(1);
    expect((await run([], c)).code).toBe(2);
    expect((await run(['frobnicate'], c)).code).toBe(2);
    expect((await run(['verify', '--entity', 'nope'], c)).code).toBe(2);
    expect((await run(['verify', '--sample', '7'], c)).code).toBe(2);
    expect((await run(['--help'], c)).code).toBe(0);
    const stderr = sink();
    const code = await runCli(['status'], {
      stdout: sink(),
      stderr,
      load: async () => Promise.reject(new Error('cannot connect')),
    });
    expect(code).toBe(1);
    expect(stderr.text).toContain('cannot connect');
  });

  it('progress bar: redraws on a TTY, rate-limited lines elsewhere', () => {
    expect(
      renderProgress({ done: 40, total: 100, ratePerSecond: 12.4, etaMs: 5000, label: 'x' }),
    ).toBe('x  [##########--------------]   40.0%  40/100  12/s  ETA 5s');
    expect(renderProgress({ done: 7, total: null, ratePerSecond: 1, etaMs: null })).toBe('7  1/s');
    expect([formatDuration(59_000), formatDuration(61_000), formatDuration(3_660_000)]).toEqual([
      '59s',
      '1m01s',
      '1h01m',
    ]);
    const tty = sink(true);
    new ProgressBar(tty).update({ done: 1, total: 2, ratePerSecond: 1, etaMs: 1000 });
    expect(tty.text.startsWith('\r\u001b[2K')).toBe(true);
    let now = 0;
    const log = sink(false);
    const bar = new ProgressBar(log, { now: () => now, logEveryMs: 1000 });
    for (let i = 0; i < 10; i++) {
      bar.update({ done: i, total: 10, ratePerSecond: 1, etaMs: null });
      now += 300;
    }
    expect(log.text.split('\n').filter(Boolean)).toHaveLength(3);
  });
});

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('the mystira-polyglot executable: usage errors', () => {
  const bin = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

  it('an unknown command is named on stderr, then the usage, exit code 2 (no config loaded)', () => {
    const r = bin('sideways');
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(
      /^mystira-polyglot: unknown command "sideways"\n\nusage: mystira-polyglot <migrate\|status\|backfill\|verify\|replay\|phase> \[options\]\n/,
    );
    const none = bin();
    expect([none.status, none.stderr.split('\n')[0]]).toEqual([
      2,
      'mystira-polyglot: no command given',
    ]);
    const help = bin('--help');
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toContain('  phase <entity> <phase>');
  });
});

describe('the mystira-polyglot executable on PostgreSQL', () => {
  const CONFIG = fileURLToPath(new URL('./fixtures/pg.config.ts', import.meta.url));
  const schema = `cli_${randomBytes(5).toString('hex')}`;
  const db = createDatabase({
    primary: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' },
    max: 4,
  });
  const primary = new PostgresRepository<A>(db, Account, { schema, table: 'primary_accounts' });
  const second = new PostgresRepository<A>(db, Account, { schema, table: 'secondary_accounts' });
  const bin = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args, '--config', CONFIG], {
      env: { ...process.env, SCHEMA: schema },
      encoding: 'utf8',
      timeout: 60_000,
    });

  beforeAll(async () => {
    await db.query(`CREATE SCHEMA "${schema}"`);
    for (const s of [
      ...createTableStatements(primary.mapping),
      ...createTableStatements(second.mapping),
    ])
      await db.query(s);
    await postgresMirror(db, second).migrate();
    await postgresOutbox(db, { schema }).migrate();
    await new PgCheckpointStore(db, { schema }).migrate();
    await new PgPhaseStore(db, { schema }).migrate();
    await primary.bulkInsert(
      Array.from({ length: 3000 }, (_, i) => ({
        id: `a${String(i).padStart(5, '0')}`,
        version: 1,
        name: `n${i}`,
      })),
    );
  });
  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await db.close();
  });

  it('backfill with a progress bar, verify, tamper, verify --repair, replay, verify', async () => {
    const bf = bin('backfill', '--batch', '400');
    expect(bf.status, bf.stderr).toBe(0);
    expect(bf.stdout).toContain('accounts: scanned 3000, copied 3000, skipped 0');
    expect(bf.stderr).toMatch(/backfill accounts {2}\[#+\] {2}100\.0% {2}3000\/3000/);
    expect(bin('verify').status).toBe(0);
    await db.query(
      `UPDATE "${schema}"."secondary_accounts" SET data = jsonb_set(data, '{name}', '"tampered"') WHERE id = 'a00042'`,
    );
    await db.query(`DELETE FROM "${schema}"."secondary_accounts" WHERE id = 'a00043'`);
    const bad = bin('verify', '--repair');
    expect(bad.status).toBe(3);
    expect(bad.stdout).toContain('missing in secondary: a00043');
    expect(bad.stdout).toContain('different: a00042: name "n42" != "tampered"');
    const status = JSON.parse(bin('status', '--json').stdout);
    expect(status.entities.accounts.outbox.depth).toBe(2);
    const replay = bin('replay', '--now');
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('replayed 2 ids (2 repaired, 0 given back), 0 entries left');
    expect(bin('verify', '--sample', '0.5').status).toBe(0);
    expect(bin('verify').status).toBe(0);
    // Phases: recorded in the PhaseStore, so the next invocation (and running apps) follow.
    const sw = bin('phase', 'accounts', 'DualWriteSecondaryRead');
    expect([sw.status, sw.stdout], sw.stderr).toEqual([
      0,
      'accounts: DualWritePrimaryRead -> DualWriteSecondaryRead\n',
    ]);
    expect(bin('status').stdout).toContain('accounts: DualWriteSecondaryRead');
    expect(bin('phase', 'accounts', 'Sideways').status).toBe(2);
    expect(bin('phase', 'accounts', 'DualWrite').status).toBe(0);
    // A finished backfill stays finished (its checkpoint says so).
    expect(bin('backfill').stdout).toContain('scanned 3000');
  }, 120_000);
});
