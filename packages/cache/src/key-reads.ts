/**
 * The reads and sets of one key-cache namespace, on the parts the repository decorator uses too:
 * L1 (local-tier.ts), one MGET of the value and the generation keys that guard it, the
 * cross-process stampede lock (stampede-lock.ts), guarded fills (guarded-fill.ts), junk refused
 * and deleted (stored-entries.ts), and the bypass while invalidations are pending
 * (invalidation.ts). What it adds: the factory runs of `getOrSet` (factory-flight.ts) with
 * fail-safe, soft and hard timeouts, eager refresh and sliding expiration.
 */
import { AbortedError, throwIfAborted } from '@mystira/repository';
import { raceAbort } from './abort-race.js';
import type { SharedContext } from './context.js';
import type { Decoded } from './entry-codec.js';
import type { CacheDecodeError, CacheError } from './errors.js';
import { type Factory, FactoryFlight, waitFor } from './factory-flight.js';
import { createdGenerations, joinTokens, tokenOf } from './generation-tokens.js';
import { guardedFill } from './guarded-fill.js';
import type { Invalidator } from './invalidation.js';
import type { CacheTimers, KeyCallSettings } from './key-cache-options.js';
import type { KeyTarget, NamespaceLayout } from './key-layout.js';
import type { LocalTier } from './local-tier.js';
import { StampedeLock } from './stampede-lock.js';
import type { StoredEntries } from './stored-entries.js';

/** A miss: what its factory run needs, and what its fill is guarded by. */
interface Miss {
  target: KeyTarget;
  factory: Factory<unknown>;
  call: KeyCallSettings;
  /** The guards' tokens the read saw (null: the store was unusable or held junk: no fill). */
  tokens: (string | null)[] | null;
  /** The expired value the read found, served by fail-safe. */
  stale: { value: unknown } | null;
  /** When the read began (the fill window counts from it). */
  readAt: number;
  /** L1's generation when the read began (an L1 fill after an invalidation is refused). */
  localGen: number;
}

/** The store's reply to one read's MGET: the guards' tokens, then the entry. */
type StoreReply = (Uint8Array | number | null)[];

/** What one MGET found: the guards' tokens (null: unusable, neither serve nor fill) and the entry. */
interface StoreRead {
  tokens: (string | null)[] | null;
  hit: Decoded | null;
  /** The entry records exactly the tags of the target (so a renewal may record them again). */
  exact: boolean;
}

export class KeyReads {
  readonly #ctx: SharedContext<NamespaceLayout>;
  readonly #entries: StoredEntries;
  readonly #local: LocalTier;
  readonly #invalidator: Invalidator;
  readonly #lock: StampedeLock | null;
  readonly #timers: CacheTimers;
  readonly #flights = new Map<string, FactoryFlight>();
  readonly #refreshing = new Set<string>();
  readonly #closing = new AbortController();

  constructor(
    ctx: SharedContext<NamespaceLayout>,
    parts: {
      entries: StoredEntries;
      local: LocalTier;
      invalidator: Invalidator;
      timers: CacheTimers;
    },
  ) {
    this.#ctx = ctx;
    this.#entries = parts.entries;
    this.#local = parts.local;
    this.#invalidator = parts.invalidator;
    this.#timers = parts.timers;
    const lock = ctx.settings.lock;
    this.#lock = lock ? new StampedeLock(ctx, parts.entries, lock) : null;
  }

  /** The cached value of `target`, or undefined. `open`: accept an entry under any tags. */
  async get(
    target: KeyTarget,
    call: KeyCallSettings,
    signal: AbortSignal | undefined,
    open: boolean,
  ): Promise<unknown> {
    const { metrics } = this.#ctx;
    throwIfAborted(signal, target.name);
    const started = performance.now();
    try {
      const l1 = this.#fromL1(target);
      if (l1) return structuredClone(l1.value);
      if (this.#invalidator.bypass()) {
        metrics.bypasses++;
        return undefined;
      }
      const localGen = this.#local.generation;
      try {
        const found = this.#found(target, await this.#fetch(target, signal), signal, open);
        const read = found instanceof Promise ? await found : found;
        if (read.hit && !read.hit.expired) {
          this.#served(target, read, call, localGen);
          return read.hit.value;
        }
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        this.#ctx.report(err as CacheError);
      }
      metrics.misses++;
      return undefined;
    } finally {
      metrics.recordLatency(performance.now() - started);
    }
  }

