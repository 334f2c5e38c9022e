/**
 * PostgreSQL shared by several processes that sign with one key: the nonce lease (an advisory
 * lock, with the next nonce and a fencing epoch in `signer_nonces`) and the submission journal.
 * Both take a `pg` pool the caller owns.
 */
import type { Pool, PoolClient } from 'pg';
import type { Address, Hex } from 'viem';
import { createTablesUnderLock, IDENTIFIER } from '../postgres/create-tables.js';
import { NonceLeaseLostError } from './errors.js';
import type { JournalAttempt, JournalEntry, JournalState, SubmissionJournal } from './journal.js';
import type { NonceLease, NonceLeaseHandle } from './nonce.js';

/** Quotes a table name (optionally schema-qualified) after checking it is a plain identifier. */
export function quoteTable(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(`not a plain lower-case table name: ${name}`);
  }
  return parts.map((part) => `"${part}"`).join('.');
}

/** A store's table: its name as configured (which also names the lock that creates it), quoted. */
interface StoreTable {
  name: string;
  quoted: string;
}

/** The table `name` names, after checking it is a plain identifier (see {@link quoteTable}). */
function storeTable(name: string): StoreTable {
  return { name, quoted: quoteTable(name) };
}

/** Creates `table` with `columns` when it does not exist; safe to run from several instances at once. */
function createTable(pool: Pool, table: StoreTable, columns: string): Promise<void> {
  return createTablesUnderLock(
    pool,
    table.name,
    `CREATE TABLE IF NOT EXISTS ${table.quoted} (${columns})`,
  );
}

/** Options of {@link PostgresNonceLease}. */
export interface PostgresNonceLeaseOptions {
  /** The pool; a lease holds one of its connections while held. */
  pool: Pool;
  /** The table, optionally schema-qualified. Default `signer_nonces`. */
  table?: string;
  /**
   * How long a holder may sit on the lease without talking to PostgreSQL before the server
   * ends its session (and so its lock): a crashed or frozen holder cannot block the others for
   * longer. Default 30 000 ms.
   */
  leaseTimeoutMs?: number;
  /** How long to wait for the lease before giving up. Default 60 000 ms. */
  acquireTimeoutMs?: number;
}

const NONCE_COLUMNS = `
  signer text PRIMARY KEY,
  next_nonce numeric(78, 0),
  epoch bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
`;

/**
 * A {@link NonceLease} shared by processes through PostgreSQL (14 or later).
 *
 * Mutual exclusion is a session advisory lock per signer: the next acquirer waits for it in
 * the server (no polling), and it vanishes with its session, so a crashed holder frees it at
 * once and a frozen one after `leaseTimeoutMs` (`idle_session_timeout`). The row in
 * `signer_nonces` carries the persisted next nonce and the fencing epoch: every acquisition
 * raises the epoch in its own committed statement, and a release writes the next nonce only
 * where the epoch is still its own. So a holder whose session was ended, and whose lease
 * another process has taken since, cannot overwrite the newer holder's nonce; its release
 * fails with {@link NonceLeaseLostError}. (A row lock held in an open transaction would give
 * the exclusion but not the fencing: the epoch raise would roll back with the lost holder.)
 */
export class PostgresNonceLease implements NonceLease {
  private readonly table: StoreTable;

  constructor(private readonly options: PostgresNonceLeaseOptions) {
    this.table = storeTable(options.table ?? 'signer_nonces');
  }

  /** Creates the table when it does not exist; safe to run from several instances at once. */
  migrate(): Promise<void> {
    return createTable(this.options.pool, this.table, NONCE_COLUMNS);
  }

