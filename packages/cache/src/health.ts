/**
 * A health check for a cached repository, as a function for symmetry with `@mystira/health`'s
 * ready-made checks. The cache is never critical: a dead Redis makes the service slower, not
 * wrong, so the check reports `degraded`, never `unhealthy`.
 */
import type { HealthCheck } from '@mystira/health';
import type { CachedRepository } from './cached.js';

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
