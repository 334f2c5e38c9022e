/**
 * Dropping a cached copy after a lost version race.
 *
 * `@mystira/cache` leaves the cache alone when a write fails with ConcurrencyError (the write
 * changed nothing). But the conflict itself proves that the version the writer read is stale,
 * and with several instances each holding its own memory cache (or a Redis entry that another
 * writer's invalidation has not reached), a retry that reads through the cache would get the
 * same stale version again and lose every time. So whoever retries, or answers "read it again",
 * drops the cached copy first: the next read loads what the store holds.
 */
import type { Id } from '@mystira/repository';

/** A repository that can drop cached copies of entities (the cache-aside decorator does). */
export interface ForgetsCachedCopies {
  invalidate(ids: readonly Id[]): Promise<void>;
}

export function forgetsCachedCopies(repository: unknown): repository is ForgetsCachedCopies {
  return (
    typeof repository === 'object' &&
    repository !== null &&
    typeof (repository as Partial<ForgetsCachedCopies>).invalidate === 'function'
  );
}

/** Drops the cached copy of `id` when `repository` caches; a no-op otherwise. Never throws. */
export async function forgetCachedCopy(repository: unknown, id: Id): Promise<void> {
  // The cache decorator's invalidate never throws (a failure is kept pending and makes that
  // instance bypass its cache), so a conflict is never turned into another error here.
  if (forgetsCachedCopies(repository)) await repository.invalidate([id]);
}
