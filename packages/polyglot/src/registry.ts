/**
 * The registry: binds each entity to its store(s) and phase, and owns what they share (the
 * outbox, events, metrics). An app asks `polyglot.repositories.accounts` and gets a
 * `Repository<T>` that follows the entity's phase; operators (or the CLI) drive phases,
 * replays, backfills and verifications through the same object.
 */

import type { CallOptions, Id, Repository } from '@mystira/repository';
import type { EntityDef } from '@mystira/specification';
import { type BackfillOptions, type BackfillProgress, backfill } from './backfill.js';
import { Batcher } from './batcher.js';
import { PhaseChangeError, PolyglotConfigError } from './errors.js';
import type { MirrorStore } from './mirror.js';
import {
  EntityMetrics,
  type LatencySummary,
  type PolyglotCounters,
  PolyglotEmitter,
  type PolyglotEventName,
  type PolyglotEvents,
} from './observe.js';
import type { Outbox, OutboxReason, OutboxRecord, OutboxStats } from './outbox.js';
import type { PhaseStore } from './phase-store.js';
import { isPhase, needsSecondary, type Phase } from './phases.js';
import { backoffDelay, OutboxReplayer, type ReplayerOptions } from './replayer.js';
import {
  type BindingState,
  type Durability,
  idKey,
  PolyglotRepository,
  type ShadowReadOptions,
} from './repository.js';
import {
  type CompareOptions,
  type ConsistencyResult,
  type ScanOptions,
  type ScanReport,
  scanConsistency,
  validateConsistency,
} from './verify.js';

/** How one entity is served: its stores, its phase at start, and how dual writes behave. */
export interface EntityBinding<T extends object> {
  /** The store the entity lives in today (the truth until `SecondaryOnly`). */
  primary: Repository<T>;
  /** The store it moves to / is copied to. Required by every phase but `PrimaryOnly`. */
  secondary?: MirrorStore<T>;
  /** Phase at start. Default `PrimaryOnly`. */
  phase?: Phase;
  /** Timeout of the secondary half of a dual write (ms). Default 2000. */
  secondaryTimeoutMs?: number;
  /** Default `intent` (crash-safe). See `Durability`. */
  durability?: Durability;
  /**
   * How long an intent waits before the replayer treats it as abandoned (ms). Long enough for a
   * normal dual write to finish and delete it. Default 30 000.
   */
  intentGraceMs?: number;
  /** Shadow reads in dual phases (off by default). `true` = every read. */
  shadowReads?: boolean | ShadowReadOptions;
}

/** Options of {@link Polyglot}. */
export interface PolyglotOptions<E extends Record<string, EntityBinding<object>>> {
  /** The entities, by the name their repository is registered under. */
  entities: E;
  /** Where pending secondary writes are recorded. Shared by every entity. */
  outbox: Outbox;
  /**
   * Shared phases for several processes: `setPhase` records the new phase here, and
   * `syncPhases`/`watchPhases` make this instance follow what others recorded.
   */
  phases?: PhaseStore;
  /** Clock and randomness (tests inject them). */
  now?: () => number;
  /** Randomness (replay jitter, shadow-read sampling). Default `Math.random`. */
  random?: () => number;
}

/**
 * The item type of a binding.
 *
 * @inline
 */
type ItemOf<B> = B extends EntityBinding<infer T> ? T : never;

/** Options of {@link Polyglot.setPhase}. */
export interface PhaseChangeOptions extends CallOptions {
  /**
   * Skip the precondition: switching to a secondary-read phase normally replays the entity's
   * outbox until it is empty (writes of the entity wait meanwhile), and leaving `SecondaryOnly`
   * is refused (the primary stopped receiving writes).
   */
  force?: boolean;
  /** Give up draining after this long (ms). Default 30 000. */
  drainTimeoutMs?: number;
  /** Record the new phase in the registry's `PhaseStore` (default true when there is one). */
  record?: boolean;
}

