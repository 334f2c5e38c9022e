/**
 * `postgresChangeSource(options)`: a {@link ChangeSource} on PostgreSQL logical replication
 * (`pgoutput`, the output plugin built into the server, so nothing is installed there), read with
 * pg-logical-replication. The server needs `wal_level = logical`, and the role `REPLICATION` (or
 * superuser) plus the right to create the publication.
 *
 * One replication slot per consumer group (`slot`): the server keeps the group's acknowledged
 * position in it, across restarts of the consumer and of the server, and keeps the WAL the group
 * has not acknowledged yet. That is why a slot that is never read again must be dropped
 * (`close({ drop: true })`), and why the health check reports a slot that lags or was lost.
 */
import pg from 'pg';
import type { ChangeBatch, ChangeSource } from './change.js';
import { CdcClosedError, CdcOptionsError } from './errors.js';
import { compareLsn } from './lsn.js';
import { ReplicationSession } from './replication-session.js';
import {
  dropSlot,
  ensurePublication,
  ensureSlot,
  isObjectName,
  type SlotStatus,
  slotStatus,
} from './slot.js';

/** Options of {@link postgresChangeSource}. */
export interface PostgresChangeSourceOptions {
  /** How to connect: a connection string or `pg` client options (the same server for both uses). */
  connection: string | pg.ClientConfig;
  /**
   * The replication slot, one per consumer group (e.g. `cache_invalidation`): lower-case
   * letters, digits and `_`. Instances of one group share it; one of them reads at a time.
   */
  slot: string;
  /** The publication to read (which tables). Default: `mystira_cdc`. */
  publication?: string;
  /**
   * Tables (`schema.table` or `table`) to create the publication for when it does not exist.
   * Absent: it is created `FOR ALL TABLES`. Ignored when the publication exists.
   */
  tables?: readonly string[];
  /** Create the publication and the slot when missing. Default true. */
  create?: boolean;
  /**
   * Changes held in memory for the consumer before reading pauses (backpressure). Default 1000.
   */
  maxBufferedChanges?: number;
  /** Changes per batch within a large transaction. Default 500. */
  maxBatchSize?: number;
  /** How often the acknowledged position is sent even when nothing happens, in ms. Default 5000. */
  statusIntervalMs?: number;
}

/** A {@link ChangeSource} on PostgreSQL logical replication, plus what its health check needs. */
export interface PostgresChangeSource extends ChangeSource {
  /** The replication slot (the consumer group). */
  readonly slot: string;
  /** What the server says about the slot now; undefined when it does not exist. */
  status(): Promise<SlotStatus | undefined>;
  /**
   * Milliseconds since the consumer was last caught up (every change read so far acknowledged):
   * how long it has been behind. 0 when it is caught up.
   */
  unacknowledgedForMs(): number;
}

const positiveInt = (name: string, value: number | undefined, fallback: number) => {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new CdcOptionsError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return v;
};

