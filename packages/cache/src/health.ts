/**
 * A health check for a cached repository, as a function for symmetry with `@mystira/health`'s
 * ready-made checks. The cache is never critical: a dead Redis makes the service slower, not
 * wrong, so the check reports `degraded`, never `unhealthy`.
 */
import type { HealthCheck } from '@mystira/health';
import type { CachedRepository } from './cached.js';
import type { SharedContext } from './context.js';
import type { Invalidator } from './invalidation.js';

/** Options of a cache's health check. */
export interface CacheHealthOptions {
  /** The check's name in health reports. Default `cache:<entity or key cache name>`. */
  name?: string;
  /** How long the check may take before it counts as failed. Default: the registry's. */
  timeoutMs?: number;
  /** The check's tags. Default `['ready']`. */
  tags?: readonly string[];
}

/**
 * The check both caches return from `healthCheck()`: pings the store and flushes pending
 * invalidations; `degraded` when either fails. Not critical; tagged `ready` by default.
 */
export function storeHealthCheck(
  ctx: SharedContext,
  invalidator: Invalidator,
  defaultName: string,
  options: CacheHealthOptions,
): HealthCheck {
  return {
    name: options.name ?? defaultName,
    critical: false,
    tags: options.tags ?? ['ready'],
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    check: async () => {
      const total = ctx.metrics.hits + ctx.metrics.misses;
      const detail = {
        breaker: ctx.store.breakerState,
        pendingInvalidations: invalidator.pendingCount,
        hitRatio: total === 0 ? 0 : ctx.metrics.hits / total,
      };
      try {
        await ctx.store.call('ping', (s) => s.ping());
      } catch (err) {
        return {
          status: 'degraded' as const,
          detail: { ...detail, error: (err as Error).message },
        };
      }
      if (invalidator.hasPending() && !(await invalidator.flushPending())) {
        return {
          status: 'degraded' as const,
          detail: { ...detail, error: 'invalidations pending' },
        };
      }
      return { status: 'healthy' as const, detail };
    },
  };
}

/**
 * The health check of a cached repository (`repository.healthCheck(options)`): pings the store and
 * flushes pending invalidations; `degraded` when either fails. Not critical; tagged `ready` and
 * named `cache:<entity>` unless `options` say otherwise.
 */
export function cacheHealthCheck(
  repository: CachedRepository<object>,
  options?: { name?: string; timeoutMs?: number; tags?: readonly string[] },
): HealthCheck {
  return repository.healthCheck(options);
}
