/**
 * Listeners of transaction states by hash: what a `Ledger`'s `onTransaction` keeps. Shared by the
 * devnet and other adapters so that each removes, counts and isolates listeners the same way.
 */
import type { TxState } from './ledger.js';

/** Listeners of later states per transaction hash (any case). */
export class TransactionListeners {
  private readonly byHash = new Map<string, Set<(state: TxState) => void>>();

  /** Adds a listener of `hash`'s states; returns its remover (removing twice is harmless). */
  add(hash: string, listener: (state: TxState) => void): () => void {
    const key = hash.toLowerCase();
    let set = this.byHash.get(key);
    if (!set) {
      set = new Set();
      this.byHash.set(key, set);
    }
    set.add(listener);
    return () => {
      const current = this.byHash.get(key);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.byHash.delete(key);
    };
  }

  /**
   * Tells `state` to the listeners of its hash. A listener that throws does not keep the others
   * from hearing; one removed by an earlier listener in the same round hears nothing more.
   */
  emit(state: TxState): void {
    const set = this.byHash.get(state.hash.toLowerCase());
    if (!set) return;
    for (const listener of [...set]) {
      if (!set.has(listener)) continue;
      try {
        listener(state);
      } catch {
        // One broken listener must not stop the others (or block production).
      }
    }
  }

  /** Listeners attached now, over all hashes (tests check that cancelled streams release theirs). */
  count(): number {
    let n = 0;
    for (const set of this.byHash.values()) n += set.size;
    return n;
  }
}
