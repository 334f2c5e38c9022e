/**
 * The receipt tracker: follows transactions by hash from pending to final, counting
 * confirmations from block heights, and notices when the block that held one leaves the
 * canonical chain (its height now has another hash, or none).
 *
 * It polls: one `eth_blockNumber` per interval, then per watched transaction one canonical
 * block hash (cached per poll) or one receipt. Polling works over every transport, notices
 * reorgs the same way whatever happened in between, and costs nothing on a node without
 * subscriptions; `eth_subscribe` would only shorten the latency by up to one interval.
 */
import type { Abi, Hex } from 'viem';
import type { ChainClient, ChainReceipt } from './client.js';
import { raceAbort, receiptOf, revertError, withDeadline } from './rpc.js';

/**
 * Where a tracked transaction stands:
 * - `pending`: known to the node, in no canonical block;
 * - `confirmed`: in a canonical block, fewer than the required confirmations deep;
 * - `final`: in a canonical block with the required confirmations (terminal);
 * - `failed`: in a canonical block, reverted (terminal once as deep as `final` would be);
 * - `dropped`: the node does not know it (never sent to it, evicted, or reorged out and not
 *   re-sent). Not terminal: a re-broadcast brings it back.
 *
 * For the Chain server's `TxState`: pending and dropped are PENDING (dropped with a message),
 * confirmed and final are CONFIRMED (final is `terminal`), failed is FAILED.
 */
export type TrackedStatus = 'pending' | 'confirmed' | 'final' | 'failed' | 'dropped';

/** One observed state of a transaction. */
export interface TrackedState {
  /** The transaction. */
  hash: Hex;
  /** Where it stands. */
  status: TrackedStatus;
  /** 0 unless in a canonical block; then head − block + 1. */
  confirmations: bigint;
  /** The block that includes it, while one does. */
  blockNumber?: bigint;
  /** That block's hash. */
  blockHash?: Hex;
  /** Why it failed (the revert reason found by replaying the call), when `failed`. */
  reason?: string;
  /** True when the state can no longer change. */
  terminal: boolean;
  /** When this state was observed. */
  timestamp: Date;
}

/** Options of {@link ReceiptTracker}. */
export interface TrackerOptions {
  /** The node. */
  client: ChainClient;
  /** Confirmations after which a transaction is final. Default 1 (Story's one-shot finality). */
  confirmations?: number;
  /** How often to poll the head. Default 1 000 ms. */
  pollIntervalMs?: number;
  /** Deadline of every RPC call. Default 10 000 ms. */
  rpcTimeoutMs?: number;
  /** Custom errors of the contracts called, to name them in revert reasons. */
  errorAbi?: Abi;
  /** Called when a poll fails (the next poll tries again). */
  onError?: (error: unknown) => void;
}

interface Watched {
  state: TrackedState | undefined;
  listeners: Set<(state: TrackedState) => void>;
  reason: string | undefined;
}

/** Follows transactions to finality; see the module comment. */
export class ReceiptTracker {
  private readonly watched = new Map<Hex, Watched>();
  private readonly required: bigint;
  private readonly timeout: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private closed = false;

  constructor(private readonly options: TrackerOptions) {
    this.required = BigInt(options.confirmations ?? 1);
    this.timeout = options.rpcTimeoutMs ?? 10_000;
  }

  /**
   * Calls `listener` with every state `hash` reaches from now on (the first poll's included),
   * including the way back to `pending`/`dropped` when its block is reorganised away. Returns
   * the function that removes the listener.
   */
  watch(hash: Hex, listener: (state: TrackedState) => void): () => void {
    const entry = this.entry(hash);
    entry.listeners.add(listener);
    return () => {
      entry.listeners.delete(listener);
    };
  }

  /** The last observed state of `hash`, if it is tracked and was polled. */
  state(hash: Hex): TrackedState | undefined {
    return this.watched.get(hash.toLowerCase() as Hex)?.state;
  }

  /** Resolves with the first state of `hash` that satisfies `until` (default: a terminal one). */
  wait(
    hash: Hex,
    options: { signal?: AbortSignal; until?: (state: TrackedState) => boolean } = {},
  ): Promise<TrackedState> {
    const until = options.until ?? ((s) => s.terminal);
    const current = this.state(hash);
    if (current !== undefined && until(current)) return Promise.resolve(current);
    let stop: (() => void) | undefined;
    const reached = new Promise<TrackedState>((resolve) => {
      stop = this.watch(hash, (s) => {
        if (until(s)) resolve(s);
      });
    });
    return raceAbort(reached, options.signal).finally(() => stop?.());
  }

