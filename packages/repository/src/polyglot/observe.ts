/**
 * Events and metrics of the polyglot layer. Plain in-process counters and latency summaries, so
 * the package needs no metrics library; `snapshot()` is what a `/metrics` exporter or the CLI
 * reads, and events let an app log or alert on each interesting thing as it happens.
 */
import type { Id } from '../port.js';
import type { FieldDiff } from './diff.js';
import type { Phase } from './phases.js';

export interface PolyglotEvents {
  /** The phase of an entity changed. */
  phase: { entity: string; from: Phase; to: Phase };
  /** A secondary write failed or timed out; the id is (already) in the outbox. */
  'secondary-failure': { entity: string; id: Id; error: unknown; timedOut: boolean };
  /**
   * The outbox could not record an id (it is held in memory and retried; a crash before the
   * retry succeeds loses the record, and only a verification scan finds the difference).
   */
  'outbox-unavailable': { entity: string; ids: Id[]; error: unknown };
  /** A shadow read or a verification found the stores disagreeing. */
  mismatch: { entity: string; id: Id; source: 'shadow' | 'verify'; diffs: FieldDiff[] };
  /** A replay of one id finished (or gave up for now). */
  replayed: { entity: string; id: Id; outcome: 'in-sync' | 'repaired' | 'retry'; error?: unknown };
}

export type PolyglotEventName = keyof PolyglotEvents;
type Listener<K extends PolyglotEventName> = (event: PolyglotEvents[K]) => void;

/** A tiny typed emitter; a throwing listener never breaks a write. */
export class PolyglotEmitter {
  readonly #listeners = new Map<PolyglotEventName, Set<Listener<never>>>();

  on<K extends PolyglotEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

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
  readonly count: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly p50Ms: number;
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

  record(ms: number): void {
    this.#ring[this.#n % this.#ring.length] = ms;
    this.#n++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

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
  secondaryWrites: number;
  secondaryFailures: number;
  secondaryTimeouts: number;
  outboxAppends: number;
  outboxUnavailable: number;
  replays: number;
  replayRepairs: number;
  replayFailures: number;
  shadowReads: number;
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
  readonly counters: PolyglotCounters = zeroCounters();
  readonly secondaryWriteLatency = new LatencyRecorder();
  readonly shadowPrimaryLatency = new LatencyRecorder();
  readonly shadowSecondaryLatency = new LatencyRecorder();
  /** Timestamps (ms) of recent replays, for a replay rate over the last minute. */
  readonly #replayTimes: number[] = [];

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
