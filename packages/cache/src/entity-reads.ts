/**
 * Entity reads, always cached: `getById` is one read-through; `getMany` reads every id in one
 * MGET (the epoch, then each id's generation token and value), loads only the misses in one
 * repository call and fills them in one guarded store call. Both cache "not found" for
 * `negativeTtlMs`.
 */
import {
  AbortedError,
  type CallOptions,
  checkId,
  type Id,
  idOf,
  type Repository,
  throwIfAborted,
} from '@mystira/repository';
import { raceAbort } from './abort-race.js';
import type { CacheContext } from './context.js';
import { freshToken } from './envelope.js';
import type { CacheDecodeError, CacheError } from './errors.js';
import { GENERATION_TTL_MS, joinTokens, tokenOf } from './generation-tokens.js';
import type { Invalidator } from './invalidation.js';
import { idKey } from './keys.js';
import type { LocalTier } from './local-tier.js';
import type { ReadSpec, ReadThrough } from './read-through.js';
import type { FillEntry, Guard } from './store.js';
import type { StoredEntries } from './stored-entries.js';

/** The parts an entity read goes through. */
export interface EntityReadParts {
  entries: StoredEntries;
  local: LocalTier;
  invalidator: Invalidator;
  readThrough: ReadThrough;
}

export class EntityReads<T extends object> {
  readonly #inner: Repository<T>;
  readonly #ctx: CacheContext;
  readonly #entries: StoredEntries;
  readonly #local: LocalTier;
  readonly #invalidator: Invalidator;
  readonly #readThrough: ReadThrough;

  constructor(inner: Repository<T>, ctx: CacheContext, parts: EntityReadParts) {
    this.#inner = inner;
    this.#ctx = ctx;
    this.#entries = parts.entries;
    this.#local = parts.local;
    this.#invalidator = parts.invalidator;
    this.#readThrough = parts.readThrough;
  }

