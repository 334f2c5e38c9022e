/**
 * Where cache entries are invalidated, for every kind of cache. An invalidation is a plan
 * (`InvalidationPlan`): generation keys to give fresh tokens, value keys to delete, and what every
 * L1 must drop. After every write (and on `invalidate*`), before the write returns, the plan is
 * delivered in one store call (one MULTI) and every L1 is told. A delayed second delete follows as
 * a backstop. The repository decorator (entity-invalidation.ts) and the key cache (key-layout.ts)
 * only differ in the plans they make.
 *
 * When the store cannot be reached, the plan is recorded as pending instead: while anything is
 * pending, this instance bypasses the cache (it cannot serve what it failed to invalidate), and
 * the pending plans are flushed, merged into one, as soon as the store answers, on the next read
 * or write, or by a timer every `flushRetryMs` (other instances may read from the store as soon as
 * it is back). Past `maxPendingInvalidations` deleted keys the pending plans collapse into the
 * plan that invalidates everything.
 */
import type { SharedContext } from './context.js';
import { freshToken } from './envelope.js';
import type { CacheError } from './errors.js';
import { encodeInvalidation, type InvalidationMessage } from './invalidation-message.js';
import type { LocalTier } from './local-tier.js';

/** One generation key an invalidation replaces, and how long the new token lives (ms). */
export interface GenerationBump {
  readonly key: string;
  readonly ttlMs: number;
}

/** What one invalidation does. */
export interface InvalidationPlan {
  /** Generation keys given fresh tokens: every entry filled under the old ones is a miss. */
  readonly tokens: readonly GenerationBump[];
  /** Value keys deleted from the store and dropped from every L1. */
  readonly deletes: readonly string[];
  /** Every L1 also drops its query results. */
  readonly queries?: boolean;
  /** Every L1 drops everything. */
  readonly all?: boolean;
  /**
   * The plan invalidates everything the cache holds (an epoch bump): pending invalidations
   * collapse into it.
   */
  readonly everything?: boolean;
}

export class Invalidator {
  readonly #ctx: SharedContext;
  readonly #local: LocalTier;
  readonly #everything: () => InvalidationPlan;
  readonly #pendingTokens = new Map<string, number>();
  readonly #pendingDeletes = new Set<string>();
  #pendingQueries = false;
  #pendingAll = false;
  #flushing: Promise<boolean> | null = null;
  #flushTimer: ReturnType<typeof setInterval> | null = null;
  readonly #secondDeletes = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  /** `everything`: the plan pending invalidations collapse into past `maxPendingInvalidations`. */
  constructor(ctx: SharedContext, local: LocalTier, everything: () => InvalidationPlan) {
    this.#ctx = ctx;
    this.#local = local;
    this.#everything = everything;
  }

  /** Value keys whose invalidation waits for the store, plus one for anything shared. */
  get pendingCount(): number {
    let shared = this.#pendingQueries || this.#pendingAll;
    for (const key of this.#pendingTokens.keys()) {
      if (shared) break;
      shared = !this.#ctx.keys.isItemGeneration(key);
    }
    return this.#pendingDeletes.size + (shared ? 1 : 0);
  }

  hasPending(): boolean {
    return (
      this.#pendingTokens.size > 0 ||
      this.#pendingDeletes.size > 0 ||
      this.#pendingQueries ||
      this.#pendingAll
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
   * Delivers `plan` (fresh tokens, deletes, L1 message), or, when the store cannot be reached,
   * records it as pending. Never throws.
   */
  async invalidate(plan: InvalidationPlan): Promise<void> {
    this.#local.drop(plan.deletes, plan.all === true || plan.everything === true);
    if (this.hasPending()) {
      // Earlier invalidations are still owed: queue behind them and try to deliver everything
      // now (bounded by the store timeout), so the write returns with its invalidation delivered
      // whenever the store is back.
      this.#addPending(plan);
      await this.flushPending();
      return;
    }
    try {
      await this.#deliver(plan);
    } catch (err) {
      this.#ctx.report(err as CacheError);
      this.#addPending(plan);
      return;
    }
    this.#scheduleSecondDelete(plan.deletes);
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

  async #deliver(plan: InvalidationPlan): Promise<void> {
    const { keys: layout, store } = this.#ctx;
    const tokens = plan.tokens.map(({ key, ttlMs }) => ({ key, value: freshToken(), ttlMs }));
    await store.call('invalidate', (s) => s.write(tokens, plan.deletes));
    if (this.#local.entities) {
      const msg: InvalidationMessage = {};
      if (plan.all) msg.a = 1;
      else {
        if (plan.deletes.length > 0) msg.k = [...plan.deletes];
        if (plan.queries) msg.q = 1;
      }
      await store.call('publish', (s) => s.publish(layout.channel, encodeInvalidation(msg)));
      this.#ctx.metrics.published++;
    }
  }

  #addPending(plan: InvalidationPlan): void {
    for (const { key, ttlMs } of plan.tokens) this.#pendingTokens.set(key, ttlMs);
    for (const key of plan.deletes) this.#pendingDeletes.add(key);
    if (plan.queries) this.#pendingQueries = true;
    if (plan.all) this.#pendingAll = true;
    if (plan.everything || this.#pendingDeletes.size > this.#ctx.settings.maxPendingInvalidations) {
      const everything = this.#everything();
      this.#pendingTokens.clear();
      this.#pendingDeletes.clear();
      for (const { key, ttlMs } of everything.tokens) this.#pendingTokens.set(key, ttlMs);
      this.#pendingAll = true;
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
    const tokens = [...this.#pendingTokens];
    const deletes = [...this.#pendingDeletes];
    const queries = this.#pendingQueries;
    const all = this.#pendingAll;
    try {
      await this.#deliver({
        tokens: tokens.map(([key, ttlMs]) => ({ key, ttlMs })),
        deletes,
        queries,
        all,
      });
    } catch (err) {
      this.#ctx.report(err as CacheError);
      return false;
    }
    // Only what was delivered is cleared; anything recorded meanwhile stays pending.
    for (const [key] of tokens) this.#pendingTokens.delete(key);
    for (const key of deletes) this.#pendingDeletes.delete(key);
    if (queries) this.#pendingQueries = false;
    if (all) this.#pendingAll = false;
    this.#local.bump();
    if (this.hasPending()) return this.#flush();
    return true;
  }

  /** Deletes the values again after `secondDeleteMs`: a backstop behind the guarded fills. */
  #scheduleSecondDelete(keys: readonly string[]): void {
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
