/**
 * `PolyglotRepository<T>`: a `Repository<T>` that routes each call by its entity's current phase.
 * Dual writes go primary first (the primary's answer is the caller's answer, errors included),
 * then to the mirror under a timeout. A dual write records an outbox intent for its ids before
 * it touches the primary (group-committed), so a secondary failure, a timeout, or a crash at any
 * point leaves an entry the replayer turns into agreement; the intent is deleted (lazily) once the
 * mirror took the write. Reads in dual phases can be shadowed: both stores are read, the phase's
 * answer is returned, and differences are recorded.
 */

import {
  type CallOptions,
  ConcurrencyError,
  checkId,
  type Id,
  idOf,
  isRepositoryError,
  NotFoundError,
  type PageOptions,
  type Repository,
  type RepositoryDecorator,
  type RepositoryPage,
  runAggregate,
  type StreamOptions,
  type WriteOptions,
} from '@mystira/repository';
import type { AggregateSource, EntityDef, SpecSource } from '@mystira/specification';
import { diffItems } from './diff.js';
import type { MirrorResult, MirrorStore } from './mirror.js';
import type { EntityMetrics, PolyglotEmitter } from './observe.js';
import type { Outbox, OutboxReason } from './outbox.js';
import { type Phase, readsFrom, writesBoth } from './phases.js';
import { versionOfItem } from './sync.js';

/** How a dual write makes its secondary half durable. */
export type Durability =
  /** Record an outbox intent before every dual write (crash-safe; one group-committed outbox write per batch of writes). */
  | 'intent'
  /** Record only failures (cheaper; a crash between the primary and the secondary write loses the secondary write until a verification scan finds it). */
  | 'on-failure';

/**
 * Options of shadow reads: in dual phases, a read also reads the other store and reports a
 * difference as a `mismatch` event.
 */
export interface ShadowReadOptions {
  /** Fraction of reads shadowed, 0..1 (default 1). */
  sampleRate?: number;
  /** Top-level fields left out of the comparison. */
  ignoreFields?: readonly string[];
}

/** The live state of one entity binding, shared by its repository, the replayer and the registry. */
export interface BindingState<T extends object> {
  /** The name the entity is registered under. */
  readonly name: string;
  /** The entity. */
  readonly entity: EntityDef;
  /** The primary store. */
  readonly primary: Repository<T>;
  /** The secondary store, if any. */
  readonly secondary: MirrorStore<T> | undefined;
  /** The registry's outbox. */
  readonly outbox: Outbox;
  /** The entity's metrics. */
  readonly metrics: EntityMetrics;
  /** The registry's events. */
  readonly events: PolyglotEmitter;
  /** How dual writes are recorded in the outbox. */
  readonly durability: Durability;
  /** Timeout of the secondary half of a dual write, in ms. */
  readonly secondaryTimeoutMs: number;
  /** How long an intent waits before a replayer takes it as abandoned, in ms. */
  readonly intentGraceMs: number;
  /** Shadow reads, or null when off. */
  readonly shadow: Required<ShadowReadOptions> | null;
  /** Randomness (sampling, jitter). */
  readonly random: () => number;
  /** The clock, in ms. */
  readonly now: () => number;
  /** The phase now. */
  phase: Phase;
  /** Ids this process knows to be behind in the mirror (failed or refused inline writes). */
  readonly dirty: Map<string, number>;
  /** Set while a phase change waits for in-flight writes; new writes wait on it. */
  barrier: Promise<void> | null;
  /** Writes in progress. */
  inflight: number;
  /** Resolves waiters when `inflight` drops to 0. */
  readonly idleWaiters: (() => void)[];
  /** Background work (lazy outbox completions, shadow comparisons) for `settled()`. */
  readonly background: Set<Promise<unknown>>;
  /**
   * Records intents before a dual write; resolves with their sequence numbers, or null when the
   * outbox is down (the write then records only failures).
   */
  appendIntent(records: { id: Id; version?: number | null }[]): Promise<string[] | null>;
  /** Deletes intents once both stores agree, batched in the background. */
  completeLater(seqs: readonly string[]): void;
  /** Records ids behind in the secondary (a failed or refused inline write) for replay. */
  record(
    ids: readonly Id[],
    reason: OutboxReason,
    error: unknown,
    seqs: (string | null)[] | null,
  ): Promise<void>;
}

export const idKey = (id: Id): string => `${typeof id}:${id}`;