  getById(id: Id, options: CallOptions = {}): Promise<T | undefined> {
    // Not async: an async function returning the read's promise cost two promise hops per call.
    // A bad id or an aborted signal still rejects.
    try {
      const { entity } = this.#ctx;
      throwIfAborted(options.signal, entity.name);
      checkId(entity, id);
      return this.#readThrough.read<T | undefined>(
        this.#readSpec(id),
        options.signal,
        options.observe,
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Reloads `id` after a write invalidated it: the read-through of `getById` (same flight, same
   * guarded fill), not counted as a read. Resolves when it is filled, refused or not needed.
   */
  refresh(id: Id): Promise<void> {
    return this.#readThrough.read<void>(this.#readSpec(id), undefined, undefined, true);
  }

  #readSpec(id: Id): ReadSpec {
    const { keys, settings } = this.#ctx;
    return {
      key: keys.value(id),
      guards: [keys.epoch(), keys.itemGeneration(id)],
      creatable: [true, false],
      ttlMs: settings.ttlMs,
      negative: true,
      check: this.#ctx.checkItem,
      load: (signal) => this.#inner.getById(id, { signal }),
    };
  }

  async getMany(ids: readonly Id[], options: CallOptions = {}): Promise<T[]> {
    const { entity } = this.#ctx;
    throwIfAborted(options.signal, entity.name);
    for (const id of ids) checkId(entity, id);
    const unique: Id[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const k = idKey(id);
      if (!seen.has(k)) {
        seen.add(k);
        unique.push(id);
      }
    }
    if (unique.length === 0) return [];
    const started = performance.now();
    try {
      return await this.#getMany(unique, options.signal, options.observe);
    } finally {
      this.#ctx.metrics.recordLatency(performance.now() - started);
    }
  }

  async #getMany(
    ids: Id[],
    signal: AbortSignal | undefined,
    observe: CallOptions['observe'],
  ): Promise<T[]> {
    const { entity, keys: layout, metrics, settings } = this.#ctx;
    const found = new Map<string, T | null>();
    const l1 = this.#local.usable() ? this.#local.entities : null;
    let rest = ids;
    if (l1) {
      rest = [];
      for (const id of ids) {
        const hit = l1.get(layout.value(id));
        if (hit) {
          metrics.hits++;
          metrics.l1Hits++;
          found.set(idKey(id), hit.kind === 'n' ? null : (structuredClone(hit.value) as T));
        } else rest.push(id);
      }
    }
    if (rest.length > 0 && this.#invalidator.bypass()) {
      metrics.bypasses++;
      observe?.({ cacheHit: false, bypassed: true });
      for (const item of await this.#inner.getMany(rest, { signal }))
        found.set(idKey(idOf(entity, item)), item);
      return ordered(ids, found);
    }
    const localGen = this.#local.generation;
    const readAt = settings.now();
    let tokens: (string | null)[] | null = null;
    let misses = rest;
    if (rest.length > 0) {
      // One MGET: the epoch, then each id's generation token and value.
      const keys = [layout.epoch()];
      for (const id of rest) keys.push(layout.itemGeneration(id), layout.value(id));
      try {
        const max = this.#entries.readLimit;
        const got = await raceAbort(
          this.#ctx.store.call('get', (s) => s.get(keys, max)),
          signal,
          entity.name,
        );
        // The generation keys are the epoch (0) and every odd index; values the even ones after 0.
        const isGen = (_: unknown, i: number) => i === 0 || i % 2 === 1;
        const raw = got.filter(isGen).map(tokenOf);
        tokens = raw.includes(false)
          ? await raceAbort(
              this.#entries.replaceJunkTokens(keys.filter(isGen), raw),
              signal,
              entity.name,
            )
          : (raw as (string | null)[]);
        const read = tokens;
        const bad: CacheDecodeError[] = [];
        misses = [];
        rest.forEach((id, i) => {
          const key = layout.value(id);
          const itemTokens = read && [read[0] ?? null, read[1 + i] ?? null];
          const hit =
            itemTokens &&
            this.#entries.decode(key, got[2 + 2 * i]!, itemTokens, this.#ctx.checkItem, bad);
          if (hit && !hit.expired) {
            metrics.hits++;
            found.set(idKey(id), hit.kind === 'n' ? null : (hit.value as T));
            this.#local.fill(this.#local.entities, key, hit.kind, hit.value, localGen);
          } else {
            metrics.misses++;
            misses.push(id);
          }
        });
        if (bad.length > 0) await raceAbort(this.#entries.drop(bad), signal, entity.name);
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        this.#ctx.report(err as CacheError);
        metrics.misses += rest.length;
      }
    }
    // One report for the batch: a hit only when every id was answered without the repository.
    observe?.({ cacheHit: misses.length === 0, l1Hit: rest.length === 0 });
    if (misses.length > 0) {
      metrics.loads++;
      const loaded = await raceAbort(this.#inner.getMany(misses), signal, entity.name);
      const byId = new Map<string, T>();
      for (const item of loaded) byId.set(idKey(idOf(entity, item)), item);
      for (const id of misses) found.set(idKey(id), byId.get(idKey(id)) ?? null);
      if (
        tokens &&
        settings.now() - readAt <= settings.fillWindowMs &&
        !this.#invalidator.hasPending()
      ) {
        await this.#fillMany(rest, tokens, misses, byId);
      }
      for (const id of misses) {
        const v = byId.get(idKey(id));
        this.#local.fill(
          this.#local.entities,
          layout.value(id),
          v === undefined ? 'n' : 'v',
          v,
          localGen,
        );
      }
    }
    return ordered(ids, found);
  }

  /** One guarded fill of the loaded misses: the epoch and each filled id's generation token. */
  async #fillMany(
    rest: Id[],
    tokens: (string | null)[],
    misses: Id[],
    byId: Map<string, T>,
  ): Promise<void> {
    const { keys: layout, metrics, settings } = this.#ctx;
    const epoch = tokens[0] ?? null;
    const epochToken = epoch ?? freshToken();
    const guards: Guard[] = [
      epoch === null
        ? {
            key: layout.epoch(),
            expected: null,
            create: epochToken,
            createTtlMs: GENERATION_TTL_MS,
          }
        : { key: layout.epoch(), expected: epoch },
    ];
    const entries: FillEntry[] = [];
    const missSet = new Set(misses.map(idKey));
    rest.forEach((id, i) => {
      if (!missSet.has(idKey(id))) return;
      const ig = tokens[1 + i] ?? null;
      const item = byId.get(idKey(id));
      if (item === undefined && settings.negativeTtlMs === 0) return;
      const ttl = this.#ctx.ttlWithJitter(
        item === undefined ? settings.negativeTtlMs : settings.ttlMs,
      );
      const bytes = this.#entries.encode(
        layout.value(id),
        item === undefined ? 'n' : 'v',
        item,
        joinTokens([epochToken, ig]),
        ttl,
      );
      if (!bytes) return;
      guards.push({ key: layout.itemGeneration(id), expected: ig });
      entries.push({ key: layout.value(id), value: bytes, ttlMs: ttl + settings.graceMs });
    });
    if (entries.length === 0) return;
    try {
      const ok = await this.#ctx.store.call('fill', (s) => s.fill(guards, entries));
      if (ok) metrics.fills += entries.length;
      else metrics.fillsRejected += entries.length;
    } catch (err) {
      this.#ctx.report(err as CacheError);
    }
  }
}

/** The found entities in the order of `ids`, without the ones not found. */
function ordered<T>(ids: Id[], found: Map<string, T | null>): T[] {
  const out: T[] = [];
  for (const id of ids) {
    const v = found.get(idKey(id));
    if (v) out.push(v);
  }
  return out;
}
