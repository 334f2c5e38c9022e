import { createServer, type Server } from 'node:net';
import {
  AbortedError,
  AlreadyExistsError,
  UnavailableError,
  ValidationError,
} from '@mystira/repository';
import { classifyPgError, createDatabase, PostgresRepository } from '@mystira/repository-postgres';
import { entity, field, spec } from '@mystira/specification';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, repositoryWithTable, useTestDatabase } from './helpers.js';

const Account = entity(
  'accounts',
  { id: field.string(), version: field.number(), owner: field.string(), balance: field.bigint() },
  { id: 'id', version: 'version' },
);
type AccountT = { id: string; version: number; owner: string; balance: string };
const acct = (id: string, balance = '0'): AccountT => ({
  id,
  version: 1,
  owner: `owner ${id}`,
  balance,
});

const t = useTestDatabase('db');
let replica: pg.Pool;
let n = 0;

async function freshRepo(db = t.db, layout: 'document' | 'columns' = 'document') {
  return repositoryWithTable<AccountT>(t, Account, { table: `acc_${++n}`, layout }, db);
}

beforeAll(async () => {
  // A "replica" pool: the same server under another application_name, so routing is observable.
  replica = new pg.Pool({ ...connection, application_name: 'replica', max: 2 });
});
afterAll(async () => {
  await replica?.end();
});

