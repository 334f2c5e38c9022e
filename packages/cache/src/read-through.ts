/**
 * Read-through of one key: L1, then the store (one MGET of the value and the generation keys it
 * is guarded by), then the repository. A miss is loaded once per process (single flight) and,
 * with `lock`, once across processes; the value is filled only if the generation tokens read
 * before the load are unchanged (one guarded store call), so a read that loaded the old row while
 * a write committed cannot put it back after the write invalidated. In grace mode an expired value
 * is served when the reload fails with a transient error.
 */
import { AbortedError, type CallOptions, RepositoryError } from '@mystira/repository';
import { isTransient } from '@mystira/resilience';
import { raceAbort } from './abort-race.js';
import type { CacheContext } from './context.js';
import type { CacheDecodeError, CacheError } from './errors.js';
import { createdGenerations, tokenOf } from './generation-tokens.js';
import { guardedFill } from './guarded-fill.js';
import type { Invalidator } from './invalidation.js';
import type { LocalEntries, LocalTier } from './local-tier.js';
import { type LockedRead, StampedeLock } from './stampede-lock.js';
import type { StoredEntries } from './stored-entries.js';

/** One read-through: the key, what guards it, and how to check and load its value. */
export interface ReadSpec extends LockedRead {
  /** Generation keys whose tokens the value must have been filled under, in order. */
  guards: string[];
  /** Whether a missing generation key may be created by the fill (false for per-item keys). */
  creatable: boolean[];
  ttlMs: number;
  /** Cache a not-found result (undefined) with the negative TTL; also: the value is an entity. */
  negative: boolean;
  /** Loads from the repository; `signal` only when the caller alone waits for it (bypass). */
  load: (signal?: AbortSignal) => Promise<unknown>;
}

export class ReadThrough {
  readonly #ctx: CacheContext;
  readonly #entries: StoredEntries;
  readonly #local: LocalTier;
  readonly #invalidator: Invalidator;
  readonly #lock: StampedeLock | null;
  readonly #flights = new Map<string, Promise<unknown>>();

  constructor(
    ctx: CacheContext,
    entries: StoredEntries,
    local: LocalTier,
    invalidator: Invalidator,
  ) {
    this.#ctx = ctx;
    this.#entries = entries;
    this.#local = local;
    this.#invalidator = invalidator;
    const lock = ctx.settings.lock;
    this.#lock = lock ? new StampedeLock(ctx, entries, lock) : null;
  }

