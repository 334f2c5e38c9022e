/**
 * The ledger's transactions as the `Ledger` port reports them: the receipt tracker's states
 * mapped to `TxState`, the last state of each cached, and listeners per hash.
 */

import { TransactionStatus } from '@mystira/chain-protos';
import { TransactionListeners, type TxState } from '@mystira/chain-server';
import type { Hex } from 'viem';
import type { ReceiptTracker, TrackedState } from '../transactions/index.js';

/**
 * Maps a tracked state to the port's: pending and dropped are PENDING (dropped says so in
 * `errorMessage`), confirmed and final are CONFIRMED (final is terminal), failed is FAILED.
 */
export function toTxState(state: TrackedState): TxState {
  const base = {
    hash: state.hash.toLowerCase(),
    confirmations: state.confirmations,
    timestamp: state.timestamp,
    terminal: state.terminal,
    ...(state.blockHash !== undefined && { blockHash: state.blockHash.toLowerCase() }),
    ...(state.blockNumber !== undefined && { blockNumber: state.blockNumber }),
  };
  switch (state.status) {
    case 'pending':
      return { ...base, status: TransactionStatus.PENDING };
    case 'dropped':
      return {
        ...base,
        status: TransactionStatus.PENDING,
        errorMessage: 'the node does not know the transaction (dropped); it may be re-broadcast',
      };
    case 'confirmed':
    case 'final':
      return { ...base, status: TransactionStatus.CONFIRMED };
    case 'failed':
      return {
        ...base,
        status: TransactionStatus.FAILED,
        errorMessage: `execution reverted: ${state.reason ?? 'unknown reason'}`,
      };
  }
}

/**
 * The transactions one ledger sent, followed by a {@link ReceiptTracker}. Only hashes the
 * ledger submitted are known; any other hash is `undefined` and never polled.
 */
export class TransactionStates {
  private readonly states = new Map<string, TxState>();
  private readonly listeners = new TransactionListeners();
  private readonly internal = new Map<string, Set<(state: TxState) => void>>();

  constructor(
    private readonly tracker: ReceiptTracker,
    private readonly now: () => Date,
  ) {}

  /**
   * Starts following `hash` (a transaction the ledger sent; a no-op when it already does).
   * `onChange` is called after every later change of its state (read it with {@link get}).
   */
  follow(hash: Hex, onChange?: (state: TxState) => void): void {
    const key = hash.toLowerCase();
    if (!this.states.has(key)) {
      this.states.set(key, {
        hash: key,
        status: TransactionStatus.PENDING,
        confirmations: 0n,
        timestamp: this.now(),
        terminal: false,
      });
      this.tracker.watch(hash, (tracked) => {
        const state = toTxState(tracked);
        this.states.set(key, state);
        for (const change of this.internal.get(key) ?? []) change(state);
        this.listeners.emit(state);
      });
    }
    if (onChange) {
      let set = this.internal.get(key);
      if (!set) {
        set = new Set();
        this.internal.set(key, set);
      }
      set.add(onChange);
    }
  }

  /** Whether `hash` is one of the ledger's transactions. */
  knows(hash: string): boolean {
    return this.states.has(hash.toLowerCase());
  }

  /** The last known state of one of the ledger's transactions. */
  get(hash: string): TxState | undefined {
    return this.states.get(hash.toLowerCase());
  }

  /** Adds a listener of later states of `hash`; returns its remover (idempotent). */
  listen(hash: string, listener: (state: TxState) => void): () => void {
    return this.listeners.add(hash, listener);
  }

  /** Listeners attached now, over all hashes. */
  listenerCount(): number {
    return this.listeners.count();
  }
}