/** Errors that mean "the primary refused; nothing was written". */
function definiteRefusal(err: unknown): boolean {
  return (
    isRepositoryError(err) &&
    (err.code === 'NOT_FOUND' ||
      err.code === 'ALREADY_EXISTS' ||
      err.code === 'CONCURRENCY' ||
      err.code === 'VALIDATION')
  );
}

/**
 * The `Repository<T>` of one polyglot entity (`polyglot.repositories.<name>`): each call is routed
 * by the entity's current phase; dual writes go primary first, then the mirror, with an outbox
 * intent so the replayer repairs what the secondary missed; reads in dual phases can be shadowed.
 */
export class PolyglotRepository<T extends object> implements Repository<T> {
  readonly entity: EntityDef;
  /**
   * For telemetry: `tracedRepository` names this repository's spans `polyglot.<operation>` and
   * puts the phase the call ran in on each (`mystira.polyglot.phase`).
   */
  readonly decorator: RepositoryDecorator = {
    name: 'polyglot',
    spanAttributes: () => ({ 'mystira.polyglot.phase': this.phase }),
  };
  readonly #b: BindingState<T>;

  constructor(binding: BindingState<T>) {
    this.#b = binding;
    this.entity = binding.entity;
  }

  /** The entity's current phase. */
  get phase(): Phase {
    return this.#b.phase;
  }

  // ---- reads -----------------------------------------------------------------------------------