  /** Stops polling. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private entry(hash: Hex): Watched {
    const key = hash.toLowerCase() as Hex;
    let entry = this.watched.get(key);
    if (entry === undefined) {
      entry = { state: undefined, listeners: new Set(), reason: undefined };
      this.watched.set(key, entry);
    }
    if (this.timer === undefined && !this.polling && !this.closed) this.schedule(0);
    return entry;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, ms);
  }

  private rpc<T>(method: string, call: () => Promise<T>): Promise<T> {
    return withDeadline(method, this.timeout, call);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const head = await this.rpc('eth_blockNumber', () =>
        this.client.getBlockNumber({ cacheTime: 0 }),
      );
      // One canonical hash per height per poll, shared by every transaction in that block.
      const canonical = new Map<bigint, Promise<Hex | undefined>>();
      const hashAt = (n: bigint) => {
        let hash = canonical.get(n);
        if (hash === undefined) {
          hash = this.rpc('eth_getBlockByNumber', () =>
            this.client.getBlock({ blockNumber: n }).then(
              (b) => b.hash ?? undefined,
              (error: Error) => {
                if (error.name === 'BlockNotFoundError') return undefined;
                throw error;
              },
            ),
          );
          canonical.set(n, hash);
        }
        return hash;
      };
      const open = [...this.watched.entries()].filter(([, w]) => !w.state?.terminal);
      await Promise.all(open.map(([hash, w]) => this.check(hash, w, head, hashAt)));
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.polling = false;
      const open = [...this.watched.values()].some((w) => !w.state?.terminal);
      if (open && !this.closed) this.schedule(this.options.pollIntervalMs ?? 1_000);
    }
  }

  private get client(): ChainClient {
    return this.options.client;
  }

  private async check(
    hash: Hex,
    watched: Watched,
    head: bigint,
    hashAt: (n: bigint) => Promise<Hex | undefined>,
  ): Promise<void> {
    const previous = watched.state;
    if (previous?.blockNumber !== undefined) {
      const canonical = await hashAt(previous.blockNumber);
      if (canonical === previous.blockHash) {
        this.update(hash, watched, this.included(previous, head, watched.reason));
        return;
      }
      // Its block left the canonical chain: look at the transaction afresh below.
    }
    const receipt = await this.receipt(hash);
    if (receipt !== undefined && (await hashAt(receipt.blockNumber)) === receipt.blockHash) {
      if (receipt.status === 'reverted' && watched.reason === undefined) {
        watched.reason = await this.replay(hash, receipt);
      }
      const at = { blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
      const status = receipt.status === 'reverted' ? 'failed' : 'confirmed';
      this.update(hash, watched, this.included({ ...at, status }, head, watched.reason));
      return;
    }
    const known = await this.rpc('eth_getTransactionByHash', () =>
      this.client.getTransaction({ hash }).then(
        () => true,
        (error: Error) => {
          if (error.name === 'TransactionNotFoundError') return false;
          throw error;
        },
      ),
    );
    this.update(hash, watched, {
      hash,
      status: known ? 'pending' : 'dropped',
      confirmations: 0n,
      terminal: false,
      timestamp: new Date(),
    });
  }

  private included(
    at: { blockNumber?: bigint; blockHash?: Hex; status: TrackedStatus },
    head: bigint,
    reason: string | undefined,
  ): Omit<TrackedState, 'hash'> {
    // The head was read before the receipt: a block mined in between holds the transaction
    // above that head. The transaction's own block is in the chain, so count from there.
    const tip = head > at.blockNumber! ? head : at.blockNumber!;
    const confirmations = tip - at.blockNumber! + 1n;
    const deep = confirmations >= this.required;
    const failed = at.status === 'failed';
    return {
      status: failed ? 'failed' : deep ? 'final' : 'confirmed',
      confirmations,
      blockNumber: at.blockNumber!,
      blockHash: at.blockHash!,
      ...(failed && { reason: reason ?? 'unknown reason' }),
      terminal: deep,
      timestamp: new Date(),
    };
  }

  private update(
    hash: Hex,
    watched: Watched,
    next: Omit<TrackedState, 'hash'> & { hash?: Hex },
  ): void {
    const state: TrackedState = { ...next, hash };
    const previous = watched.state;
    if (
      previous !== undefined &&
      previous.status === state.status &&
      previous.confirmations === state.confirmations &&
      previous.blockHash === state.blockHash
    ) {
      return;
    }
    watched.state = state;
    for (const listener of watched.listeners) {
      try {
        listener(state);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  private receipt(hash: Hex): Promise<ChainReceipt | undefined> {
    return receiptOf(this.client, hash, this.timeout);
  }

  /**
   * Replays a reverted transaction as a call on the state before its block, for the reason a
   * receipt does not carry. Transactions earlier in the same block are not replayed, so a
   * revert that depended on them may replay without reverting; then the reason stays unknown.
   */
  private async replay(hash: Hex, receipt: ChainReceipt): Promise<string> {
    try {
      const tx = await this.rpc('eth_getTransactionByHash', () =>
        this.client.getTransaction({ hash }),
      );
      await this.rpc('eth_call', () =>
        this.client.call({
          account: tx.from,
          ...(tx.to !== null && { to: tx.to }),
          data: tx.input,
          value: tx.value,
          gas: tx.gas,
          blockNumber: receipt.blockNumber - 1n,
        }),
      );
      return 'unknown reason (the call does not revert when replayed)';
    } catch (error) {
      return revertError(error, this.options.errorAbi).reason;
    }
  }
}
