/**
 * The durable outbox: ids whose secondary copy may be behind the primary. An entry carries no
 * payload on purpose: a replay re-reads the primary's current truth and copies it through the
 * mirror's version gate, so replaying an entry twice, late, or out of order converges on the
 * same state, and an entry survives any number of later writes to the same id.
 *
 * Entries are leased (`claim`) rather than deleted on read, so several replayers can share one
 * outbox: a crashed replayer's lease simply expires and another one picks the entry up.
 */
import { type CallOptions, type Id, throwIfAborted } from '@mystira/repository';

/**
 * - `intent`: written before a dual write starts (crash safety); deleted once both stores agree.
 * - `failure`: the secondary write failed or timed out.
 * - `tombstoned`/`stale`: the mirror refused the inline write; a replay sorts it out from the truth.
 * - `repair`: queued by verification for an id found different.
 */
export type OutboxReason = 'intent' | 'failure' | 'tombstoned' | 'stale' | 'repair';

/** What a write records in the outbox: which item may be behind in the secondary, and why. */
export interface OutboxRecord {
  /** The entity (binding name). */
  readonly entity: string;
  /** The item's id. */
  readonly id: Id;
  /** Why the item may be behind. */
  readonly reason: OutboxReason;
  /** The primary version the write produced, when known (diagnostics only: replays read the truth). */
  readonly version?: number | null;
  /** Delay before the entry is due (ms). Default 0. */
  readonly delayMs?: number;
  /** The error of the failed write, for diagnostics. */
  readonly error?: string | null;
}

/** An entry of the outbox, as a replayer claims it. */
export interface OutboxEntry {
  /** Monotonic sequence number, as a string (it may outgrow a JS number). */
  readonly seq: string;
  /** The entity (binding name). */
  readonly entity: string;
  /** The item's id. */
  readonly id: Id;
  /** Why it was recorded. */
  readonly reason: OutboxReason;
  /** The primary version the write produced, when known. */
  readonly version: number | null;
  /** Replays tried and given back so far. */
  readonly attempts: number;
  /** When it was recorded (ms since the epoch). */
  readonly createdAt: number;
  /** When it is due for replay (ms since the epoch). */
  readonly dueAt: number;
  /** The error of the last failed attempt (or of the failed write), if any. */
  readonly lastError: string | null;
}

/** Options of {@link Outbox.claim}. */
export interface ClaimOptions extends CallOptions {
  /** Who holds the lease (a replayer id). */
  readonly owner: string;
  /** Most entries claimed. */
  readonly limit: number;
  /** Lease length: after it, another replayer may claim the entry. */
  readonly leaseMs: number;
  /** Only this entity's entries. */
  readonly entity?: string;
  /** Claim entries that are not due yet too (a manual `replay --now`, or draining in tests). */
  readonly ignoreSchedule?: boolean;
}

/** The outbox's depth and lag, from {@link Outbox.stats}. */
export interface OutboxStats {
  /** Entries in the outbox. */
  readonly depth: number;
  /** Entries due now and not leased. */
  readonly due: number;
  /** Age of the oldest entry in ms, or null when empty. */
  readonly oldestAgeMs: number | null;
}

/**
 * The durable outbox of a polyglot registry: ids whose secondary copy may be behind, leased to
 * replayers. `postgresOutbox` of `@mystira/repository-postgres` is the durable one; {@link
 * MemoryOutbox} serves tests.
 */
export interface Outbox {
  /** Records entries durably; resolves with their sequence numbers (in order). */
  append(records: readonly OutboxRecord[], options?: CallOptions): Promise<string[]>;
  /** Leases up to `limit` due, unleased entries, oldest due first. Entries leased by others are skipped, not waited for. */
  claim(options: ClaimOptions): Promise<OutboxEntry[]>;
  /**
   * Deletes entries. With `owner`, only entries whose lease that owner still holds (a replayer
   * whose lease expired does not delete an entry someone else is working on).
   */
  complete(seqs: readonly string[], options?: CallOptions & { owner?: string }): Promise<number>;
  /** Gives an entry back: due again after `delayMs`, attempts + 1, lease dropped. */
  retry(
    seq: string,
    options: CallOptions & { owner?: string; delayMs: number; error?: string | null },
  ): Promise<void>;
  /** Whether any entry for this id exists (tombstone purging waits for none). */
  pending(entity: string, id: Id, options?: CallOptions): Promise<boolean>;
  /** Depth, due entries and the oldest entry's age, for one entity or the whole outbox. */
  stats(options?: CallOptions & { entity?: string }): Promise<OutboxStats>;
}