class PgSource implements PostgresChangeSource {
  readonly name: string;
  readonly slot: string;
  readonly #connection: pg.ClientConfig;
  readonly #publication: string;
  readonly #tables: readonly string[] | undefined;
  readonly #create: boolean;
  readonly #settings: {
    maxBufferedChanges: number;
    maxBatchSize: number;
    statusIntervalMs: number;
  };
  readonly #book = { acknowledged: '0/0' };
  #admin: pg.Pool | null = null;
  #prepared: Promise<void> | null = null;
  #session: ReplicationSession | null = null;
  /** A `changes()` iteration is running (one reader at a time). */
  #reading = false;
  #closed = false;

  constructor(options: PostgresChangeSourceOptions) {
    if (!options?.connection) throw new CdcOptionsError('postgresChangeSource needs a connection');
    if (!isObjectName(options.slot ?? '')) {
      throw new CdcOptionsError(
        `slot must be 1-63 lower-case letters, digits or _, got ${JSON.stringify(options.slot)}`,
      );
    }
    const publication = options.publication ?? 'mystira_cdc';
    if (!isObjectName(publication)) {
      throw new CdcOptionsError(`publication must be 1-63 lower-case letters, digits or _`);
    }
    if (options.tables && options.tables.length === 0) {
      throw new CdcOptionsError('tables, when given, names at least one table');
    }
    this.slot = options.slot;
    this.name = `postgres:${options.slot}`;
    this.#connection =
      typeof options.connection === 'string'
        ? { connectionString: options.connection }
        : options.connection;
    this.#publication = publication;
    this.#tables = options.tables;
    this.#create = options.create ?? true;
    this.#settings = {
      maxBufferedChanges: positiveInt('maxBufferedChanges', options.maxBufferedChanges, 1000),
      maxBatchSize: positiveInt('maxBatchSize', options.maxBatchSize, 500),
      statusIntervalMs: positiveInt('statusIntervalMs', options.statusIntervalMs, 5000),
    };
  }

  #db(): pg.Pool {
    if (!this.#admin) {
      this.#admin = new pg.Pool({ ...this.#connection, max: 2, idleTimeoutMillis: 10_000 });
      // An idle connection dropped by the server: the next query opens another.
      this.#admin.on('error', () => {});
    }
    return this.#admin;
  }

  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      if (!this.#create) return;
      await ensurePublication(this.#db(), this.#publication, this.#tables);
      await ensureSlot(this.#db(), this.slot);
    })().catch((err) => {
      this.#prepared = null;
      throw err;
    });
    return this.#prepared;
  }

  async *changes(signal?: AbortSignal): AsyncGenerator<ChangeBatch> {
    if (this.#closed) throw new CdcClosedError();
    if (this.#reading) throw new CdcOptionsError(`${this.name} is already being read`);
    this.#reading = true;
    try {
      await this.#prepare();
      // Status updates always carry a real position: until the first acknowledgement of this
      // process, the one the slot already has (never a smaller one, which older servers take).
      if (this.#book.acknowledged === '0/0') {
        const confirmed = (await this.status())?.confirmedPosition;
        if (confirmed) this.#book.acknowledged = confirmed;
      }
    } catch (err) {
      this.#reading = false;
      throw err;
    }
    const session = new ReplicationSession(
      {
        connection: this.#connection,
        slot: this.slot,
        publication: this.#publication,
        ...this.#settings,
        currentSnapshot: async () =>
          (await this.#db().query<{ s: string }>('select pg_current_snapshot()::text as s')).rows[0]
            ?.s ?? '',
      },
      this.#book,
    );
    this.#session = session;
    const onAbort = () => void session.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) return;
      session.start();
      while (true) {
        const batch = await session.next();
        if (batch === undefined || signal?.aborted) return;
        yield batch;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await session.stop();
      if (this.#session === session) this.#session = null;
      this.#reading = false;
    }
  }

  async acknowledge(position: string): Promise<void> {
    if (this.#session) this.#session.acknowledge(position);
    else if (compareLsn(position, this.#book.acknowledged) > 0) this.#book.acknowledged = position;
  }

  status(): Promise<SlotStatus | undefined> {
    return slotStatus(this.#db(), this.slot);
  }

  unacknowledgedForMs(): number {
    const since = this.#session?.unacknowledgedSince;
    return since == null ? 0 : Date.now() - since;
  }

  async close(options: { drop?: boolean } = {}): Promise<void> {
    this.#closed = true;
    await this.#session?.stop();
    this.#session = null;
    try {
      if (options.drop) await dropSlot(this.#db(), this.slot);
    } finally {
      const admin = this.#admin;
      this.#admin = null;
      await admin?.end().catch(() => {});
    }
  }
}

/** A change source reading PostgreSQL's logical replication stream through slot `options.slot`. */
export function postgresChangeSource(options: PostgresChangeSourceOptions): PostgresChangeSource {
  return new PgSource(options);
}
