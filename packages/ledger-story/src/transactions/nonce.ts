/**
 * Nonces for one signing account: a lease makes one holder at a time (across processes, when
 * the lease is shared) the allocator; the manager hands nonces out in order to the queued
 * submissions while it holds the lease.
 *
 * Why sends happen under the lease, one after the other: a nonce is only "used" once the node
 * has accepted the transaction. Sending N+1 before N is accepted is what leaves gaps (N
 * rejected → N+1 stuck forever) and collisions (two holders both sending N). Sending in order
 * under the lease means a rejected N is simply given to the next queued submission, so no gap
 * ever forms, and the cost is one round trip per transaction while the lease is held (a batch
 * of queued submissions shares one lease acquisition).
 */
import type { Address } from 'viem';

/** The lease of one signer's nonce, as held by one allocator. */
export interface NonceLeaseHandle {
  /** The fencing token: raised by every acquisition; a release with an old epoch fails. */
  readonly epoch: bigint;
  /** The next unused nonce the previous holder recorded; `undefined` the first time. */
  readonly storedNextNonce: bigint | undefined;
  /**
   * Records `nextNonce` (when given) and gives the lease up. Throws
   * {@link NonceLeaseLostError} when the lease was lost meanwhile; the nonces sent under it
   * are on the chain (or in its mempool) anyway, and the next holder reads them from there.
   */
  release(nextNonce: bigint | undefined): Promise<void>;
}

/**
 * Mutual exclusion over one signer's nonce, with the next nonce persisted. In memory for one
 * process ({@link InMemoryNonceLease}), PostgreSQL for several ({@link PostgresNonceLease}).
 */
export interface NonceLease {
  /** Waits until this caller holds the signer's lease. */
  acquire(signer: Address, signal?: AbortSignal): Promise<NonceLeaseHandle>;
}

/** A {@link NonceLease} for one process: a queue per signer. */
export class InMemoryNonceLease implements NonceLease {
  private readonly signers = new Map<
    string,
    { tail: Promise<void>; next: bigint | undefined; epoch: bigint }
  >();

  /** {@inheritDoc NonceLease.acquire} */
  async acquire(signer: Address, signal?: AbortSignal): Promise<NonceLeaseHandle> {
    const key = signer.toLowerCase();
    let state = this.signers.get(key);
    if (state === undefined) {
      state = { tail: Promise.resolve(), next: undefined, epoch: 0n };
      this.signers.set(key, state);
    }
    const s = state;
    let unlock!: () => void;
    const previous = s.tail;
    s.tail = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    await previous;
    if (signal?.aborted) {
      unlock();
      throw signal.reason;
    }
    s.epoch += 1n;
    const epoch = s.epoch;
    let released = false;
    return {
      epoch,
      storedNextNonce: s.next,
      async release(nextNonce) {
        if (released) return;
        released = true;
        if (nextNonce !== undefined) s.next = nextNonce;
        unlock();
      },
    };
  }
}

/** A use of a nonce the node took: the nonce is spent. */
export interface NonceConsumed<T> {
  /** Always true. */
  consumed: true;
  /** What the use produced (the submission). */
  value: T;
}

/** A use of a nonce the node did not take: the nonce goes to the next submission. */
export interface NonceNotConsumed {
  /** Always false. */
  consumed: false;
  /** Why; the submission fails with it. */
  error: unknown;
  /**
   * True when the node said the nonce is used already (someone sent outside our lease): the
   * manager re-reads the chain's pending count and gives the submission another try.
   */
  resync?: boolean;
}

/** What one use of a nonce came to. */
export type NonceUse<T> = NonceConsumed<T> | NonceNotConsumed;

/** Options of {@link NonceManager}. */
export interface NonceManagerOptions {
  /** The signing account. */
  address: Address;
  /** The lease shared by every allocator of this account. */
  lease: NonceLease;
  /** The chain's pending transaction count of the account (`eth_getTransactionCount`, pending). */
  chainNonce: () => Promise<bigint>;
  /** Most submissions sent per lease hold, so other processes get their turn. Default 32. */
  maxBatch?: number;
}

interface Job {
  use: (nonce: bigint) => Promise<NonceUse<unknown>>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  tries: number;
}

/** Hands nonces out in order to concurrent submissions of one account. */
export class NonceManager {
  /** The account whose nonces this manager allocates. */
  readonly address: Address;
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(private readonly options: NonceManagerOptions) {
    this.address = options.address;
  }

  /**
   * Queues `use`; when its turn comes (in call order, under the lease) it gets the next nonce
   * and sends with it. Resolves with the value of a consumed use, rejects with the error of an
   * unconsumed one. `signal` can withdraw the submission while it is still queued.
   */
  withNonce<T>(use: (nonce: bigint) => Promise<NonceUse<T>>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        use,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        tries: 0,
      });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.batch();
    } finally {
      this.draining = false;
    }
  }

  private async batch(): Promise<void> {
    let handle: NonceLeaseHandle;
    try {
      handle = await this.options.lease.acquire(this.options.address);
    } catch (error) {
      for (const job of this.queue.splice(0)) job.reject(error);
      return;
    }
    let next: bigint | undefined;
    try {
      // The chain's pending count wins when it is ahead (a transaction sent outside the lease,
      // a journal re-broadcast); the stored value wins when a load-balanced node lags.
      const chain = await this.options.chainNonce();
      const stored = handle.storedNextNonce ?? 0n;
      next = chain > stored ? chain : stored;
      const limit = this.options.maxBatch ?? 32;
      for (let sent = 0; sent < limit && this.queue.length > 0; sent++) {
        const job = this.queue.shift()!;
        if (job.signal?.aborted) {
          job.reject(job.signal.reason);
          continue;
        }
        let outcome: NonceUse<unknown>;
        try {
          outcome = await job.use(next);
        } catch (error) {
          // A throw means the transaction never reached the node (estimation, signing).
          outcome = { consumed: false, error };
        }
        if (outcome.consumed) {
          next += 1n;
          job.resolve(outcome.value);
        } else if (outcome.resync && job.tries < 3) {
          job.tries += 1;
          this.queue.unshift(job);
          const fresh = await this.options.chainNonce();
          if (fresh > next) next = fresh;
        } else {
          job.reject(outcome.error);
        }
      }
    } catch (error) {
      // Reading the chain failed: the submissions still queued fail (what was sent is sent).
      for (const job of this.queue.splice(0)) job.reject(error);
    } finally {
      await handle.release(next).catch(() => {
        // A lost lease is survivable: what was sent is on the node, and the next holder
        // reads the pending count from there.
      });
    }
  }
}