describe('transactions', () => {
  it('repositories join withTransaction and commit together', async () => {
    const repo = await freshRepo();
    await t.db.withTransaction(async () => {
      await repo.add(acct('a'));
      await repo.add(acct('b'));
      expect(t.db.inTransaction).toBe(true);
      // Another connection cannot see uncommitted rows.
      const other = await t.db.primary.query(
        `SELECT count(*)::int AS n FROM ${repo.mapping.qualified}`,
      );
      expect(other.rows[0].n).toBe(0);
    });
    expect(await repo.count(spec(Account))).toBe(2);
  });

  it('rolls back everything when the function throws', async () => {
    const repo = await freshRepo();
    await expect(
      t.db.withTransaction(async () => {
        await repo.add(acct('a'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await repo.count(spec(Account))).toBe(0);
  });

  it('nests as savepoints: an inner failure rolls back only the inner part', async () => {
    const repo = await freshRepo();
    await t.db.withTransaction(async () => {
      await repo.add(acct('outer'));
      await t.db
        .withTransaction(async () => {
          await repo.add(acct('inner'));
          await repo.add(acct('inner')); // duplicate -> AlreadyExistsError
        })
        .catch((e) => expect(e).toBeInstanceOf(AlreadyExistsError));
      await repo.add(acct('after'));
    });
    expect((await repo.list(spec(Account))).map((a) => a.id)).toEqual(['after', 'outer']);
  });

  it('an abort rolls the transaction back and surfaces as AbortedError', async () => {
    const repo = await freshRepo();
    const ctl = new AbortController();
    const run = t.db.withTransaction(
      async () => {
        await repo.add(acct('a'));
        ctl.abort(new Error('stop'));
        await t.db.query('SELECT pg_sleep(5)');
      },
      { signal: ctl.signal },
    );
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(await repo.count(spec(Account))).toBe(0);
  });

  it('serializable conflicts are UnavailableError (transient, retry the transaction)', async () => {
    const repo = await freshRepo();
    await repo.addMany([acct('a', '1'), acct('b', '1')]);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let arrived = 0;
    const both = () => {
      if (++arrived === 2) release();
      return gate;
    };
    const txn = (read: string, write: string) =>
      t.db.withTransaction(
        async () => {
          const all = await repo.list(spec(Account).where((w) => w.eq('id', read)));
          await both();
          await repo.update({ ...all[0]!, id: write, balance: '0' }, { expectedVersion: null });
        },
        { isolation: 'serializable' },
      );
    const results = await Promise.allSettled([txn('a', 'b'), txn('b', 'a')]);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(failed.length).toBe(1);
    expect(failed[0]!.reason).toBeInstanceOf(UnavailableError);
    expect((failed[0]!.reason as UnavailableError).transient).toBe(true);
  });

  it('an isolation level other than the three PostgreSQL names is refused before any SQL is sent', async () => {
    // `isolation` used to be spliced into `BEGIN ISOLATION LEVEL ...`, sent without parameters
    // (the simple query protocol, which runs several statements).
    const injected = `serializable; CREATE TABLE ${t.schema}.pwned (x int); --`;
    let ran = false;
    await expect(
      t.db.withTransaction(
        async () => {
          ran = true;
        },
        { isolation: injected as 'serializable' },
      ),
    ).rejects.toBeInstanceOf(RangeError);
    expect(ran).toBe(false);
    const found = await t.db.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [
      `${t.schema}.pwned`,
    ]);
    expect(found.rows[0]!.r).toBeNull();
    // The three real levels still work, in any case.
    for (const isolation of ['read committed', 'REPEATABLE READ', 'serializable'] as const) {
      const level = await t.db.withTransaction(
        () => t.db.query<{ l: string }>("SELECT current_setting('transaction_isolation') AS l"),
        { isolation: isolation as 'serializable' },
      );
      expect(level.rows[0]!.l).toBe(isolation.toLowerCase());
    }
  });
});

describe('routing', () => {
  it('reads go to replicas; writes, strong reads, sessions and transactions to the primary', async () => {
    const db = createDatabase({ primary: t.db.primary, replicas: [replica] });
    const app = async (consistency?: 'strong') =>
      (
        await db.query<{ a: string }>("SELECT current_setting('application_name') AS a", [], {
          intent: 'read',
          consistency,
        })
      ).rows[0]!.a;
    expect(await app()).toBe('replica');
    expect(await app('strong')).toBe('primary');
    expect(
      (await db.query<{ a: string }>("SELECT current_setting('application_name') AS a")).rows[0]!.a,
    ).toBe('primary');
    await db.session(async () => {
      expect(await app()).toBe('replica');
      await db.query('SELECT 1'); // a write intent
      expect(await app()).toBe('primary');
    });
    await db.withTransaction(async () => {
      expect(await app()).toBe('primary');
    });
    await db.close(); // pools passed in stay open
    expect((await replica.query('SELECT 1 AS x')).rows[0].x).toBe(1);
  });

  it('readYourWritesMs pins reads to the primary for a while after a write', async () => {
    let now = 1000;
    const db = createDatabase({
      primary: t.db.primary,
      replicas: [replica],
      readYourWritesMs: 500,
      now: () => now,
    });
    expect(db.route({ intent: 'read' })).toBe(replica);
    await db.query('SELECT 1');
    expect(db.route({ intent: 'read' })).toBe(t.db.primary);
    now += 501;
    expect(db.route({ intent: 'read' })).toBe(replica);
  });
});

describe('timeouts, aborts, errors, health', () => {
  it('statement timeouts surface as UnavailableError', async () => {
    const db = createDatabase({ primary: connection, statementTimeoutMs: 50, max: 1 });
    try {
      await expect(db.query('SELECT pg_sleep(2)')).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await db.close();
    }
  });

  it('a per-transaction statement timeout applies to that transaction only', async () => {
    await expect(
      t.db.withTransaction(() => t.db.query('SELECT pg_sleep(2)'), { statementTimeoutMs: 50 }),
    ).rejects.toBeInstanceOf(UnavailableError);
    const after = await t.db.query<{ v: string }>(
      "SELECT current_setting('statement_timeout') AS v",
    );
    expect(after.rows[0]!.v).not.toBe('50ms');
  });

  it('repository reads use replicas unless strong; writes and transactions use the primary', async () => {
    const db = createDatabase({ primary: t.db.primary, replicas: [replica] });
    const repo = await freshRepo(db);
    await repo.add(acct('r1'));
    const seen: string[] = [];
    const spy = (pool: pg.Pool, name: string) => {
      const original = pool.connect.bind(pool);
      pool.connect = (() => {
        seen.push(name);
        return original();
      }) as typeof pool.connect;
      return () => {
        pool.connect = original as typeof pool.connect;
      };
    };
    const undo = [spy(replica, 'replica'), spy(t.db.primary, 'primary')];
    try {
      await repo.getById('r1');
      await repo.list(spec(Account));
      await repo.count(spec(Account), { consistency: 'strong' });
      await repo.update({ ...acct('r1'), owner: 'x' });
      await db.withTransaction(() => repo.getById('r1'));
    } finally {
      for (const u of undo) u();
    }
    expect(seen).toEqual(['replica', 'replica', 'primary', 'primary', 'primary']);
    await db.close();
  });

  it('aborting while waiting for a connection releases it once, and the pool keeps serving', async () => {
    const db = createDatabase({ primary: connection, max: 1 });
    try {
      const holder = await db.primary.connect();
      const ctl = new AbortController();
      const waiting = db.query('SELECT 1', [], { signal: ctl.signal });
      ctl.abort();
      await expect(waiting).rejects.toBeInstanceOf(AbortedError);
      holder.release();
      // The aborted checkout's client comes back to the pool exactly once; a second release
      // throws "Release called on client which has already been released" as an unhandled
      // rejection, which fails this test run.
      const rows = await db.query<{ v: number }>('SELECT 2 AS v');
      expect(rows.rows[0]!.v).toBe(2);
      expect(db.primary.totalCount).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('a checked-out client whose connection dies between statements fails the transaction, not the process', async () => {
    const db = createDatabase({ primary: connection, max: 2 });
    try {
      const run = db.withTransaction(async () => {
        const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Killed from another session while this one sits idle inside its transaction.
        await t.db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await db.query('SELECT 1');
      });
      await expect(run).rejects.toThrow();
      const after = await db.query<{ v: number }>('SELECT 3 AS v');
      expect(after.rows[0]!.v).toBe(3);
    } finally {
      await db.close();
    }
  });

  it('aborting cancels even when the pool is exhausted', async () => {
    const db = createDatabase({ primary: connection, max: 1 });
    try {
      const ctl = new AbortController();
      const running = db.query("SELECT pg_sleep(10), 'exhausted-pool-probe'", [], {
        signal: ctl.signal,
      });
      const queued = db.query('SELECT 1 AS one'); // waits for the only connection
      setTimeout(() => ctl.abort(new Error('enough')), 50);
      await expect(running).rejects.toBeInstanceOf(AbortedError);
      expect((await queued).rows[0]!.one).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('aborting a running query cancels it on the server', async () => {
    const ctl = new AbortController();
    const started = t.db.query('SELECT pg_sleep(10)', [], { signal: ctl.signal });
    setTimeout(() => ctl.abort(new Error('enough')), 50);
    await expect(started).rejects.toBeInstanceOf(AbortedError);
    const running = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(10)' AND state = 'active'",
    );
    expect(running.rows[0]!.n).toBe(0);
  });

  it('an unreachable server is UnavailableError and a failed health check', async () => {
    // A port that accepts and immediately closes connections: a dead PostgreSQL.
    const server: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const db = createDatabase({
      primary: { ...connection, port },
      connectionTimeoutMs: 500,
      max: 1,
    });
    try {
      const repo = new PostgresRepository<AccountT>(db, Account, { schema: t.schema });
      const err = await repo.getById('x').catch((e) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.transient).toBe(true);
      const health = await db.health({ timeoutMs: 1000 });
      expect(health.ok).toBe(false);
      expect(health.primary.ok).toBe(false);
    } finally {
      await db.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('health reports the primary and every replica', async () => {
    const db = createDatabase({ primary: t.db.primary, replicas: [replica] });
    const h = await db.health();
    expect(h.ok).toBe(true);
    expect(h.replicas).toHaveLength(1);
    expect(h.replicas[0]!.ok).toBe(true);
  });

  it('classifies SQLSTATEs into the typed errors', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyPgError(e('23505'))).toBeInstanceOf(AlreadyExistsError);
    expect(classifyPgError(e('23502'))).toBeInstanceOf(ValidationError);
    expect(classifyPgError(e('22P05'))).toBeInstanceOf(ValidationError);
    for (const code of ['40001', '40P01', '08006', '57P01', '57P03', '53300', '57014', '25006']) {
      expect(classifyPgError(e(code))).toBeInstanceOf(UnavailableError);
    }
    expect(classifyPgError(e('ECONNREFUSED'))).toBeInstanceOf(UnavailableError);
    expect(classifyPgError(e('42P01'))).toBeInstanceOf(Error); // a bug, left as is
    expect(classifyPgError(e('42P01'))).not.toBeInstanceOf(UnavailableError);
    expect(classifyPgError(e('57014'), { signal: AbortSignal.abort() })).toBeInstanceOf(
      AbortedError,
    );
    // transient = safe to retry this call, as @mystira/resilience judges it.
    const transient = (code: string, ctx = {}) =>
      (classifyPgError(e(code), ctx) as UnavailableError).transient;
    expect(transient('40001')).toBe(true); // rolled back: no effect, even for a write
    expect(transient('57P03')).toBe(true); // never started
    expect(transient('57P01')).toBe(false); // connection lost mid-write: may have committed
    expect(transient('57P01', { idempotent: true })).toBe(true); // ...but a read may be repeated
    expect(transient('57014')).toBe(false); // statement timeout: the same work would time out again
    expect(transient('ECONNREFUSED')).toBe(true); // never sent
    expect(transient('ECONNRESET')).toBe(false);
    const lost = new Error('Connection terminated unexpectedly');
    expect((classifyPgError(lost, { connecting: true }) as UnavailableError).transient).toBe(true);
  });

  it('U+0000 and lone surrogates in stored strings or in operands are ValidationErrors', async () => {
    const repo = await freshRepo();
    for (const layout of ['document', 'columns'] as const) {
      const r = await freshRepo(t.db, layout);
      await expect(r.add({ ...acct('a'), owner: 'x\ud800y' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(r.add({ ...acct('b'), owner: '\udc00' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(
        r.list(spec(Account).where((w) => w.eq('owner', 'a\udfff'))),
      ).rejects.toBeInstanceOf(ValidationError);
      expect(await r.add({ ...acct('c'), owner: '\u{1f600}' })).toMatchObject({
        owner: '\u{1f600}',
      });
    }
    await expect(repo.add({ ...acct('a'), owner: 'x\u0000y' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      repo.list(spec(Account).where((w) => w.eq('owner', 'x\u0000y'))),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('bulk', () => {
  for (const layout of ['document', 'columns'] as const) {
    it(`bulkInsert and bulkUpsert in chunks (${layout})`, async () => {
      const repo = await freshRepo(t.db, layout);
      const rows = Array.from({ length: 2500 }, (_, i) =>
        acct(`k${String(i).padStart(5, '0')}`, String(i)),
      );
      expect(await repo.bulkInsert(rows, { chunkSize: 1000 })).toBe(2500);
      expect(await repo.count(spec(Account))).toBe(2500);
      await expect(repo.bulkInsert([acct('new'), acct('k00001')])).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
      expect(await repo.getById('new')).toBeUndefined(); // all or none
      const changed = rows.slice(0, 1500).map((r) => ({ ...r, owner: 'bulk' }));
      expect(await repo.bulkUpsert([...changed, acct('zz-new')], { chunkSize: 400 })).toBe(1501);
      expect(await repo.count(spec(Account).where((w) => w.eq('owner', 'bulk')))).toBe(1500);
      expect((await repo.getById('k00000'))?.version).toBe(2);
      expect((await repo.getById('zz-new'))?.version).toBe(1);
      expect((await repo.getById('k02499'))?.version).toBe(1);
    });
  }
});
