/**
 * Where cache entries are invalidated. After every write (and on `invalidate*`), before the write
 * returns: the entity's generation tokens (and the query generation, tags or epoch) are replaced
 * and its value keys deleted in one store call, and every L1 is told. A delayed second delete
 * follows as a backstop.
 *
 * When the store cannot be reached, the invalidation is recorded as pending instead: while
 * anything is pending, this instance bypasses the cache (it cannot serve what it failed to
 * invalidate), and the pending list is flushed as soon as the store answers, on the next read or
 * write, or by a timer every `flushRetryMs` (other instances may read from the store as soon as it
 * is back). Past `maxPendingInvalidations` ids the list collapses into one epoch bump.
 */
import type { Id } from '@mystira/repository';
import type { CacheContext } from './context.js';
import { freshToken } from './envelope.js';
import type { CacheError } from './errors.js';
import { GENERATION_TTL_MS } from './generation-tokens.js';
import { encodeInvalidation, type InvalidationMessage } from './invalidation-message.js';
import { idFromKey, idKey } from './keys.js';
import type { LocalTier } from './local-tier.js';

/** What an invalidation covers besides its ids. */
export interface InvalidationScope {
  /** Every cached query of the entity (the query generation). */
  queries?: boolean;
  /** Every cached query carrying one of these tags. */
  tags?: readonly string[];
  /** Everything cached for the entity (the epoch). */
  all?: boolean;
}

