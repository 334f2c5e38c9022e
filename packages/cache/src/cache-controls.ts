/**
 * What both caches, a cached repository (`cached()`) and a key cache (`keyCache()`), offer
 * besides their reads and writes: counters, invalidations waiting for the store, a health check
 * and their lifecycle. Both run on the same machinery (context.ts), so these mean the same in both.
 */
import type { HealthCheck } from '@mystira/health';
import type { SharedContext } from './context.js';
import { type CacheHealthOptions, storeHealthCheck } from './health.js';
import type { Invalidator } from './invalidation.js';
import type { LocalTier } from './local-tier.js';
import type { CacheMetricsSnapshot } from './metrics.js';

/** What a cached repository and a key cache offer besides reads and writes (see the file's head). */
export interface CacheControls {
  /** Counters, hit ratio and read latency. */
  metrics(): CacheMetricsSnapshot;
  /**
   * Invalidations that failed and wait for the store (one per key, plus one for anything
   * shared); while non-zero, this cache bypasses the store.
   */
  readonly pendingInvalidations: number;
  /** Tries to deliver pending invalidations now; resolves whether nothing is pending any more. */
  flushPending(): Promise<boolean>;
  /** A `@mystira/health` check: healthy, or degraded (never unhealthy) while the store is unusable. */
  healthCheck(options?: CacheHealthOptions): HealthCheck;
  /** Resolves when L1 invalidation is live (immediately when L1 is off). For tests and start-up. */
  ready(): Promise<void>;
  /** Stops timers and the invalidation subscription. Does not close the store's client. */
  close(): Promise<void>;
}

/** What the controls work on: the cache's shared context, its L1 and its invalidations. */
export interface ControlledParts {
  ctx: SharedContext;
  local: LocalTier;
  invalidator: Invalidator;
  /** The health check's name unless the caller names it. */
  healthName: string;
}

/** The controls, as both caches implement them (each extends this with its reads and writes). */
export class ControlledCache implements CacheControls {
  readonly #parts: ControlledParts;

  constructor(parts: ControlledParts) {
    this.#parts = parts;
  }

  get pendingInvalidations(): number {
    return this.#parts.invalidator.pendingCount;
  }

  flushPending(): Promise<boolean> {
    return this.#parts.invalidator.flushPending();
  }

  metrics(): CacheMetricsSnapshot {
    return this.#parts.ctx.metrics.snapshot(this.pendingInvalidations);
  }

  healthCheck(options: CacheHealthOptions = {}): HealthCheck {
    const { ctx, invalidator, healthName } = this.#parts;
    return storeHealthCheck(ctx, invalidator, healthName, options);
  }

  ready(): Promise<void> {
    return this.#parts.local.ready();
  }

  async close(): Promise<void> {
    this.#parts.invalidator.close();
    await this.#parts.local.close();
  }
}