  /** {@inheritDoc NonceLease.acquire} */
  async acquire(signer: Address, signal?: AbortSignal): Promise<NonceLeaseHandle> {
    signal?.throwIfAborted();
    const key = signer.toLowerCase();
    const client: PoolClient = await this.options.pool.connect();
    // A session the server ends while we hold it emits 'error' on the idle client; without a
    // listener that would be an uncaught exception. The release that follows reports it.
    let lost: unknown;
    const onError = (error: unknown) => {
      lost = error;
    };
    client.on('error', onError);
    const unlock = `SELECT pg_advisory_unlock(hashtext($1), hashtext($2))`;
    let epoch: bigint;
    let stored: bigint | undefined;
    try {
      await client.query(
        `SELECT set_config('lock_timeout', $1, false), set_config('idle_session_timeout', $2, false)`,
        [
          String(this.options.acquireTimeoutMs ?? 60_000),
          String(this.options.leaseTimeoutMs ?? 30_000),
        ],
      );
      await client.query(`SELECT pg_advisory_lock(hashtext($1), hashtext($2))`, [
        this.table.name,
        key,
      ]);
      const { rows } = await client.query<{ next_nonce: string | null; epoch: string }>(
        `INSERT INTO ${this.table.quoted} AS t (signer, epoch) VALUES ($1, 1)
         ON CONFLICT (signer) DO UPDATE SET epoch = t.epoch + 1, updated_at = now()
         RETURNING next_nonce, epoch`,
        [key],
      );
      epoch = BigInt(rows[0]!.epoch);
      stored = rows[0]!.next_nonce === null ? undefined : BigInt(rows[0]!.next_nonce);
    } catch (error) {
      client.off('error', onError);
      client.release(true); // the session may hold the lock or odd settings: discard it
      throw error;
    }
    let released = false;
    return {
      epoch,
      storedNextNonce: stored,
      release: async (nextNonce) => {
        if (released) return;
        released = true;
        try {
          if (lost !== undefined) throw lost;
          const result = await client.query(
            `UPDATE ${this.table.quoted} SET next_nonce = COALESCE($3::numeric, next_nonce), updated_at = now()
              WHERE signer = $1 AND epoch = $2`,
            [key, epoch.toString(), nextNonce?.toString() ?? null],
          );
          await client.query(unlock, [this.table.name, key]);
          if (result.rowCount !== 1) throw new NonceLeaseLostError(signer);
          await client.query('RESET lock_timeout; RESET idle_session_timeout');
          client.off('error', onError);
          client.release();
        } catch (error) {
          client.off('error', onError);
          client.release(true);
          throw error instanceof NonceLeaseLostError
            ? error
            : new NonceLeaseLostError(signer, { cause: error });
        }
      },
    };
  }
}

/** Options of {@link PostgresSubmissionJournal}. */
export interface PostgresSubmissionJournalOptions {
  /** The pool. */
  pool: Pool;
  /** The table, optionally schema-qualified. Default `tx_submissions`. */
  table?: string;
}

const JOURNAL_COLUMNS = `
  key text PRIMARY KEY,
  signer text NOT NULL,
  request jsonb NOT NULL,
  attempts jsonb NOT NULL,
  state text NOT NULL,
  mined_hash text,
  updated_at timestamptz NOT NULL DEFAULT now()
`;

interface JournalRow {
  key: string;
  signer: string;
  request: { to?: Address; data?: Hex; value?: string; gas?: string };
  attempts: {
    hash: Hex;
    raw: Hex;
    nonce: string;
    maxFeePerGas: string;
    maxPriorityFeePerGas: string;
    signedAt: string;
  }[];
  state: JournalState;
  mined_hash: Hex | null;
}

const attemptJson = (a: JournalAttempt) => ({
  hash: a.hash,
  raw: a.raw,
  nonce: a.nonce.toString(),
  maxFeePerGas: a.maxFeePerGas.toString(),
  maxPriorityFeePerGas: a.maxPriorityFeePerGas.toString(),
  signedAt: a.signedAt.toISOString(),
});

