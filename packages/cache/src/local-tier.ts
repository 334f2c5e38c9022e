/**
 * The local tier (L1, `CacheOptions.l1`): an in-process LRU of entities and one of query results
 * in front of the store, kept coherent across processes by the invalidation messages every write
 * publishes on the entity's channel (invalidation-message.ts). Whatever may mean a missed message
 * (the subscription coming up or going down, a message this cache does not send) clears it: that
 * costs misses, never a stale read.
 */
import { LRUCache } from 'lru-cache';
import type { SharedContext } from './context.js';
import type { EnvelopeKind } from './envelope.js';
import { CacheDecodeError, CacheStoreError } from './errors.js';
import { parseInvalidation } from './invalidation-message.js';

/** One L1 entry: a value, or a cached "not found" (kind `n`). */
export interface LocalEntry {
  value: unknown;
  kind: EnvelopeKind;
  /** The entry's logical expiry on the cache's clock, when it has one shorter than L1's own TTL. */
  expiresAt?: number;
}

/** One of the two L1 maps, by store key. */
export type LocalEntries = LRUCache<string, LocalEntry>;

export class LocalTier {
  readonly #ctx: SharedContext;
  /** Entities and cached "not found" by value key; null when L1 is off. */
  readonly entities: LocalEntries | null;
  /** Query results by query key; null when L1 is off. */
  readonly queries: LocalEntries | null;
  #live = false;
  #closed = false;
  #subscription: Promise<() => Promise<void>> | null = null;
  #readyWaiters: (() => void)[] = [];
  #generation = 0;

  constructor(ctx: SharedContext) {
    this.#ctx = ctx;
    const l1 = ctx.settings.l1;
    if (!l1) {
      this.entities = null;
      this.queries = null;
      return;
    }
    this.entities = new LRUCache({ max: l1.max, ttl: l1.ttlMs, ttlAutopurge: false });
    this.queries = new LRUCache({ max: l1.max, ttl: l1.ttlMs, ttlAutopurge: false });
    const channel = ctx.keys.channel;
    this.#subscription = ctx.store.store
      .subscribe(
        channel,
        (m) => this.#onMessage(m),
        (live) => this.#onSubscription(live),
      )
      .catch((err) => {
        ctx.report(
          new CacheStoreError('subscribe', `cannot subscribe to ${channel}`, { cause: err }),
        );
        return async () => {};
      });
  }

  /**
   * Bumped by every local write, every invalidation message and every delivered flush. A read
   * notes it when it begins: an L1 fill is dropped, and a load in flight is not joined, once it
   * has moved (a value read before an invalidation must not outlive it).
   */
  get generation(): number {
    return this.#generation;
  }

  /** Something was invalidated: fills and flights begun before now are no longer trusted. */
  bump(): void {
    this.#generation++;
  }

  /** Whether L1 may be read and filled: it is on, its subscription is live, and not closed. */
  usable(): boolean {
    return this.#live && this.entities !== null && !this.#closed;
  }

  /**
   * Puts a copy of `value` in `tier`, only if nothing was invalidated since the read began at
   * `generation`: a value read before an invalidation message must not land in L1 after it.
   */
  fill(
    tier: LocalEntries | null,
    key: string,
    kind: EnvelopeKind,
    value: unknown,
    generation: number,
    expiresAt?: number,
  ): void {
    if (tier && this.usable() && this.#generation === generation)
      tier.set(
        key,
        expiresAt === undefined
          ? { kind, value: structuredClone(value) }
          : { kind, value: structuredClone(value), expiresAt },
      );
  }

  /** A local write: drops these value keys (or every entity) and every query result. */
  drop(keys: readonly string[], all: boolean): void {
    this.#generation++;
    if (all) this.entities?.clear();
    else for (const k of keys) this.entities?.delete(k);
    this.queries?.clear();
  }

  /** Resolves when invalidation messages are live (at once when L1 is off). */
  ready(): Promise<void> {
    if (!this.entities || this.#live) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Stops using L1 and ends the subscription. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#readyWaiters.splice(0)) w();
    if (this.#subscription) {
      const stop = await this.#subscription;
      await stop();
    }
  }

  #clear(): void {
    this.entities?.clear();
    this.queries?.clear();
  }

  #onSubscription(live: boolean): void {
    // Whether it just came up or just went down, messages may have been missed: start clean.
    this.#generation++;
    this.#clear();
    this.#live = live;
    if (live) for (const w of this.#readyWaiters.splice(0)) w();
  }

  #onMessage(raw: string): void {
    this.#generation++;
    const msg = parseInvalidation(raw);
    if (!msg) {
      // Not a message this cache sends (forged, or from a newer version): it may have been a real
      // invalidation, so drop everything; that costs misses, never a stale read.
      this.#clear();
      this.#ctx.report(
        new CacheDecodeError(this.#ctx.keys.channel, 'not an invalidation message of this cache', {
          reason: 'message',
        }),
      );
      return;
    }
    this.#ctx.metrics.received++;
    if (msg.a) {
      this.#clear();
      return;
    }
    for (const k of msg.k ?? []) this.entities?.delete(k);
    if (msg.q) this.queries?.clear();
  }
}
