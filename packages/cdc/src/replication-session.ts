/**
 * One replication connection of a {@link PostgresChangeSource}: `START_REPLICATION` through
 * pg-logical-replication (pgoutput), its messages turned into change batches in a bounded queue,
 * and the standby status updates that move the slot.
 *
 * Positions. The slot's confirmed position moves only when the consumer acknowledges a batch
 * (the end of its commit record), or, when nothing received is waiting to be handled, to the
 * position of a server keepalive (every transaction committed before it has been sent, so
 * nothing is skipped; without that an idle slot would look further and further behind while
 * other tables are written). pg-logical-replication's own acknowledgement is off: it acknowledges
 * what was received, not what was handled.
 */

import type pg from 'pg';
import { LogicalReplicationService, type Pgoutput, PgoutputPlugin } from 'pg-logical-replication';
import { BoundedBatchQueue } from './bounded-queue.js';
import type { ChangeBatch, ChangeEvent } from './change.js';
import { CdcSlotError, CdcSourceError } from './errors.js';
import { bigIntToLsn, compareLsn, lsnToBigInt } from './lsn.js';
import { parseSnapshot, visibleIn } from './visibility.js';

export interface SessionSettings {
  readonly connection: pg.ClientConfig;
  readonly slot: string;
  readonly publication: string;
  readonly maxBufferedChanges: number;
  readonly maxBatchSize: number;
  readonly statusIntervalMs: number;
  /** `pg_current_snapshot()::text` on an ordinary connection (see visibility.ts). */
  readonly currentSnapshot: () => Promise<string>;
}

/** The position the server has confirmed from us, shared by the sessions of one source. */
export interface PositionBook {
  acknowledged: string;
}

type Row = Record<string, unknown>;

interface OpenTransaction {
  events: ChangeEvent[];
  committedAt: Date | undefined;
  xid: number | undefined;
  /** Whether its xid was seen visible (checked before its first batch is handed over). */
  visible: boolean;
}

const tableOf = (relation: Pgoutput.MessageRelation) => `${relation.schema}.${relation.name}`;

const pick = (row: Row | null | undefined, columns: readonly string[]): Row => {
  const key: Row = {};
  if (!row) return key;
  for (const column of columns) key[column] = row[column];
  return key;
};

const sameKey = (a: Row, b: Row) => Object.keys(a).every((k) => a[k] === b[k]);

/** Microseconds since 1970 (pg-logical-replication's commit time) as a Date. */
const commitDate = (time: unknown) =>
  typeof time === 'bigint' ? new Date(Number(time / 1000n)) : undefined;

export function classifyStartError(slot: string, err: unknown): Error {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === '42704') {
    return new CdcSlotError(slot, 'missing', `replication slot ${slot} does not exist`, {
      cause: err,
    });
  }
  if (code === '55006') {
    return new CdcSlotError(slot, 'active', `replication slot ${slot} is in use: ${message}`, {
      cause: err,
    });
  }
  if (/can no longer get changes|has been invalidated|wal.*removed/i.test(message)) {
    return new CdcSlotError(slot, 'lost', `replication slot ${slot} is lost: ${message}`, {
      cause: err,
    });
  }
  return new CdcSourceError(`replication stream of slot ${slot} failed: ${message}`, {
    cause: err,
  });
}

export class ReplicationSession {
  readonly #settings: SessionSettings;
  readonly #book: PositionBook;
  readonly #queue: BoundedBatchQueue;
  readonly #service: LogicalReplicationService;
  /** The transaction being received (begin seen, commit not yet). */
  #open: OpenTransaction | null = null;
  /** The last position handed to the consumer, acknowledged or not. */
  #delivered: string;
  #statusTimer: ReturnType<typeof setInterval> | null = null;
  #stopped = false;
  /** When a change arrived while the consumer was caught up; null while it is (health check). */
  unacknowledgedSince: number | null = null;

