/**
 * PostgreSQL shared by several processes that sign with one key: the nonce lease (a row lock
 * on `signer_nonces`) and the submission journal. Both take a `pg` pool the caller owns.
 */
import type { Pool, PoolClient } from 'pg';
import type { Address, Hex } from 'viem';
import { NonceLeaseLostError } from './errors.js';
import type { JournalAttempt, JournalEntry, JournalState, SubmissionJournal } from './journal.js';
import type { NonceLease, NonceLeaseHandle } from './nonce.js';

/** Quotes a table name (optionally schema-qualified) after checking it is a plain identifier. */
export function quoteTable(name: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name)) {
    throw new TypeError(`not a plain lower-case table name: ${name}`);
  }
  return name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
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

/**
 * A {@link NonceLease} shared by processes through PostgreSQL. Acquiring opens a transaction
 * and raises the signer's `epoch` in `signer_nonces`, which takes the row lock and holds it
 * until release; the next acquirer waits on that lock in the server (no polling). Release
 * writes `next_nonce` only where the epoch is still the holder's (the fencing check) and
 * commits. A holder that stalls past `leaseTimeoutMs` has its session ended by the server
 * (`idle_in_transaction_session_timeout`), its lock and uncommitted write vanish, and its
 * release fails with {@link NonceLeaseLostError}.
 */
export class PostgresNonceLease implements NonceLease {
  private readonly table: string;

  constructor(private readonly options: PostgresNonceLeaseOptions) {
    this.table = quoteTable(options.table ?? 'signer_nonces');
  }

  /** Creates the table when it does not exist. */
  async ensureSchema(): Promise<void> {
    await this.options.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        signer text PRIMARY KEY,
        next_nonce numeric(78, 0),
        epoch bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
  }

  /** {@inheritDoc NonceLease.acquire} */
  async acquire(signer: Address, signal?: AbortSignal): Promise<NonceLeaseHandle> {
    signal?.throwIfAborted();
    const key = signer.toLowerCase();
    const client: PoolClient = await this.options.pool.connect();
    let epoch: bigint;
    let stored: bigint | undefined;
    try {
      await client.query('BEGIN');
      await client.query(
        `SELECT set_config('idle_in_transaction_session_timeout', $1, true),
                set_config('lock_timeout', $2, true)`,
        [
          String(this.options.leaseTimeoutMs ?? 30_000),
          String(this.options.acquireTimeoutMs ?? 60_000),
        ],
      );
      await client.query(
        `INSERT INTO ${this.table} (signer) VALUES ($1) ON CONFLICT (signer) DO NOTHING`,
        [key],
      );
      const { rows } = await client.query<{ next_nonce: string | null; epoch: string }>(
        `UPDATE ${this.table} SET epoch = epoch + 1, updated_at = now()
          WHERE signer = $1 RETURNING next_nonce, epoch`,
        [key],
      );
      epoch = BigInt(rows[0]!.epoch);
      stored = rows[0]!.next_nonce === null ? undefined : BigInt(rows[0]!.next_nonce);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
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
          const result = await client.query(
            `UPDATE ${this.table} SET next_nonce = COALESCE($3::numeric, next_nonce), updated_at = now()
              WHERE signer = $1 AND epoch = $2`,
            [key, epoch.toString(), nextNonce?.toString() ?? null],
          );
          if (result.rowCount !== 1) throw new NonceLeaseLostError(signer);
          await client.query('COMMIT');
          client.release();
        } catch (error) {
          // The session is unusable (ended by the server or mid-transaction): destroy it.
          client.release(error instanceof Error ? error : true);
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
  private readonly table: string;

  constructor(private readonly options: PostgresSubmissionJournalOptions) {
    this.table = quoteTable(options.table ?? 'tx_submissions');
  }

  /** Creates the table when it does not exist. */
  async ensureSchema(): Promise<void> {
    await this.options.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        key text PRIMARY KEY,
        signer text NOT NULL,
        request jsonb NOT NULL,
        attempts jsonb NOT NULL,
        state text NOT NULL,
        mined_hash text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
  }

  /** {@inheritDoc SubmissionJournal.get} */
  async get(key: string): Promise<JournalEntry | undefined> {
    const { rows } = await this.options.pool.query<JournalRow>(
      `SELECT * FROM ${this.table} WHERE key = $1`,
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
      `INSERT INTO ${this.table} AS t (key, signer, request, attempts, state)
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
      `UPDATE ${this.table} SET attempts = attempts || $2::jsonb, updated_at = now() WHERE key = $1`,
      [key, JSON.stringify([attemptJson(attempt)])],
    );
  }

  /** {@inheritDoc SubmissionJournal.settle} */
  async settle(key: string, state: 'mined' | 'rejected', minedHash?: Hex): Promise<void> {
    await this.options.pool.query(
      `UPDATE ${this.table} SET state = $2, mined_hash = COALESCE($3, mined_hash), updated_at = now()
        WHERE key = $1`,
      [key, state, minedHash ?? null],
    );
  }

  /** {@inheritDoc SubmissionJournal.unsettled} */
  async unsettled(from: Address): Promise<JournalEntry[]> {
    const { rows } = await this.options.pool.query<JournalRow>(
      `SELECT * FROM ${this.table} WHERE signer = $1 AND state = 'pending' ORDER BY updated_at`,
      [from.toLowerCase()],
    );
    return rows.map(fromRow);
  }
}
