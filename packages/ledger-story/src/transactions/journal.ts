/**
 * The submission journal: what was signed for an idempotency key, written before it is sent,
 * so that a process restarted between sending and mining re-broadcasts the same signed
 * transaction (same nonce, same hash) instead of signing a second one.
 */
import type { Address, Hex } from 'viem';

/** What to send: a call, a value transfer, or (without `to`) a contract creation. */
export interface TransactionRequest {
  /** The recipient; omitted for a contract creation. */
  to?: Address;
  /** The call data (or the init code of a creation). */
  data?: Hex;
  /** Wei to send along. */
  value?: bigint;
  /** A gas limit; when given, gas estimation (and its revert check) is skipped. */
  gas?: bigint;
}

/** One signed transaction of a submission: the first, or a replacement with higher fees. */
export interface JournalAttempt {
  /** Its hash. */
  hash: Hex;
  /** The signed raw transaction, re-broadcast as it is. */
  raw: Hex;
  /** Its nonce (the same in every attempt unless the nonce was taken by another transaction). */
  nonce: bigint;
  /** Its max fee per gas. */
  maxFeePerGas: bigint;
  /** Its priority fee per gas. */
  maxPriorityFeePerGas: bigint;
  /** When it was signed. */
  signedAt: Date;
}

/**
 * Where a submission stands in the journal: `pending` until one attempt is mined, `rejected`
 * when the node refused it before accepting it (nothing of it can be mined, so the key may be
 * submitted afresh).
 */
export type JournalState = 'pending' | 'mined' | 'rejected';

/** One logical submission. */
export interface JournalEntry {
  /** The idempotency key. */
  key: string;
  /** The signing account. */
  from: Address;
  /** What was asked for. */
  request: TransactionRequest;
  /** Every signed attempt, oldest first; any one of them mined completes the submission. */
  attempts: JournalAttempt[];
  /** Where it stands. */
  state: JournalState;
  /** The attempt that was mined, once one was. */
  minedHash?: Hex;
}

/** Durable memory of submissions, keyed by idempotency key. */
export interface SubmissionJournal {
  /** The entry of `key`, if any. */
  get(key: string): Promise<JournalEntry | undefined>;
  /**
   * Records a new entry (with its first attempt, before that is broadcast). Returns `false`,
   * recording nothing, when a `pending` or `mined` entry of the key exists; a `rejected` one
   * is replaced.
   */
  create(entry: JournalEntry): Promise<boolean>;
  /** Adds an attempt (before it is broadcast). */
  addAttempt(key: string, attempt: JournalAttempt): Promise<void>;
  /** Marks the entry mined (with the winning hash) or rejected. */
  settle(key: string, state: 'mined' | 'rejected', minedHash?: Hex): Promise<void>;
  /** The `pending` entries of an account, to resume after a restart. */
  unsettled(from: Address): Promise<JournalEntry[]>;
}

/** A {@link SubmissionJournal} in memory: idempotency within one process's lifetime. */
export class InMemorySubmissionJournal implements SubmissionJournal {
  private readonly entries = new Map<string, JournalEntry>();

  /** {@inheritDoc SubmissionJournal.get} */
  async get(key: string): Promise<JournalEntry | undefined> {
    const entry = this.entries.get(key);
    return entry && structuredClone(entry);
  }

  /** {@inheritDoc SubmissionJournal.create} */
  async create(entry: JournalEntry): Promise<boolean> {
    const existing = this.entries.get(entry.key);
    if (existing !== undefined && existing.state !== 'rejected') return false;
    this.entries.set(entry.key, structuredClone(entry));
    return true;
  }

  /** {@inheritDoc SubmissionJournal.addAttempt} */
  async addAttempt(key: string, attempt: JournalAttempt): Promise<void> {
    this.entries.get(key)?.attempts.push(structuredClone(attempt));
  }

  /** {@inheritDoc SubmissionJournal.settle} */
  async settle(key: string, state: 'mined' | 'rejected', minedHash?: Hex): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.state = state;
    if (minedHash !== undefined) entry.minedHash = minedHash;
  }

  /** {@inheritDoc SubmissionJournal.unsettled} */
  async unsettled(from: Address): Promise<JournalEntry[]> {
    const account = from.toLowerCase();
    return [...this.entries.values()]
      .filter((e) => e.state === 'pending' && e.from.toLowerCase() === account)
      .map((e) => structuredClone(e));
  }
}