export class Invalidator {
  readonly #ctx: CacheContext;
  readonly #local: LocalTier;
  readonly #pendingIds = new Set<string>();
  #pendingQueries = false;
  #pendingEpoch = false;
  readonly #pendingTags = new Set<string>();
  #flushing: Promise<boolean> | null = null;
  #flushTimer: ReturnType<typeof setInterval> | null = null;
  readonly #secondDeletes = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(ctx: CacheContext, local: LocalTier) {
    this.#ctx = ctx;
    this.#local = local;
  }

  /** Ids whose invalidation waits for the store, plus one for anything entity-wide. */
  get pendingCount(): number {
    return (
      this.#pendingIds.size +
      (this.#pendingQueries || this.#pendingEpoch || this.#pendingTags.size > 0 ? 1 : 0)
    );
  }

  hasPending(): boolean {
    return (
      this.#pendingIds.size > 0 ||
      this.#pendingQueries ||
      this.#pendingEpoch ||
      this.#pendingTags.size > 0
    );
  }

  /** True when a read must skip the cache: invalidations this instance owes are not delivered. */
  bypass(): boolean {
    if (this.#closed) return true;
    if (!this.hasPending()) return false;
    void this.flushPending();
    return true;
  }

  /**
   * Replaces the generation tokens of `ids` (and the query generation, tags or epoch), deletes
   * their values and tells every L1 — or, when the store cannot be reached, records all of it as
   * pending. Never throws.
   */
  async invalidate(ids: readonly Id[], what: InvalidationScope): Promise<void> {
    const keys = ids.map((id) => this.#ctx.keys.value(id));
    this.#local.drop(keys, what.all === true);
    if (this.hasPending()) {
      // Earlier invalidations are still owed: queue behind them and try to deliver everything
      // now (bounded by the store timeout), so the write returns with its invalidation delivered
      // whenever the store is back.
      this.#addPending(ids, what);
      await this.flushPending();
      return;
    }
    try {
      await this.#deliver(ids, what);
    } catch (err) {
      this.#ctx.report(err as CacheError);
      this.#addPending(ids, what);
      return;
    }
    this.#scheduleSecondDelete(keys);
  }

  /** Tries to deliver what is pending now; resolves whether nothing is pending any more. */
  flushPending(): Promise<boolean> {
    if (!this.hasPending()) return Promise.resolve(true);
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** Stops the flush timer and the second deletes not yet run. */
  close(): void {
    this.#closed = true;
    this.#stopFlushTimer();
    for (const t of this.#secondDeletes) clearTimeout(t);
    this.#secondDeletes.clear();
  }

  async #deliver(ids: readonly Id[], what: InvalidationScope): Promise<void> {
    const { keys: layout, settings, store } = this.#ctx;
    const tokens = ids.map((id) => ({
      key: layout.itemGeneration(id),
      value: freshToken(),
      ttlMs: settings.itemGenerationTtlMs,
    }));
    const shared = (key: string) => ({ key, value: freshToken(), ttlMs: GENERATION_TTL_MS });
    if (what.queries) tokens.push(shared(layout.queryGeneration()));
    for (const t of what.tags ?? []) tokens.push(shared(layout.tag(t)));
    if (what.all) tokens.push(shared(layout.epoch()));
    const keys = ids.map((id) => layout.value(id));
    await store.call('invalidate', (s) => s.write(tokens, keys));
    if (this.#local.entities) {
      const msg: InvalidationMessage = {};
      if (what.all) msg.a = 1;
      else {
        if (keys.length > 0) msg.k = keys;
        if (what.queries || (what.tags?.length ?? 0) > 0) msg.q = 1;
      }
      await store.call('publish', (s) => s.publish(layout.channel, encodeInvalidation(msg)));
      this.#ctx.metrics.published++;
    }
  }

  #addPending(ids: readonly Id[], what: InvalidationScope): void {
    for (const id of ids) this.#pendingIds.add(idKey(id));
    if (what.queries || ids.length > 0) this.#pendingQueries = true;
    for (const t of what.tags ?? []) this.#pendingTags.add(t);
    if (what.all || this.#pendingIds.size > this.#ctx.settings.maxPendingInvalidations) {
      this.#pendingEpoch = true;
      this.#pendingIds.clear();
    }
    this.#startFlushTimer();
  }

  /**
   * While invalidations are owed, retry delivering them every `flushRetryMs` even if this
   * instance serves no traffic: other instances may read from the store as soon as it is back.
   */
  #startFlushTimer(): void {
    const every = this.#ctx.settings.flushRetryMs;
    if (this.#flushTimer || this.#closed || every === 0) return;
    this.#flushTimer = setInterval(() => {
      if (!this.hasPending() || this.#closed) {
        this.#stopFlushTimer();
        return;
      }
      void this.flushPending().then((done) => done && this.#stopFlushTimer());
    }, every);
    this.#flushTimer.unref?.();
  }

  #stopFlushTimer(): void {
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#flushTimer = null;
  }

  async #flush(): Promise<boolean> {
    if (!this.#ctx.store.store.isReady()) return false;
    const ids = [...this.#pendingIds].map(idFromKey);
    const tags = [...this.#pendingTags];
    const all = this.#pendingEpoch;
    const queries = this.#pendingQueries;
    try {
      await this.#deliver(ids, { queries, tags, all });
    } catch (err) {
      this.#ctx.report(err as CacheError);
      return false;
    }
    // Only what was delivered is cleared; anything recorded meanwhile stays pending.
    for (const id of ids) this.#pendingIds.delete(idKey(id));
    for (const t of tags) this.#pendingTags.delete(t);
    if (all) this.#pendingEpoch = false;
    if (queries) this.#pendingQueries = false;
    this.#local.bump();
    if (this.hasPending()) return this.#flush();
    return true;
  }

  /** Deletes the values again after `secondDeleteMs`: a backstop behind the guarded fills. */
  #scheduleSecondDelete(keys: string[]): void {
    const delay = this.#ctx.settings.secondDeleteMs;
    if (delay === 0 || keys.length === 0 || this.#closed) return;
    const timer = setTimeout(() => {
      this.#secondDeletes.delete(timer);
      this.#ctx.store
        .call('invalidate', (s) => s.write([], keys))
        .catch((err) => this.#ctx.report(err));
    }, delay);
    timer.unref?.();
    this.#secondDeletes.add(timer);
  }
}