/** One entity's metrics, from {@link Polyglot.metrics}. */
export interface EntityMetricsSnapshot {
  /** Its phase now. */
  readonly phase: Phase;
  /** Its entries in the outbox. */
  readonly outbox: OutboxStats;
  /** Replays per second over the last minute. */
  readonly replayRatePerSecond: number;
  /** Its counters since this process started. */
  readonly counters: PolyglotCounters;
  /** Latency of the secondary's side of dual writes. */
  readonly secondaryWriteLatency: LatencySummary;
  /** Latency of the primary read of shadow reads. */
  readonly shadowPrimaryLatency: LatencySummary;
  /** Latency of the secondary read of shadow reads. */
  readonly shadowSecondaryLatency: LatencySummary;
  /** Ids this process knows to be behind in the secondary. */
  readonly behind: number;
}

/** Structurally a `HealthCheck` of `@mystira/health` (register it there). */
export interface PolyglotHealthCheck {
  /** `polyglot.<entity>.primary`, `polyglot.<entity>.secondary` or `polyglot.outbox`. */
  name: string;
  /**
   * Whether the service cannot work without it: a store the entity's phase reads from. The outbox
   * is never critical.
   */
  critical: boolean;
  /** `['ready']`: readiness checks. */
  tags: readonly string[];
  /**
   * Reads a probe id from the store (or the outbox's stats); rejects when the store is down. The
   * outbox is `degraded` when its oldest entry is older than `outboxMaxAgeMs`.
   */
  check(ctx: { signal: AbortSignal }): Promise<
    | {
        /** The outcome. */
        status: 'healthy' | 'degraded' | 'unhealthy';
        /** The entity's phase, or the outbox's depth and age. */
        detail?: Record<string, unknown>;
      }
    | undefined
  >;
}

/**
 * The polyglot registry: binds each entity to its store(s) and phase, and owns what they share
 * (outbox, events, metrics). Apps read and write through {@link Polyglot.repositories}; operators
 * (or `mystira-polyglot`) drive phases, replays, backfills and verifications through the same
 * object.
 */
export class Polyglot<E extends Record<string, EntityBinding<object>>> {
  /** One repository per entity, by the name it was registered under. */
  readonly repositories: { readonly [K in keyof E]: PolyglotRepository<ItemOf<E[K]>> };
  /** The outbox every entity shares. */
  readonly outbox: Outbox;
  /** Where phases are recorded for the fleet (`PolyglotOptions.phases`), if anywhere. */
  readonly phaseStore: PhaseStore | undefined;
  readonly #bindings = new Map<string, BindingState<object>>();
  readonly #events = new PolyglotEmitter();
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #appends: Batcher<OutboxRecord, string>;
  readonly #completions: Batcher<string, number>;
  /** Records the outbox refused, retried on the next write or `settled()`. */
  #unrecorded: OutboxRecord[] = [];