  /**
   * The value of `spec` (undefined for "not found"), from the cache or loaded and filled. With
   * `refresh` (a writer reloading what it has just invalidated, see `refreshAfterWrite`) it is not
   * a caller's read: L1 is skipped, no hit, miss or latency is counted, nothing is loaded while the
   * cache is bypassed, and it resolves undefined (the loaded value is filled, not returned).
   */
  async read<R>(
    spec: ReadSpec,
    signal: AbortSignal | undefined,
    observe: CallOptions['observe'],
    refresh = false,
  ): Promise<R> {
    const started = performance.now();
    // The whole read in this one async function: a further level cost a promise hop per call.
    try {
      const { metrics, entity } = this.#ctx;
      const l1 = spec.negative ? this.#local.entities : this.#local.queries;
      if (l1 && !refresh && this.#local.usable()) {
        const hit = l1.get(spec.key);
        if (hit) {
          metrics.hits++;
          metrics.l1Hits++;
          observe?.({ cacheHit: true, l1Hit: true });
          return (hit.kind === 'n' ? undefined : structuredClone(hit.value)) as R;
        }
      }
      if (this.#invalidator.bypass()) {
        if (refresh) return undefined as R;
        metrics.bypasses++;
        observe?.({ cacheHit: false, bypassed: true });
        return (await spec.load(signal)) as R;
      }
      const localGen = this.#local.generation;
      const readAt = this.#ctx.settings.now();
      let tokens: (string | null)[] | null = null;
      let stale: { value: unknown } | null = null;
      try {
        const max = this.#entries.readLimit;
        const got = await raceAbort(
          this.#ctx.store.call('get', (s) => s.get([...spec.guards, spec.key], max)),
          signal,
          entity.name,
        );
        // One pass over the guards' replies (the hit path), no intermediate arrays.
        const n = spec.guards.length;
        const read: (string | null | false)[] = new Array(n);
        let junk = false;
        let absentShared = false;
        for (let i = 0; i < n; i++) {
          const t = tokenOf(got[i]!);
          read[i] = t;
          if (t === false) junk = true;
          else if (t === null && spec.creatable[i]) absentShared = true;
        }
        if (junk)
          tokens = await raceAbort(
            this.#entries.replaceJunkTokens(spec.guards, read),
            signal,
            entity.name,
          );
        else if (absentShared)
          tokens = await raceAbort(
            createdGenerations(
              this.#ctx.store,
              spec.guards,
              spec.creatable,
              read as (string | null)[],
            ),
            signal,
            entity.name,
          );
        else tokens = read as (string | null)[];
        const bad: CacheDecodeError[] = [];
        const hit =
          tokens &&
          this.#entries.decode(spec.key, got[spec.guards.length]!, tokens, spec.check, bad);
        if (bad.length > 0) await raceAbort(this.#entries.drop(bad), signal, entity.name);
        if (hit && !hit.expired) {
          if (!refresh) metrics.hits++;
          observe?.({ cacheHit: true, l1Hit: false });
          this.#local.fill(l1, spec.key, hit.kind, hit.value, localGen);
          return hit.value as R;
        }
        if (hit && this.#ctx.settings.graceMs > 0) stale = { value: hit.value };
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        this.#ctx.report(err as CacheError);
      }
      // A refresh without the tokens (the store failed, or held junk) could not fill: no load.
      if (refresh && !tokens) return undefined as R;
      if (refresh) metrics.refreshes++;
      else metrics.misses++;
      // Single-flight: join a load in flight only if it started under the same generation tokens
      // (or, without the store, the same local generation), so a read that began after a write
      // never receives a value loaded before it.
      const flightKey = `${spec.key}|${tokens ? tokens.join(',') : `local:${localGen}`}`;
      let flight = this.#flights.get(flightKey);
      observe?.({ cacheHit: false, l1Hit: false, coalesced: flight !== undefined });
      if (flight) {
        if (!refresh) metrics.coalesced++;
      } else {
        flight = this.#load(spec, tokens, stale, readAt, localGen, l1).finally(() => {
          this.#flights.delete(flightKey);
        });
        this.#flights.set(flightKey, flight);
      }
      const value = await raceAbort(flight, signal, entity.name);
      if (refresh) return undefined as R;
      // Each caller gets its own copy: joiners must not share (and mutate) one object.
      return (value === undefined ? undefined : structuredClone(value)) as R;
    } finally {
      if (!refresh) this.#ctx.metrics.recordLatency(performance.now() - started);
    }
  }

  async #load(
    spec: ReadSpec,
    tokens: (string | null)[] | null,
    stale: { value: unknown } | null,
    readAt: number,
    localGen: number,
    l1: LocalEntries | null,
  ): Promise<unknown> {
    const { metrics, settings } = this.#ctx;
    let lockToken: string | null = null;
    if (this.#lock && tokens) {
      const waited = await this.#lock.acquireOrWait(spec, tokens);
      if (waited.done) return waited.value;
      lockToken = waited.token;
    }
    try {
      let value: unknown;
      metrics.loads++;
      try {
        value = await spec.load();
      } catch (err) {
        if (stale && (isTransient(err) || (err instanceof RepositoryError && err.transient))) {
          metrics.graceHits++;
          return stale.value;
        }
        throw err;
      }
      // L1 takes only what the store took: a fill refused (its generation keys moved, so the
      // value may predate a write) or not attempted (fill window passed, invalidations pending)
      // must not be served from L1 either, and an L1 copy the store lacks turns into a reload
      // when it expires.
      const filled =
        tokens !== null &&
        settings.now() - readAt <= settings.fillWindowMs &&
        !this.#invalidator.hasPending() &&
        (await this.#fill(spec, tokens, value));
      if (filled && (value !== undefined || spec.negative))
        this.#local.fill(l1, spec.key, value === undefined ? 'n' : 'v', value, localGen);
      return value;
    } finally {
      if (lockToken) this.#lock!.release(spec.key, lockToken);
    }
  }

  /**
   * Writes `value` if the generation keys still hold `tokens` (creating absent shared ones);
   * whether it was written.
   */
  async #fill(spec: ReadSpec, tokens: (string | null)[], value: unknown): Promise<boolean> {
    const { settings } = this.#ctx;
    const negative = value === undefined && spec.negative;
    if (negative && settings.negativeTtlMs === 0) return false;
    const ttl = this.#ctx.ttlWithJitter(negative ? settings.negativeTtlMs : spec.ttlMs);
    return guardedFill(this.#ctx, this.#entries, spec, tokens, negative ? 'n' : 'v', value, ttl);
  }
}