  /** The store answering reads now. A secondary with ids known to be behind is not asked. */
  #reader(): Repository<T> {
    const b = this.#b;
    if (b.phase === 'SecondaryOnly') return b.secondary!.repository;
    if (readsFrom(b.phase) === 'secondary' && b.dirty.size === 0) return b.secondary!.repository;
    return b.primary;
  }

  /** The other store of a dual phase, for shadow reads (undefined when not shadowing this call). */
  #shadowOf(reader: Repository<T>): Repository<T> | undefined {
    const b = this.#b;
    if (!b.shadow || !writesBoth(b.phase) || !b.secondary) return undefined;
    if (b.random() >= b.shadow.sampleRate) return undefined;
    return reader === b.primary ? b.secondary.repository : b.primary;
  }

  async #read<R>(
    call: (repo: Repository<T>) => Promise<R>,
    compare: (mine: R, other: R) => void,
  ): Promise<R> {
    const reader = this.#reader();
    const other = this.#shadowOf(reader);
    if (!other) return call(reader);
    const b = this.#b;
    const t0 = performance.now();
    const mine = call(reader);
    const theirs = call(other);
    const settled = (async () => {
      const [a, c] = await Promise.allSettled([
        mine.then(() => performance.now() - t0),
        theirs.then(() => performance.now() - t0),
      ]);
      const primaryFirst = reader === b.primary;
      const [pt, st] = primaryFirst ? [a, c] : [c, a];
      if (pt.status === 'fulfilled') b.metrics.shadowPrimaryLatency.record(pt.value);
      if (st.status === 'fulfilled') b.metrics.shadowSecondaryLatency.record(st.value);
      if (a.status === 'fulfilled' && c.status === 'fulfilled') {
        b.metrics.counters.shadowReads++;
        compare(await mine, await theirs);
      }
    })().catch(() => {});
    b.background.add(settled);
    void settled.finally(() => b.background.delete(settled));
    return mine;
  }

  #compareItems(primaryFirst: boolean, mine: (T | undefined)[], theirs: (T | undefined)[]): void {
    const b = this.#b;
    const [p, s] = primaryFirst ? [mine, theirs] : [theirs, mine];
    const n = Math.max(p.length, s.length);
    for (let i = 0; i < n; i++) {
      const diffs = diffItems(p[i], s[i], b.shadow?.ignoreFields ?? []);
      if (diffs.length === 0) continue;
      b.metrics.counters.mismatches++;
      const item = p[i] ?? s[i];
      b.events.emit('mismatch', {
        entity: b.name,
        id: item ? idOf(this.entity, item) : '',
        source: 'shadow',
        diffs,
      });
    }
  }

  async getById(id: Id, options?: CallOptions): Promise<T | undefined> {
    const primaryFirst = this.#reader() === this.#b.primary;
    return this.#read(
      (r) => r.getById(id, options),
      (m, t) => this.#compareItems(primaryFirst, [m], [t]),
    );
  }

  async getMany(ids: readonly Id[], options?: CallOptions): Promise<T[]> {
    const primaryFirst = this.#reader() === this.#b.primary;
    return this.#read(
      (r) => r.getMany(ids, options),
      (m, t) => {
        // Align by id: a missing item on one side is a difference of its own.
        const byId = (xs: T[]) => new Map(xs.map((x) => [idKey(idOf(this.entity, x)), x]));
        const mm = byId(m);
        const tm = byId(t);
        const keys = [...new Set([...mm.keys(), ...tm.keys()])];
        this.#compareItems(
          primaryFirst,
          keys.map((k) => mm.get(k)),
          keys.map((k) => tm.get(k)),
        );
      },
    );
  }

  async list<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R[]> {
    const primaryFirst = this.#reader() === this.#b.primary;
    return this.#read(
      (r) => r.list(spec, options),
      (m, t) => this.#compareItems(primaryFirst, m as unknown as T[], t as unknown as T[]),
    );
  }

  stream<R = T>(spec: SpecSource<T, R>, options?: StreamOptions): AsyncIterable<R> {
    return this.#reader().stream(spec, options);
  }

  async first<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R | undefined> {
    return this.#reader().first(spec, options);
  }

  async single<R = T>(spec: SpecSource<T, R>, options?: CallOptions): Promise<R | undefined> {
    return this.#reader().single(spec, options);
  }

  async count(spec: SpecSource<T, unknown>, options?: CallOptions): Promise<number> {
    return this.#reader().count(spec, options);
  }

  async any(spec: SpecSource<T, unknown>, options?: CallOptions): Promise<boolean> {
    return this.#reader().any(spec, options);
  }

  async page<R = T>(spec: SpecSource<T, R>, options?: PageOptions): Promise<RepositoryPage<R>> {
    return this.#reader().page(spec, options);
  }
  /** Runs the aggregate on the store reads come from in the current phase (as `count` does). */
  async aggregate<R>(spec: AggregateSource<T, R>, options?: CallOptions): Promise<R> {
    return runAggregate(this.#reader(), spec, options);
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * Runs one write in the phase current when it starts. While a phase change is pending, new
   * writes wait for it, and the change waits for the writes already running: no write straddles
   * two phases.
   */
  async #write<R>(
    ids: () => Id[],
    single: (repo: Repository<T>) => Promise<R>,
    dual: (seqs: string[] | null) => Promise<R>,
  ): Promise<R> {
    const b = this.#b;
    while (b.barrier) await b.barrier;
    b.inflight++;
    try {
      if (b.phase === 'PrimaryOnly') return await single(b.primary);
      if (b.phase === 'SecondaryOnly') return await single(b.secondary!.repository);
      const seqs =
        b.durability === 'intent' ? await b.appendIntent(ids().map((id) => ({ id }))) : null;
      return await dual(seqs);
    } finally {
      if (--b.inflight === 0) for (const w of b.idleWaiters.splice(0)) w();
    }
  }

  /** Runs the primary half; on a definite refusal the intents are dropped (nothing changed). */
  async #primary<R>(seqs: string[] | null, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      // An ambiguous failure (connection lost, aborted, timeout) may have written: the intent
      // stays and the replayer copies whatever the truth turns out to be.
      if (seqs && definiteRefusal(err)) this.#b.completeLater(seqs);
      throw err;
    }
  }

  /** Runs the mirror half under the secondary timeout; never throws. */
  async #mirror(
    ids: Id[],
    seqs: string[] | null,
    fn: (signal: AbortSignal) => Promise<MirrorResult[]>,
  ): Promise<void> {
    const b = this.#b;
    const ctl = new AbortController();
    // The timeout does not rely on the adapter honouring the signal: the write is raced against
    // it, and a write that lands after all is a late write the version gate and the outbox
    // (the id is recorded below) already account for.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`secondary write timed out after ${b.secondaryTimeoutMs} ms`);
        ctl.abort(err);
        reject(err);
      }, b.secondaryTimeoutMs);
    });
    const t0 = performance.now();
    try {
      const work = fn(ctl.signal);
      work.catch(() => {}); // after a timeout nobody awaits it
      const results = await Promise.race([work, expired]);
      b.metrics.secondaryWriteLatency.record(performance.now() - t0);
      b.metrics.counters.secondaryWrites++;
      const done: string[] = [];
      const behind: Id[] = [];
      const behindSeqs: (string | null)[] = [];
      results.forEach((r, i) => {
        // `stale` is rare inline (a newer write of the id overtook this one, or an id re-created
        // at a version its deleted generation also had): let a replay compare with the truth.
        if (r === 'applied') {
          if (seqs) done.push(seqs[i]!);
        } else {
          behind.push(ids[i]!);
          behindSeqs.push(seqs ? seqs[i]! : null);
        }
      });
      if (done.length > 0) b.completeLater(done);
      if (behind.length > 0) await b.record(behind, 'stale', null, seqs ? behindSeqs : null);
    } catch (err) {
      const timedOut = ctl.signal.aborted;
      b.metrics.counters.secondaryFailures++;
      if (timedOut) b.metrics.counters.secondaryTimeouts++;
      await b.record(ids, 'failure', err, seqs);
      for (const id of ids)
        b.events.emit('secondary-failure', { entity: b.name, id, error: err, timedOut });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A write of one item (add, update, upsert): `call` on the repository the phase names; in the
   * dual-write phases on the primary, then the mirror gets what the primary stored, at its version.
   */
  #writeItem(item: T, call: (repo: Repository<T>) => Promise<T>): Promise<T> {
    return this.#write(
      () => [idOf(this.entity, item)],
      call,
      async (seqs) => {
        const out = await this.#primary(seqs, () => call(this.#b.primary));
        await this.#mirror([idOf(this.entity, out)], seqs, async (signal) => [
          await this.#b.secondary!.put(out, versionOfItem(this.entity, out), { signal }),
        ]);
        return out;
      },
    );
  }

  async add(item: T, options?: CallOptions): Promise<T> {
    return this.#writeItem(item, (r) => r.add(item, options));
  }

  async addMany(items: readonly T[], options?: CallOptions): Promise<T[]> {
    return this.#write(
      () => items.map((i) => idOf(this.entity, i)),
      (r) => r.addMany(items, options),
      async (seqs) => {
        const out = await this.#primary(seqs, () => this.#b.primary.addMany(items, options));
        await this.#mirror(
          out.map((o) => idOf(this.entity, o)),
          seqs,
          (signal) =>
            this.#b.secondary!.putMany(
              out.map((item) => ({ item, version: versionOfItem(this.entity, item) })),
              { signal },
            ),
        );
        return out;
      },
    );
  }

  async update(item: T, options?: WriteOptions): Promise<T> {
    return this.#writeItem(item, (r) => r.update(item, options));
  }

  async upsert(item: T, options?: CallOptions): Promise<T> {
    return this.#writeItem(item, (r) => r.upsert(item, options));
  }

  async delete(id: Id, options?: WriteOptions): Promise<void> {
    return this.#write(
      () => [checkId(this.entity, id)],
      (r) => r.delete(id, options),
      async (seqs) => {
        const deleted = await this.#primary(seqs, () => this.#deletePrimary(id, options));
        await this.#mirror([id], seqs, async (signal) => [
          await this.#b.secondary!.remove(id, versionOfItem(this.entity, deleted), {
            signal,
            match: deleted,
          }),
        ]);
      },
    );
  }

  /**
   * The mirror needs what was deleted (its version for the tombstone, its content to tell it from
   * a re-created item), which `delete` does not report. So read the item and delete it with its
   * version as the expected version; for an unconditional delete, re-read when someone wrote in
   * between (the caller asked for "delete whatever is there", so a lost race is retried).
   */
  async #deletePrimary(id: Id, options: WriteOptions = {}): Promise<T> {
    const p = this.#b.primary;
    const explicit = options.expectedVersion ?? null;
    for (let attempt = 0; ; attempt++) {
      const current = await p.getById(id, options);
      if (!current)
        throw new NotFoundError(`${this.entity.name} "${id}" not found`, {
          entity: this.entity.name,
          id,
        });
      const version = versionOfItem(this.entity, current);
      try {
        // With an explicit expected version, the primary checks it (and reports its own error).
        await p.delete(id, { ...options, expectedVersion: explicit ?? version });
        if (explicit !== null && explicit !== version) {
          // The primary accepted a version our read did not see: someone wrote in between and the
          // caller's version matched the newer item; its content is unknown, so match nothing.
          return { ...current, [this.entity.version!]: explicit } as T;
        }
        return current;
      } catch (err) {
        if (explicit !== null || !(err instanceof ConcurrencyError) || attempt >= 20) throw err;
      }
    }
  }
}