  /** The cached value of `target`, or the factory's (run once per key across instances). */
  async getOrSet(
    target: KeyTarget,
    factory: Factory<unknown>,
    call: KeyCallSettings,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const { metrics, settings } = this.#ctx;
    throwIfAborted(signal, target.name);
    const started = performance.now();
    try {
      const l1 = this.#fromL1(target);
      if (l1) {
        this.#maybeRefresh(target, factory, call, l1.expiresAt);
        return structuredClone(l1.value);
      }
      const localGen = this.#local.generation;
      const readAt = settings.now();
      let tokens: (string | null)[] | null = null;
      let stale: { value: unknown } | null = null;
      if (this.#invalidator.bypass()) {
        metrics.bypasses++;
      } else {
        try {
          const found = this.#found(target, await this.#fetch(target, signal), signal, false);
          const read = found instanceof Promise ? await found : found;
          tokens = read.tokens;
          if (read.hit && !read.hit.expired) {
            this.#served(target, read, call, localGen);
            this.#maybeRefresh(target, factory, call, read.hit.expiresAt);
            return read.hit.value;
          }
          if (read.hit && call.failSafe && settings.graceMs > 0) stale = { value: read.hit.value };
        } catch (err) {
          if (err instanceof AbortedError) throw err;
          this.#ctx.report(err as CacheError);
        }
      }
      metrics.misses++;
      const { flight, joined } = this.#flight({
        target,
        factory,
        call,
        tokens,
        stale,
        readAt,
        localGen,
      });
      return await waitFor(this.#ctx, this.#timers, flight, {
        key: target.name,
        call,
        stale,
        signal,
        copy: joined,
      });
    } finally {
      metrics.recordLatency(performance.now() - started);
    }
  }

  /**
   * Caches `value` under `target` (after the caller invalidated the key, so no fill begun before
   * can land after it). Not cached while the store is unusable.
   */
  async set(target: KeyTarget, value: unknown, call: KeyCallSettings): Promise<void> {
    if (this.#invalidator.hasPending()) return;
    const localGen = this.#local.generation;
    try {
      const max = this.#entries.maxEntryBytes;
      const got = await this.#ctx.store.call('get', (s) => s.get(target.guards, max));
      const read = got.map(tokenOf);
      if (read.includes(false)) {
        await this.#entries.replaceJunkTokens(target.guards, read);
        return;
      }
      await this.#fill(target, read as (string | null)[], value, call, localGen);
    } catch (err) {
      this.#ctx.report(err as CacheError);
    }
  }

  /** Aborts the signal factories were given. */
  close(): void {
    this.#closing.abort(new AbortedError('the cache was closed', { entity: this.#ctx.name }));
  }

  #fromL1(target: KeyTarget): { value: unknown; expiresAt: number | undefined } | null {
    const l1 = this.#local.entities;
    if (!l1 || !this.#local.usable()) return null;
    const hit = l1.get(target.key);
    if (!hit || (hit.expiresAt !== undefined && hit.expiresAt <= this.#ctx.settings.now()))
      return null;
    this.#ctx.metrics.hits++;
    this.#ctx.metrics.l1Hits++;
    return { value: hit.value, expiresAt: hit.expiresAt };
  }

  /** A fresh hit from the store: counted, put in L1, renewed when sliding. */
  #served(target: KeyTarget, read: StoreRead, call: KeyCallSettings, localGen: number): void {
    const hit = read.hit!;
    this.#ctx.metrics.hits++;
    const l1 = this.#local.entities;
    this.#local.fill(l1, target.key, 'v', hit.value, localGen, hit.expiresAt);
    if (
      call.sliding &&
      read.tokens &&
      read.exact &&
      hit.expiresAt - this.#ctx.settings.now() < call.ttlMs / 2
    ) {
      void this.#fill(target, read.tokens, hit.value, call, localGen);
    }
  }

  /** One MGET of the guards and the value, and what it found (see `#found`). */
  async #readStore(
    target: KeyTarget,
    signal: AbortSignal | undefined,
    open: boolean,
  ): Promise<StoreRead> {
    return await this.#found(target, await this.#fetch(target, signal), signal, open);
  }

  /** The one MGET of a read: the guards, then the value. */
  #fetch(target: KeyTarget, signal: AbortSignal | undefined): Promise<StoreReply> {
    const max = this.#entries.readLimit;
    // Without `max`, one plain MGET: the codec still refuses (and `drop` deletes) an entry over
    // the limit, after it was transferred; values over the limit are never written by this cache.
    return raceAbort(
      this.#ctx.store.call('get', (s) => s.get(target.reads, max)),
      signal,
      this.#ctx.name,
    );
  }

  /**
   * What one MGET found; with `open`, an entry's own tags are checked after. Not a promise on a
   * plain hit or miss, so the hit paths (which await `#fetch` and this apart) take one promise hop
   * less; a promise when the store is needed again: junk or absent generation keys, an entry's
   * own tags, refused entries to delete.
   */
  #found(
    target: KeyTarget,
    got: StoreReply,
    signal: AbortSignal | undefined,
    open: boolean,
  ): StoreRead | Promise<StoreRead> {
    const n = target.guards.length;
    // One pass over the guards' replies (the hit path): junk, and absent shared generation keys.
    const raw: (string | null | false)[] = new Array(n);
    let junk = false;
    let absentShared = false;
    for (let i = 0; i < n; i++) {
      const t = tokenOf(got[i]!);
      raw[i] = t;
      if (t === false) junk = true;
      else if (t === null && target.creatable[i]) absentShared = true;
    }
    if (junk) return this.#replacedJunk(target, raw, signal);
    const tokens = raw as (string | null)[];
    if (absentShared) return this.#createdGenerations(target, tokens, signal);
    const bytes = got[n]!;
    if (open && n === target.base) return this.#openEntry(target, tokens, bytes, signal);
    const bad: CacheDecodeError[] = [];
    const recorded =
      n === target.base ? joinTokens(tokens) : target.record(tokens.map((t) => t ?? ''));
    const hit = this.#entries.decodeRecorded(target.key, bytes, recorded, target.check, bad);
    return this.#afterDrop(bad, { tokens, hit, exact: true }, signal);
  }

  /** Generation keys holding junk are replaced; nothing is served or filled under them. */
  async #replacedJunk(
    target: KeyTarget,
    raw: (string | null | false)[],
    signal: AbortSignal | undefined,
  ): Promise<StoreRead> {
    await raceAbort(this.#entries.replaceJunkTokens(target.guards, raw), signal, this.#ctx.name);
    return { tokens: null, hit: null, exact: false };
  }

  /**
   * No entry can be valid without the shared generation keys; creating them now (not in the
   * fill) keeps the cold-start fills of different keys from refusing each other.
   */
  async #createdGenerations(
    target: KeyTarget,
    tokens: (string | null)[],
    signal: AbortSignal | undefined,
  ): Promise<StoreRead> {
    const { store, name } = this.#ctx;
    return {
      tokens: await raceAbort(
        createdGenerations(store, target.guards, target.creatable, tokens),
        signal,
        name,
      ),
      hit: null,
      exact: true,
    };
  }

  /** An entry read without naming its tags: the tags it recorded must still hold its tokens. */
  async #openEntry(
    target: KeyTarget,
    tokens: (string | null)[],
    bytes: Uint8Array | number | null,
    signal: AbortSignal | undefined,
  ): Promise<StoreRead> {
    const bad: CacheDecodeError[] = [];
    let hit = this.#entries.decodeRecorded(target.key, bytes, null, target.check, bad);
    let exact = true;
    const tags = hit && this.#ctx.keys.recordedTags(hit.tokens, joinTokens(tokens));
    if (!tags) hit = null;
    else if (tags.keys.length > 0) {
      // The entry carries tags the caller did not name: they must still hold its tokens.
      exact = false;
      const now = await raceAbort(
        this.#ctx.store.call('get', (s) => s.get(tags.keys, 64)),
        signal,
        this.#ctx.name,
      );
      if (now.some((b, i) => tokenOf(b) !== tags.tokens[i])) hit = null;
    }
    return await this.#afterDrop(bad, { tokens, hit, exact }, signal);
  }

  /** `read`, once the entries refused on the way (if any) are deleted. */
  #afterDrop(
    bad: readonly CacheDecodeError[],
    read: StoreRead,
    signal: AbortSignal | undefined,
  ): StoreRead | Promise<StoreRead> {
    if (bad.length === 0) return read;
    return raceAbort(this.#entries.drop(bad), signal, this.#ctx.name).then(() => read);
  }

  /** The run of `factory` for this miss: joined if one began under the same tokens. */
  #flight(miss: Miss): { flight: FactoryFlight; joined: boolean } {
    const { target, tokens, localGen } = miss;
    // Join only a run begun under the same generation tokens (or, without the store, the same
    // local generation): a read that began after an invalidation never gets an older value.
    const flightKey = `${target.key}|${tokens ? tokens.join(',') : `local:${localGen}`}`;
    const running = this.#flights.get(flightKey);
    if (running) {
      this.#ctx.metrics.coalesced++;
      return { flight: running, joined: true };
    }
    const flight = new FactoryFlight(
      this.#load(miss).finally(() => {
        this.#flights.delete(flightKey);
      }),
    );
    this.#flights.set(flightKey, flight);
    return { flight, joined: false };
  }

  async #load(miss: Miss): Promise<unknown> {
    const { target, factory, call, tokens, stale, readAt, localGen } = miss;
    const { metrics, settings } = this.#ctx;
    let lockToken: string | null = null;
    if (this.#lock && tokens) {
      const waited = await this.#lock.acquireOrWait(target, tokens);
      if (waited.done) return waited.value;
      lockToken = waited.token;
    }
    try {
      metrics.loads++;
      const value = await factory({
        key: target.name,
        stale: stale?.value,
        signal: this.#closing.signal,
      });
      if (value === undefined) return value;
      if (
        tokens &&
        settings.now() - readAt <= settings.fillWindowMs &&
        !this.#invalidator.hasPending()
      ) {
        await this.#fill(target, tokens, value, call, localGen);
      }
      return value;
    } finally {
      if (lockToken) this.#lock!.release(target.key, lockToken);
    }
  }

  async #fill(
    target: KeyTarget,
    tokens: readonly (string | null)[],
    value: unknown,
    call: KeyCallSettings,
    localGen: number,
  ): Promise<void> {
    const ttl = this.#ctx.ttlWithJitter(call.ttlMs);
    const expiresAt = this.#ctx.settings.now() + ttl;
    if (await guardedFill(this.#ctx, this.#entries, target, tokens, 'v', value, ttl))
      this.#local.fill(this.#local.entities, target.key, 'v', value, localGen, expiresAt);
  }

  /**
   * Eager refresh: a hit past `eagerRefresh` of its TTL starts a background run of the factory
   * (one per key in this process; the stampede lock makes it one across processes).
   */
  #maybeRefresh(
    target: KeyTarget,
    factory: Factory<unknown>,
    call: KeyCallSettings,
    expiresAt: number | undefined,
  ): void {
    if (call.eagerRefresh <= 0 || expiresAt === undefined) return;
    const now = this.#ctx.settings.now();
    if (expiresAt - now > call.ttlMs * (1 - call.eagerRefresh)) return;
    if (this.#refreshing.has(target.key)) return;
    this.#refreshing.add(target.key);
    void this.#refresh(target, factory, call).finally(() => this.#refreshing.delete(target.key));
  }

  async #refresh(target: KeyTarget, factory: Factory<unknown>, call: KeyCallSettings) {
    if (this.#invalidator.bypass()) return;
    const localGen = this.#local.generation;
    const readAt = this.#ctx.settings.now();
    let tokens: (string | null)[] | null;
    try {
      tokens = (await this.#readStore(target, undefined, false)).tokens;
    } catch (err) {
      this.#ctx.report(err as CacheError);
      return;
    }
    if (!tokens) return;
    this.#ctx.metrics.refreshes++;
    const { flight } = this.#flight({
      target,
      factory,
      call,
      tokens,
      stale: null,
      readAt,
      localGen,
    });
    flight.reportFailure(this.#ctx, target.name);
    await flight.promise.catch(() => {});
  }
}
