import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createPolyglot, type MirrorStore, type Outbox } from '@mystira/polyglot';
import { postgresMirror, postgresOutbox } from '@mystira/polyglot/postgres';
import type { Repository } from '@mystira/repository';
import {
  createDatabase,
  createTableStatements,
  type PgDatabase,
  type PgDatabaseOptions,
  PostgresRepository,
} from '@mystira/repository-postgres';
import { afterAll, beforeAll, expect } from 'vitest';
import { Account, type AccountT } from '../helpers.js';

/** The shared test server (trust auth). */
export const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

export const randomSchema = (prefix: string): string =>
  `${prefix}_${randomBytes(5).toString('hex')}`;

export function database(options: Partial<PgDatabaseOptions> & { port?: number } = {}): PgDatabase {
  const { port, ...rest } = options;
  return createDatabase({
    primary: { ...PG, port: port ?? PG.port },
    max: 6,
    connectionTimeoutMs: 2000,
    ...rest,
  });
}

// The same entity, PRNG and query as the backend-agnostic polyglot tests, so both suites speak alike.
export { Account, type AccountT, account, everyItem, rng } from '../helpers.js';

/**
 * The PostgreSQL → PostgreSQL pair most tests here use, in `schema`: accounts in `primary_accounts`
 * (through `db`) mirrored to `secondary_accounts` (through `secondaryDb`, e.g. behind a
 * {@link FaultProxy}; default `db`), and the outbox (through `db`). Creates nothing: see
 * {@link migratePair}.
 */
export function accountPair(db: PgDatabase, schema: string, secondaryDb: PgDatabase = db) {
  const primary = new PostgresRepository<AccountT>(db, Account, {
    schema,
    table: 'primary_accounts',
  });
  const second = new PostgresRepository<AccountT>(secondaryDb, Account, {
    schema,
    table: 'secondary_accounts',
  });
  return {
    primary,
    second,
    mirror: postgresMirror(secondaryDb, second),
    outbox: postgresOutbox(db, { schema }),
  };
}

/**
 * A polyglot over one `accounts` entity in the phase the fault, crash and otel tests exercise
 * (`DualWritePrimaryRead`): each write goes to `primary`, then to `secondary`, whose half is given
 * up on (and left to the outbox) after `secondaryTimeoutMs` (the default 2000 when absent).
 */
export function dualWriteAccounts(
  outbox: Outbox,
  primary: Repository<AccountT>,
  secondary: MirrorStore<AccountT>,
  secondaryTimeoutMs?: number,
) {
  return createPolyglot({
    outbox,
    entities: {
      accounts: { primary, secondary, phase: 'DualWritePrimaryRead', secondaryTimeoutMs },
    },
  });
}

/**
 * A full verification of the polyglot's `accounts` finds the stores in agreement: no differing
 * item, having scanned at least `minScanned` items (so an empty scan cannot pass).
 */
export async function expectAgreement(
  polyglot: ReturnType<typeof dualWriteAccounts>,
  minScanned: number,
): Promise<void> {
  const report = await polyglot.verify('accounts');
  expect(report.differentItems).toEqual([]);
  expect(report.differences).toBe(0);
  expect(report.scanned).toBeGreaterThanOrEqual(minScanned);
}

/** Creates the pair's two tables through `db` (direct, even when the secondary is behind a proxy), then its mirror's and outbox's. */
export async function migratePair(
  db: PgDatabase,
  pair: ReturnType<typeof accountPair>,
): Promise<void> {
  for (const s of [
    ...createTableStatements(pair.primary.mapping),
    ...createTableStatements(pair.second.mapping),
  ])
    await db.query(s);
  await pair.mirror.migrate();
  await pair.outbox.migrate();
}

/**
 * A TCP proxy in front of the shared PostgreSQL that the test can break: `down()` resets every
 * open connection and refuses new ones (a stopped server), `blackhole()` accepts and then never
 * answers (a hung network), `up()` forwards again.
 */
export class FaultProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #mode: 'up' | 'down' | 'blackhole' = 'up';
  port = 0;

  constructor(readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => this.#accept(client));
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  #accept(client: net.Socket): void {
    client.on('error', () => {});
    if (this.#mode === 'down') {
      client.resetAndDestroy();
      return;
    }
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    if (this.#mode === 'blackhole') return;
    const upstream = net.connect(this.target.port, this.target.host);
    this.#sockets.add(upstream);
    upstream.on('close', () => {
      this.#sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Resets every connection and refuses new ones. */
  down(): void {
    this.#mode = 'down';
    for (const s of this.#sockets) s.resetAndDestroy();
    this.#sockets.clear();
  }

  /** New connections hang; existing ones are reset. */
  blackhole(): void {
    this.down();
    this.#mode = 'blackhole';
  }

  up(): void {
    if (this.#mode === 'blackhole') for (const s of this.#sockets) s.destroy();
    this.#mode = 'up';
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

/**
 * A random schema on `db` for the test file it is called in: created before the file's tests;
 * dropped, and `db` closed, after them.
 */
export function useSchema(db: PgDatabase, prefix: string): string {
  const schema = randomSchema(prefix);
  beforeAll(async () => {
    await db.query(`CREATE SCHEMA "${schema}"`);
  });
  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await db.close();
  });
  return schema;
}
