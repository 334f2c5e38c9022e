/**
 * Events and metrics of the polyglot layer. Plain in-process counters and latency summaries, so
 * the package needs no metrics library; `snapshot()` is what a `/metrics` exporter or the CLI
 * reads, and events let an app log or alert on each interesting thing as it happens.
 */
import type { Id } from '@mystira/repository';
import type { FieldDiff } from './diff.js';
import type { Phase } from './phases.js';

/**
 * The events of the polyglot layer, by name, with what each carries (see {@link PolyglotEmitter}).
 */
export interface PolyglotEvents {
  /** The phase of an entity changed. */
  phase: {
    /** The entity. */
    entity: string;
    /** The phase before. */
    from: Phase;
    /** The phase now. */
    to: Phase;
  };
  /** A secondary write failed or timed out; the id is (already) in the outbox. */
  'secondary-failure': {
    /** The entity. */
    entity: string;
    /** The item whose write failed. */
    id: Id;
    /** What the secondary threw (or the timeout). */
    error: unknown;
    /** Whether the write ran past `secondaryTimeoutMs`. */
    timedOut: boolean;
  };
  /**
   * The outbox could not record an id (it is held in memory and retried; a crash before the
   * retry succeeds loses the record, and only a verification scan finds the difference).
   */
  'outbox-unavailable': {
    /** The entity. */
    entity: string;
    /** The ids that could not be recorded. */
    ids: Id[];
    /** What the outbox threw. */
    error: unknown;
  };
  /** A shadow read or a verification found the stores disagreeing. */
  mismatch: {
    /** The entity. */
    entity: string;
    /** The item the stores disagree on. */
    id: Id;
    /** What found it: a shadow read or a verification. */
    source: 'shadow' | 'verify';
    /** Where they differ. */
    diffs: FieldDiff[];
  };
  /** A replay of one id finished (or gave up for now). */
  replayed: {
    /** The entity. */
    entity: string;
    /** The item replayed. */
    id: Id;
    /**
     * `in-sync`: nothing to do; `repaired`: the secondary was brought in line; `retry`: it failed
     * and the entry goes back to the outbox.
     */
    outcome: 'in-sync' | 'repaired' | 'retry';
    /** Why it failed, with `retry`. */
    error?: unknown;
  };
}

/** The name of a polyglot event. */
export type PolyglotEventName = keyof PolyglotEvents;
/**
 * Receives one kind of event.
 *
 * @inline
 */
type Listener<K extends PolyglotEventName> = (event: PolyglotEvents[K]) => void;

/** A tiny typed emitter; a throwing listener never breaks a write. */
export class PolyglotEmitter {
  readonly #listeners = new Map<PolyglotEventName, Set<Listener<never>>>();

  /** Subscribes `listener` to the `name` events; returns a function that unsubscribes it. */
  on<K extends PolyglotEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Calls every listener of `name` with `event`; a listener that throws is ignored. */
  emit<K extends PolyglotEventName>(name: K, event: PolyglotEvents[K]): void {
    for (const l of this.#listeners.get(name) ?? []) {
      try {
        (l as Listener<K>)(event);
      } catch {
        // Observers must not be able to fail the write they observe.
      }
    }
  }
}

/** Count, mean, max and recent percentiles of a latency, in ms. */
export interface LatencySummary {
  /** Samples recorded in all (the percentiles cover the most recent ones). */
  readonly count: number;
  /** Mean over every sample, in ms. */
  readonly meanMs: number;
  /** Largest sample, in ms. */
  readonly maxMs: number;
  /** Median of the recent samples, in ms. */
  readonly p50Ms: number;
  /** 99th percentile of the recent samples, in ms. */
  readonly p99Ms: number;
}

/** Keeps the last `size` samples for percentiles, plus running totals. */
export class LatencyRecorder {
  readonly #ring: Float64Array;
  #n = 0;
  #sum = 0;
  #max = 0;

  constructor(size = 1024) {
    this.#ring = new Float64Array(size);
  }

  /** Records one sample, in ms. */
  record(ms: number): void {
    this.#ring[this.#n % this.#ring.length] = ms;
    this.#n++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** The summary of what was recorded so far. */
  summary(): LatencySummary {
    const k = Math.min(this.#n, this.#ring.length);
    const sorted = Array.from(this.#ring.subarray(0, k)).sort((a, b) => a - b);
    const at = (p: number) => (k === 0 ? 0 : sorted[Math.min(k - 1, Math.floor(p * k))]!);
    return {
      count: this.#n,
      meanMs: this.#n === 0 ? 0 : this.#sum / this.#n,
      maxMs: this.#max,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  }
}

/** Counters of one entity (or of the whole registry, summed). */
export interface PolyglotCounters {
  /** Dual writes the secondary applied in time. */
  secondaryWrites: number;
  /** Dual writes that failed on the secondary (timeouts included); their ids went to the outbox. */
  secondaryFailures: number;
  /** Of those, the ones that ran past `secondaryTimeoutMs`. */
  secondaryTimeouts: number;
  /** Records appended to the outbox. */
  outboxAppends: number;
  /** Times the outbox could not record (see the `outbox-unavailable` event). */
  outboxUnavailable: number;
  /** Outbox entries replayed to completion. */
  replays: number;
  /** Of those, the ones that changed the secondary. */
  replayRepairs: number;
  /** Replays that failed and went back to the outbox. */
  replayFailures: number;
  /** Reads compared with the secondary. */
  shadowReads: number;
  /** Disagreements found by shadow reads and verification. */
  mismatches: number;
}

export function zeroCounters(): PolyglotCounters {
  return {
    secondaryWrites: 0,
    secondaryFailures: 0,
    secondaryTimeouts: 0,
    outboxAppends: 0,
    outboxUnavailable: 0,
    replays: 0,
    replayRepairs: 0,
    replayFailures: 0,
    shadowReads: 0,
    mismatches: 0,
  };
}

/** The live metrics of one entity binding. */
export class EntityMetrics {
  /** The entity's counters. */
  readonly counters: PolyglotCounters = zeroCounters();
  /** Latency of the secondary's side of dual writes. */
  readonly secondaryWriteLatency = new LatencyRecorder();
  /** Latency of the primary read of shadow reads. */
  readonly shadowPrimaryLatency = new LatencyRecorder();
  /** Latency of the secondary read of shadow reads. */
  readonly shadowSecondaryLatency = new LatencyRecorder();
  /** Timestamps (ms) of recent replays, for a replay rate over the last minute. */
  readonly #replayTimes: number[] = [];

  /** Records a completed replay at `now` (ms), for {@link EntityMetrics.replayRate}. */
  noteReplay(now: number): void {
    this.#replayTimes.push(now);
    if (this.#replayTimes.length > 10_000)
      this.#replayTimes.splice(0, this.#replayTimes.length - 10_000);
  }

  /** Replays per second over the last `windowMs`. */
  replayRate(now: number, windowMs = 60_000): number {
    const from = now - windowMs;
    let n = 0;
    for (let i = this.#replayTimes.length - 1; i >= 0 && this.#replayTimes[i]! >= from; i--) n++;
    return n / (windowMs / 1000);
  }
}