interface MemEntry {
  seq: number;
  entity: string;
  id: Id;
  reason: OutboxReason;
  version: number | null;
  attempts: number;
  createdAt: number;
  dueAt: number;
  lastError: string | null;
  owner: string | null;
  leaseUntil: number;
}

/** An in-process outbox: for tests, demos and single-process apps that accept losing it on a crash. */
export class MemoryOutbox implements Outbox {
  readonly #entries = new Map<number, MemEntry>();
  readonly #now: () => number;
  #seq = 0;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  async append(records: readonly OutboxRecord[], options: CallOptions = {}): Promise<string[]> {
    throwIfAborted(options.signal);
    const now = this.#now();
    return records.map((r) => {
      const seq = ++this.#seq;
      this.#entries.set(seq, {
        seq,
        entity: r.entity,
        id: r.id,
        reason: r.reason,
        version: r.version ?? null,
        attempts: 0,
        createdAt: now,
        dueAt: now + (r.delayMs ?? 0),
        lastError: r.error ?? null,
        owner: null,
        leaseUntil: 0,
      });
      return String(seq);
    });
  }

  async claim(options: ClaimOptions): Promise<OutboxEntry[]> {
    throwIfAborted(options.signal);
    const now = this.#now();
    const due = [...this.#entries.values()]
      .filter(
        (e) =>
          (options.ignoreSchedule || e.dueAt <= now) &&
          e.leaseUntil <= now &&
          (!options.entity || e.entity === options.entity),
      )
      .sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq)
      .slice(0, options.limit);
    for (const e of due) {
      e.owner = options.owner;
      e.leaseUntil = now + options.leaseMs;
    }
    return due.map(view);
  }

  async complete(
    seqs: readonly string[],
    options: CallOptions & { owner?: string } = {},
  ): Promise<number> {
    throwIfAborted(options.signal);
    let n = 0;
    for (const s of seqs) {
      const e = this.#entries.get(Number(s));
      if (!e) continue;
      if (options.owner !== undefined && (e.owner !== options.owner || e.leaseUntil <= this.#now()))
        continue;
      this.#entries.delete(e.seq);
      n++;
    }
    return n;
  }

  async retry(
    seq: string,
    options: CallOptions & { owner?: string; delayMs: number; error?: string | null },
  ): Promise<void> {
    throwIfAborted(options.signal);
    const e = this.#entries.get(Number(seq));
    if (!e || (options.owner !== undefined && e.owner !== options.owner)) return;
    e.attempts++;
    e.dueAt = this.#now() + options.delayMs;
    e.lastError = options.error ?? e.lastError;
    e.owner = null;
    e.leaseUntil = 0;
  }

  async pending(entity: string, id: Id, options: CallOptions = {}): Promise<boolean> {
    throwIfAborted(options.signal);
    for (const e of this.#entries.values()) if (e.entity === entity && e.id === id) return true;
    return false;
  }

  async stats(options: CallOptions & { entity?: string } = {}): Promise<OutboxStats> {
    throwIfAborted(options.signal);
    const now = this.#now();
    let depth = 0;
    let due = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const e of this.#entries.values()) {
      if (options.entity && e.entity !== options.entity) continue;
      depth++;
      if (e.dueAt <= now && e.leaseUntil <= now) due++;
      oldest = Math.min(oldest, e.createdAt);
    }
    return { depth, due, oldestAgeMs: depth === 0 ? null : now - oldest };
  }
}

function view(e: MemEntry): OutboxEntry {
  return {
    seq: String(e.seq),
    entity: e.entity,
    id: e.id,
    reason: e.reason,
    version: e.version,
    attempts: e.attempts,
    createdAt: e.createdAt,
    dueAt: e.dueAt,
    lastError: e.lastError,
  };
}

/** Creates an in-process outbox. */
export function memoryOutbox(options?: { now?: () => number }): MemoryOutbox {
  return new MemoryOutbox(options);
}