  constructor(options: PolyglotOptions<E>) {
    this.outbox = options.outbox;
    this.phaseStore = options.phases;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#appends = new Batcher((records) => this.outbox.append(records));
    this.#completions = new Batcher(async (seqs) => {
      const n = await this.outbox.complete(seqs);
      return seqs.map(() => n);
    });
    const repos: Record<string, PolyglotRepository<object>> = {};
    for (const [name, binding] of Object.entries(options.entities)) {
      const state = this.#bind(name, binding);
      this.#bindings.set(name, state);
      repos[name] = new PolyglotRepository(state);
    }
    this.repositories = repos as never;
  }

  #bind(name: string, c: EntityBinding<object>): BindingState<object> {
    const entity: EntityDef = c.primary.entity;
    const phase = c.phase ?? 'PrimaryOnly';
    if (!isPhase(phase))
      throw new PolyglotConfigError(`${name}: unknown phase "${String(phase)}"`, { entity: name });
    if (c.secondary) {
      if (!entity.version) {
        throw new PolyglotConfigError(
          `${name}: entity "${entity.name}" needs a version field to be mirrored (replays are version-gated)`,
          { entity: name },
        );
      }
      if (c.secondary.entity.name !== entity.name || c.secondary.entity.id !== entity.id) {
        throw new PolyglotConfigError(`${name}: primary and secondary hold different entities`, {
          entity: name,
        });
      }
    }
    if (needsSecondary(phase) && !c.secondary)
      throw new PolyglotConfigError(`${name}: phase ${phase} needs a secondary`, { entity: name });
    const shadow = c.shadowReads === true ? {} : c.shadowReads || null;
    const metrics = new EntityMetrics();
    const state: BindingState<object> = {
      name,
      entity,
      primary: c.primary,
      secondary: c.secondary,
      outbox: this.outbox,
      metrics,
      events: this.#events,
      durability: c.durability ?? 'intent',
      secondaryTimeoutMs: c.secondaryTimeoutMs ?? 2000,
      intentGraceMs: c.intentGraceMs ?? 30_000,
      shadow: shadow
        ? { sampleRate: shadow.sampleRate ?? 1, ignoreFields: shadow.ignoreFields ?? [] }
        : null,
      random: this.#random,
      now: this.#now,
      phase,
      dirty: new Map(),
      barrier: null,
      inflight: 0,
      idleWaiters: [],
      background: new Set(),
      appendIntent: async (records) => {
        const recs = records.map((r) => ({
          entity: name,
          id: r.id,
          version: r.version ?? null,
          reason: 'intent' as const,
          delayMs: state.intentGraceMs,
        }));
        try {
          await this.#flushUnrecorded();
          const seqs = await this.#appends.push(recs);
          metrics.counters.outboxAppends += recs.length;
          return seqs;
        } catch (error) {
          // Degrade to "record on failure" for this write rather than fail a write that has not
          // started: the app keeps working while the outbox is down (see the event's doc).
          metrics.counters.outboxUnavailable++;
          this.#events.emit('outbox-unavailable', {
            entity: name,
            ids: records.map((r) => r.id),
            error,
          });
          return null;
        }
      },
      completeLater: (seqs) => {
        const p = this.#completions.push(seqs).catch(() => {
          // Left behind, the intent is replayed after its grace period: a wasted sync, no harm.
        });
        state.background.add(p);
        void p.finally(() => state.background.delete(p));
      },
      record: async (ids, reason, error, seqs) => {
        for (const id of ids) state.dirty.set(idKey(id), (state.dirty.get(idKey(id)) ?? 0) + 1);
        const message =
          error === null ? null : error instanceof Error ? error.message : String(error);
        const fresh: OutboxRecord[] = [];
        for (let i = 0; i < ids.length; i++) {
          const seq = seqs?.[i];
          if (seq) {
            // The intent is already durable; make it due soon instead of after the grace period.
            await this.outbox
              .retry(seq, { delayMs: backoffDelay(0, {}, this.#random), error: message })
              .catch(() => {});
          } else {
            fresh.push({
              entity: name,
              id: ids[i]!,
              reason,
              error: message,
              delayMs: backoffDelay(0, {}, this.#random),
            });
          }
        }
        if (fresh.length > 0) await this.#record(name, fresh);
      },
    };
    return state;
  }

  async #record(name: string, records: OutboxRecord[]): Promise<void> {
    const metrics = this.#bindings.get(name)?.metrics;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#appends.push(records);
        if (metrics) metrics.counters.outboxAppends += records.length;
        return;
      } catch (error) {
        if (attempt === 2) {
          if (metrics) metrics.counters.outboxUnavailable++;
          this.#unrecorded.push(...records);
          this.#events.emit('outbox-unavailable', {
            entity: name,
            ids: records.map((r) => r.id),
            error,
          });
          return;
        }
        await new Promise((r) =>
          setTimeout(r, backoffDelay(attempt, { baseMs: 50 }, this.#random)),
        );
      }
    }
  }

  async #flushUnrecorded(): Promise<void> {
    if (this.#unrecorded.length === 0) return;
    const records = this.#unrecorded;
    this.#unrecorded = [];
    try {
      await this.#appends.push(records);
    } catch (err) {
      this.#unrecorded.unshift(...records);
      throw err;
    }
  }

  #get(name: string): BindingState<object> {
    const b = this.#bindings.get(name);
    if (!b) throw new PolyglotConfigError(`no entity "${name}" in this registry`, { entity: name });
    return b;
  }

  /** Registered entity names. */
  get names(): string[] {
    return [...this.#bindings.keys()];
  }

  /** The repository of an entity by name (`repositories[name]` with a runtime check). */
  repository<T extends object = object>(name: string): PolyglotRepository<T> {
    this.#get(name);
    return (this.repositories as unknown as Record<string, PolyglotRepository<T>>)[name]!;
  }

  /** The binding (stores, phase) behind an entity, for tools (CLI, tests). */
  binding(name: string): BindingState<object> | undefined {
    return this.#bindings.get(name);
  }

  /** The phase of entity `name` in this process. */
  phase(name: string): Phase {
    return this.#get(name).phase;
  }

  /** The phase of every entity in this process. */
  phases(): Record<string, Phase> {
    return Object.fromEntries([...this.#bindings].map(([n, b]) => [n, b.phase]));
  }

  /** Subscribes to one kind of event of every entity; returns a function that unsubscribes. */
  on<K extends PolyglotEventName>(event: K, listener: (e: PolyglotEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Switches an entity's phase at runtime. New writes of the entity wait while the writes already
   * running finish in the old phase; then (unless `force`) a switch to a secondary-read phase
   * replays the entity's outbox until it is empty, so no read is answered from a secondary that
   * is known to be behind. Reads never wait.
   * @throws PhaseChangeError when the target needs a missing secondary, when leaving
   * `SecondaryOnly` without `force`, or when the drain does not finish in `drainTimeoutMs`.
   */
  async setPhase(name: string, to: Phase, options: PhaseChangeOptions = {}): Promise<void> {
    const b = this.#get(name);
    if (!isPhase(to)) throw new PhaseChangeError(`unknown phase "${String(to)}"`, { entity: name });
    if (needsSecondary(to) && !b.secondary)
      throw new PhaseChangeError(`${name}: phase ${to} needs a secondary`, { entity: name });
    while (b.barrier) await b.barrier;
    const from = b.phase;
    if (from === to) return;
    if (from === 'SecondaryOnly' && !options.force) {
      throw new PhaseChangeError(
        `${name}: leaving SecondaryOnly would read a primary that stopped receiving writes (use force after copying back)`,
        { entity: name },
      );
    }
    let release!: () => void;
    b.barrier = new Promise<void>((r) => {
      release = r;
    });
    try {
      if (b.inflight > 0) await new Promise<void>((r) => b.idleWaiters.push(r));
      await this.#completions.idle();
      const drain = !options.force && (to === 'SecondaryOnly' || to === 'DualWriteSecondaryRead');
      if (drain) {
        const signal = anySignal(
          options.signal,
          AbortSignal.timeout(options.drainTimeoutMs ?? 30_000),
        );
        const replayer = new OutboxReplayer(this, this.outbox, {
          entity: name,
          idleMs: 50,
          backoff: { baseMs: 20, maxMs: 500 },
        });
        try {
          await replayer.drain({ ignoreSchedule: true, signal });
        } catch (cause) {
          throw new PhaseChangeError(
            `${name}: the outbox did not drain before the switch to ${to}`,
            { entity: name, cause },
          );
        }
        b.dirty.clear();
      }
      // Recorded first: if the store is down the switch fails whole, rather than leaving this
      // instance in a phase the others will never follow.
      if (this.phaseStore && options.record !== false)
        await this.phaseStore.save(name, to, { signal: options.signal });
      b.phase = to;
      this.#events.emit('phase', { entity: name, from, to });
    } finally {
      b.barrier = null;
      release();
    }
  }

  /**
   * Follows the phases recorded in the `PhaseStore` by other instances: each entity whose
   * recorded phase differs switches to it (waiting for its in-flight writes, without a second
   * drain: the instance that recorded it did that). Returns the entities that changed.
   */
  async syncPhases(options: CallOptions = {}): Promise<string[]> {
    if (!this.phaseStore) return [];
    const recorded = await this.phaseStore.load(options);
    const changed: string[] = [];
    for (const [name, phase] of Object.entries(recorded)) {
      const b = this.#bindings.get(name);
      if (!b || b.phase === phase || !isPhase(phase)) continue;
      await this.setPhase(name, phase, { ...options, force: true, record: false });
      changed.push(name);
    }
    return changed;
  }

  /**
   * Polls the `PhaseStore` every `intervalMs` (default 2000) and follows it. Returns a function
   * that stops polling. Errors of a poll (store unreachable) are reported to `onError` and the
   * next poll tries again; the current phases stay.
   */
  watchPhases(options: { intervalMs?: number; onError?: (err: unknown) => void } = {}): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.syncPhases()
        .catch((err) => options.onError?.(err))
        .finally(() => {
          running = false;
        });
    }, options.intervalMs ?? 2000);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  /** A replayer over this registry's outbox (see `OutboxReplayer`). */
  replayer(options?: ReplayerOptions): OutboxReplayer {
    return new OutboxReplayer(this, this.outbox, options);
  }

  /** Copies the entity's primary into its secondary (see `backfill`). */
  backfill(name: string, options?: BackfillOptions): Promise<BackfillProgress> {
    const b = this.#get(name);
    if (!b.secondary)
      throw new PolyglotConfigError(`${name}: no secondary to backfill`, { entity: name });
    return backfill(name, b.primary, b.secondary, options);
  }

  /** Field-level comparison of one id in both stores. */
  validateConsistency(name: string, id: Id, options?: CompareOptions): Promise<ConsistencyResult> {
    const b = this.#get(name);
    if (!b.secondary)
      throw new PolyglotConfigError(`${name}: no secondary to compare with`, { entity: name });
    return validateConsistency(b.primary, b.secondary.repository, id, options);
  }

  /**
   * Full (or sampled) comparison of both stores. With `repair`, each difference is queued in the
   * outbox, so the next replay copies the primary's truth over it.
   */
  async verify(
    name: string,
    options: ScanOptions & { repair?: boolean } = {},
  ): Promise<ScanReport> {
    const b = this.#get(name);
    if (!b.secondary)
      throw new PolyglotConfigError(`${name}: no secondary to compare with`, { entity: name });
    const repairs: OutboxRecord[] = [];
    const report = await scanConsistency(b.primary, b.secondary.repository, {
      ...options,
      onDifference: async (r) => {
        b.metrics.counters.mismatches++;
        this.#events.emit('mismatch', { entity: name, id: r.id, source: 'verify', diffs: r.diffs });
        if (options.repair)
          repairs.push({ entity: name, id: r.id, reason: 'repair' as OutboxReason });
        await options.onDifference?.(r);
      },
    });
    if (repairs.length > 0) await this.outbox.append(repairs, options);
    return report;
  }

  /**
   * Drops tombstones older than `olderThanMs` once both stores agree the item is gone (absent in
   * the primary, no outbox entry for it). Returns how many were dropped.
   */
  async purgeTombstones(
    name: string,
    options: CallOptions & { olderThanMs?: number; limit?: number } = {},
  ): Promise<number> {
    const b = this.#get(name);
    if (!b.secondary) return 0;
    const stones = await b.secondary.tombstones({
      before: this.#now() - (options.olderThanMs ?? 86_400_000),
      limit: options.limit ?? 1000,
      signal: options.signal,
    });
    let n = 0;
    for (const t of stones) {
      if (await this.outbox.pending(name, t.id, options)) continue;
      if (await b.primary.getById(t.id, options)) continue;
      if (await b.secondary.purgeTombstone(t.id, t.version, options)) n++;
    }
    return n;
  }

  /** Metrics of every entity: phase, outbox depth/age, replay rate, counters, latencies. */
  async metrics(options: CallOptions = {}): Promise<Record<string, EntityMetricsSnapshot>> {
    const out: Record<string, EntityMetricsSnapshot> = {};
    for (const [name, b] of this.#bindings) {
      out[name] = {
        phase: b.phase,
        outbox: await this.outbox.stats({ entity: name, signal: options.signal }),
        replayRatePerSecond: b.metrics.replayRate(this.#now()),
        counters: { ...b.metrics.counters },
        secondaryWriteLatency: b.metrics.secondaryWriteLatency.summary(),
        shadowPrimaryLatency: b.metrics.shadowPrimaryLatency.summary(),
        shadowSecondaryLatency: b.metrics.shadowSecondaryLatency.summary(),
        behind: b.dirty.size,
      };
    }
    return out;
  }

  /**
   * Health checks per backend and for the outbox, shaped like `@mystira/health`'s `HealthCheck`.
   * A store is critical when the entity's phase reads from it; the outbox reports `degraded` when
   * its oldest entry is older than `outboxMaxAgeMs` (default 5 minutes).
   */
  healthChecks(options: { outboxMaxAgeMs?: number } = {}): PolyglotHealthCheck[] {
    const checks: PolyglotHealthCheck[] = [];
    for (const [name, b] of this.#bindings) {
      const probe: Id =
        b.entity.fieldAt(b.entity.id)?.type === 'number' ? -1 : '__polyglot_health_probe__';
      checks.push({
        name: `polyglot.${name}.primary`,
        critical: b.phase !== 'SecondaryOnly',
        tags: ['ready'],
        check: async ({ signal }) => {
          await b.primary.getById(probe, { signal });
          return { status: 'healthy', detail: { phase: b.phase } };
        },
      });
      if (b.secondary) {
        const secondary = b.secondary;
        checks.push({
          name: `polyglot.${name}.secondary`,
          critical: b.phase === 'DualWriteSecondaryRead' || b.phase === 'SecondaryOnly',
          tags: ['ready'],
          check: async ({ signal }) => {
            await secondary.head(probe, { signal });
            return { status: 'healthy', detail: { phase: b.phase } };
          },
        });
      }
    }
    const maxAge = options.outboxMaxAgeMs ?? 300_000;
    checks.push({
      name: 'polyglot.outbox',
      critical: false,
      tags: ['ready'],
      check: async ({ signal }) => {
        const s = await this.outbox.stats({ signal });
        const late = s.oldestAgeMs !== null && s.oldestAgeMs > maxAge;
        return {
          status: late ? 'degraded' : 'healthy',
          detail: { depth: s.depth, due: s.due, oldestAgeMs: s.oldestAgeMs },
        };
      },
    });
    return checks;
  }

  /** Waits for background work: lazy outbox completions, shadow comparisons, unrecorded records. */
  async settled(): Promise<void> {
    for (const b of this.#bindings.values()) await Promise.allSettled([...b.background]);
    await this.#completions.idle();
    await this.#appends.idle();
    await this.#flushUnrecorded().catch(() => {});
  }
}

/** Builds a registry. */
export function createPolyglot<E extends Record<string, EntityBinding<object>>>(
  options: PolyglotOptions<E>,
): Polyglot<E> {
  return new Polyglot(options);
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
