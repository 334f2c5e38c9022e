/**
 * The invalidation plans of a cached repository (see invalidation.ts): what a write of some ids,
 * `invalidateTags` and `invalidateAll` replace and delete.
 */
import type { Id } from '@mystira/repository';
import type { CacheContext } from './context.js';
import { GENERATION_TTL_MS } from './generation-tokens.js';
import type { GenerationBump, InvalidationPlan } from './invalidation.js';

/** What an entity invalidation covers besides its ids. */
export interface InvalidationScope {
  /** Every cached query of the entity (the query generation). */
  queries?: boolean;
  /** Every cached query carrying one of these tags. */
  tags?: readonly string[];
  /** Everything cached for the entity (the epoch). */
  all?: boolean;
}

/** The plan that invalidates `ids` and `scope`. */
export function entityInvalidation(
  ctx: CacheContext,
  ids: readonly Id[],
  scope: InvalidationScope,
): InvalidationPlan {
  const { keys: layout, settings } = ctx;
  const tokens: GenerationBump[] = ids.map((id) => ({
    key: layout.itemGeneration(id),
    ttlMs: settings.itemGenerationTtlMs,
  }));
  const shared = (key: string) => ({ key, ttlMs: GENERATION_TTL_MS });
  // A write of an item changes what the entity's queries return.
  const queries = scope.queries === true || ids.length > 0;
  if (queries) tokens.push(shared(layout.queryGeneration()));
  for (const t of scope.tags ?? []) tokens.push(shared(layout.tag(t)));
  if (scope.all) tokens.push(shared(layout.epoch()));
  return {
    tokens,
    deletes: ids.map((id) => layout.value(id)),
    queries: queries || (scope.tags?.length ?? 0) > 0,
    all: scope.all === true,
    everything: scope.all === true,
  };
}

/** Everything cached for the entity: one epoch bump (old keys expire by TTL). */
export const entityEverything = (ctx: CacheContext): InvalidationPlan =>
  entityInvalidation(ctx, [], { all: true });
