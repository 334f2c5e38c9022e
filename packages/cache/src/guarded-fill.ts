/**
 * The guarded fill every cache uses: write a value only if the generation keys it was read under
 * still hold the tokens read before its load (one Lua script, or one locked step in memory).
 * Shared generation keys that were absent are created by the fill itself, so readers find them;
 * absent per-item keys are not (they exist only once something was invalidated).
 */
import type { SharedContext } from './context.js';
import { type EnvelopeKind, freshToken } from './envelope.js';
import type { CacheError } from './errors.js';
import { GENERATION_TTL_MS } from './generation-tokens.js';
import type { FillEntry, Guard } from './store.js';
import type { StoredEntries } from './stored-entries.js';

/** Where a value goes and which generation keys guard it. */
export interface FillTarget {
  /** The value key. */
  readonly key: string;
  /** Generation keys the value must have been read under, in order. */
  readonly guards: readonly string[];
  /** Whether a missing generation key may be created by the fill (false for per-item keys). */
  readonly creatable: readonly boolean[];
  /**
   * The tokens string the entry records, from the tokens of `guards` in order (absent per-item
   * keys as ''). Default: joined by ','.
   */
  readonly record?: (tokens: readonly string[]) => string;
}

/**
 * Fills `value` under `target` if its generation keys still hold `tokens`. Resolves whether it
 * wrote; a refused or failed fill is counted (and a failure reported), never thrown.
 */
export async function guardedFill(
  ctx: SharedContext,
  entries: StoredEntries,
  target: FillTarget,
  tokens: readonly (string | null)[],
  kind: EnvelopeKind,
  value: unknown,
  ttlMs: number,
): Promise<boolean> {
  const { metrics, settings } = ctx;
  const guards: Guard[] = [];
  const recorded: string[] = [];
  target.guards.forEach((key, i) => {
    const current = tokens[i] ?? null;
    if (current === null && target.creatable[i]) {
      const create = freshToken();
      guards.push({ key, expected: null, create, createTtlMs: GENERATION_TTL_MS });
      recorded.push(create);
    } else {
      guards.push({ key, expected: current });
      recorded.push(current ?? '');
    }
  });
  // Absent per-item tokens are recorded as '' and read back as null: compare equal via joinTokens.
  const header = target.record ? target.record(recorded) : recorded.join(',');
  const bytes = entries.encode(target.key, kind, value, header, ttlMs);
  if (!bytes) return false;
  const entry: FillEntry = { key: target.key, value: bytes, ttlMs: ttlMs + settings.graceMs };
  try {
    const ok = await ctx.store.call('fill', (s) => s.fill(guards, [entry]));
    if (ok) metrics.fills++;
    else metrics.fillsRejected++;
    return ok;
  } catch (err) {
    ctx.report(err as CacheError);
    return false;
  }
}