function fromRow(row: JournalRow): JournalEntry {
  const { to, data, value, gas } = row.request;
  return {
    key: row.key,
    from: row.signer as Address,
    request: {
      ...(to !== undefined && { to }),
      ...(data !== undefined && { data }),
      ...(value !== undefined && { value: BigInt(value) }),
      ...(gas !== undefined && { gas: BigInt(gas) }),
    },
    attempts: row.attempts.map((a) => ({
      hash: a.hash,
      raw: a.raw,
      nonce: BigInt(a.nonce),
      maxFeePerGas: BigInt(a.maxFeePerGas),
      maxPriorityFeePerGas: BigInt(a.maxPriorityFeePerGas),
      signedAt: new Date(a.signedAt),
    })),
    state: row.state,
    ...(row.mined_hash !== null && { minedHash: row.mined_hash }),
  };
}

/**
 * A {@link SubmissionJournal} in PostgreSQL, shared by the processes of one signer and
 * surviving their restarts. Attempts are a JSON array appended in place.
 */
export class PostgresSubmissionJournal implements SubmissionJournal {
  private readonly table: StoreTable;

  constructor(private readonly options: PostgresSubmissionJournalOptions) {
    this.table = storeTable(options.table ?? 'tx_submissions');
  }

  /** Creates the table when it does not exist; safe to run from several instances at once. */
  migrate(): Promise<void> {
    return createTable(this.options.pool, this.table, JOURNAL_COLUMNS);
  }

  /** {@inheritDoc SubmissionJournal.get} */
  async get(key: string): Promise<JournalEntry | undefined> {
    const { rows } = await this.options.pool.query<JournalRow>(
      `SELECT * FROM ${this.table.quoted} WHERE key = $1`,
      [key],
    );
    return rows[0] && fromRow(rows[0]);
  }

  /** {@inheritDoc SubmissionJournal.create} */
  async create(entry: JournalEntry): Promise<boolean> {
    const { to, data, value, gas } = entry.request;
    const request = {
      ...(to !== undefined && { to }),
      ...(data !== undefined && { data }),
      ...(value !== undefined && { value: value.toString() }),
      ...(gas !== undefined && { gas: gas.toString() }),
    };
    const result = await this.options.pool.query(
      `INSERT INTO ${this.table.quoted} AS t (key, signer, request, attempts, state)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key) DO UPDATE SET signer = EXCLUDED.signer, request = EXCLUDED.request,
         attempts = EXCLUDED.attempts, state = EXCLUDED.state, mined_hash = NULL, updated_at = now()
       WHERE t.state = 'rejected'`,
      [
        entry.key,
        entry.from.toLowerCase(),
        JSON.stringify(request),
        JSON.stringify(entry.attempts.map(attemptJson)),
        entry.state,
      ],
    );
    return result.rowCount === 1;
  }

  /** {@inheritDoc SubmissionJournal.addAttempt} */
  async addAttempt(key: string, attempt: JournalAttempt): Promise<void> {
    await this.options.pool.query(
      `UPDATE ${this.table.quoted} SET attempts = attempts || $2::jsonb, updated_at = now() WHERE key = $1`,
      [key, JSON.stringify([attemptJson(attempt)])],
    );
  }

  /** {@inheritDoc SubmissionJournal.settle} */
  async settle(key: string, state: 'mined' | 'rejected', minedHash?: Hex): Promise<void> {
    await this.options.pool.query(
      `UPDATE ${this.table.quoted} SET state = $2, mined_hash = COALESCE($3, mined_hash), updated_at = now()
        WHERE key = $1`,
      [key, state, minedHash ?? null],
    );
  }

  /** {@inheritDoc SubmissionJournal.unsettled} */
  async unsettled(from: Address): Promise<JournalEntry[]> {
    const { rows } = await this.options.pool.query<JournalRow>(
      `SELECT * FROM ${this.table.quoted} WHERE signer = $1 AND state = 'pending' ORDER BY updated_at`,
      [from.toLowerCase()],
    );
    return rows.map(fromRow);
  }
}