  constructor(settings: SessionSettings, book: PositionBook) {
    this.#settings = settings;
    this.#book = book;
    this.#delivered = book.acknowledged;
    this.#queue = new BoundedBatchQueue(settings.maxBufferedChanges);
    this.#service = new LogicalReplicationService(settings.connection, {
      acknowledge: { auto: false, timeoutSeconds: 0 },
      flowControl: { enabled: true },
    });
    this.#service.on('data', (lsn: string, message: Pgoutput.Message) =>
      this.#onMessage(lsn, message).catch((err) => this.#fail(err)),
    );
    this.#service.on('heartbeat', (lsn: string, _time: number, shouldRespond: boolean) =>
      this.#onKeepalive(lsn, shouldRespond),
    );
    this.#service.on('error', (err: Error) => this.#fail(err));
  }

  /** Connects and starts streaming; the returned queue yields batches until stopped or failed. */
  start(): void {
    const plugin = new PgoutputPlugin({
      protoVersion: 1,
      publicationNames: [this.#settings.publication],
    });
    this.#service.subscribe(plugin, this.#settings.slot).then(
      () => {
        // The stream ended: by stop(), or the server closed it (a restart, a terminated walsender).
        if (!this.#stopped) {
          this.#fail(new CdcSourceError('the server ended the replication stream'));
        }
      },
      (err: unknown) => this.#fail(err),
    );
    this.#statusTimer = setInterval(() => this.#sendStatus(), this.#settings.statusIntervalMs);
    this.#statusTimer.unref?.();
  }

  next(): Promise<ChangeBatch | undefined> {
    return this.#queue.shift();
  }

  /** Confirms `position` to the server (called by the source after the consumer handled it). */
  acknowledge(position: string): void {
    if (compareLsn(position, this.#book.acknowledged) > 0) this.#book.acknowledged = position;
    if (this.#idle()) this.unacknowledgedSince = null;
    this.#sendStatus();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#statusTimer) clearInterval(this.#statusTimer);
    this.#queue.end();
    await this.#service.destroy().catch(() => {});
  }

  #fail(err: unknown): void {
    if (this.#stopped) return;
    this.#queue.fail(classifyStartError(this.#settings.slot, err));
    void this.stop();
  }

  /** Nothing received waits for the consumer: the keepalive's position may be confirmed. */
  #idle(): boolean {
    return (
      this.#open === null &&
      this.#queue.length === 0 &&
      compareLsn(this.#delivered, this.#book.acknowledged) <= 0
    );
  }

  #onKeepalive(lsn: string, shouldRespond: boolean): void {
    if (this.#idle()) {
      // pg-logical-replication may still hold messages that arrived in the same read as the
      // keepalive; it hands them over in the microtasks that follow, so look again after them.
      setImmediate(() => {
        if (this.#stopped || !this.#idle()) return;
        if (compareLsn(lsn, this.#book.acknowledged) > 0) {
          this.#book.acknowledged = lsn;
          this.#delivered = lsn;
        }
        this.#sendStatus();
      });
    } else if (shouldRespond) {
      this.#sendStatus();
    }
  }

  /**
   * Sends the confirmed position. pg-logical-replication reports `lsn + 1` as written, flushed
   * and applied; the server skips transactions whose commit record starts before the flushed
   * position, and the next commit may start right at the acknowledged one, so it is given
   * `position - 1`.
   */
  #sendStatus(): void {
    if (this.#stopped || this.#service.isStop()) return;
    const position = lsnToBigInt(this.#book.acknowledged);
    if (position === 0n) return;
    void this.#service.acknowledge(bigIntToLsn(position - 1n)).catch(() => {});
  }

  async #deliver(batch: ChangeBatch): Promise<void> {
    if (batch.position) this.#delivered = batch.position;
    this.unacknowledgedSince ??= Date.now();
    await this.#queue.push(batch);
  }

  async #onMessage(lsn: string, message: Pgoutput.Message): Promise<void> {
    switch (message.tag) {
      case 'begin':
        this.#open = {
          events: [],
          committedAt: commitDate(message.commitTime),
          xid: message.xid,
          visible: false,
        };
        return;
      case 'commit': {
        const open = this.#open;
        if (open && open.events.length > 0) await this.#untilVisible(open);
        this.#open = null;
        await this.#deliver({ events: open?.events ?? [], position: message.commitEndLsn ?? lsn });
        return;
      }
      case 'insert':
      case 'update':
      case 'delete':
        await this.#add(this.#rowEvent(lsn, message));
        return;
      case 'truncate':
        for (const relation of message.relations) {
          await this.#add({
            table: tableOf(relation),
            operation: 'truncate',
            key: {},
            position: lsn,
            ...this.#committedAt(),
          });
        }
        return;
      default:
        // relation, type, origin and logical messages carry no row change.
        return;
    }
  }

  #committedAt(): { committedAt?: Date } {
    const at = this.#open?.committedAt;
    return at ? { committedAt: at } : {};
  }

  #rowEvent(
    lsn: string,
    message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete,
  ): ChangeEvent {
    const { relation } = message;
    const columns = relation.keyColumns;
    const base = { table: tableOf(relation), position: lsn, ...this.#committedAt() };
    if (message.tag === 'insert') {
      return { ...base, operation: 'insert', key: pick(message.new, columns), row: message.new };
    }
    if (message.tag === 'update') {
      const key = pick(message.new, columns);
      const before = message.key ?? message.old;
      const previous = before ? pick(before, columns) : undefined;
      return {
        ...base,
        operation: 'update',
        key,
        row: message.new,
        ...(previous && !sameKey(previous, key) ? { previousKey: previous } : {}),
      };
    }
    return { ...base, operation: 'delete', key: pick(message.key ?? message.old, columns) };
  }

  async #add(event: ChangeEvent): Promise<void> {
    // A change outside a transaction does not happen with pgoutput; keep it rather than lose it.
    const open = this.#open ?? {
      events: [],
      committedAt: undefined,
      xid: undefined,
      visible: true,
    };
    this.#open = open;
    open.events.push(event);
    if (open.events.length >= this.#settings.maxBatchSize) {
      await this.#untilVisible(open);
      const events = open.events;
      open.events = [];
      await this.#deliver({ events });
    }
  }

  /** Waits (polling a fresh snapshot) until new snapshots see the transaction (visibility.ts). */
  async #untilVisible(open: OpenTransaction): Promise<void> {
    if (open.visible || open.xid === undefined) return;
    for (let wait = 1; !this.#stopped; wait = Math.min(wait * 2, 50)) {
      if (visibleIn(parseSnapshot(await this.#settings.currentSnapshot()), open.xid)) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    open.visible = true;
  }
}
