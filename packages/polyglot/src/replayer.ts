/**
 * The outbox replayer: claims due entries (leased, so several replayers share the work and a
 * crashed one's entries come back when its lease runs out), copies the primary's truth for each
 * id through the mirror's gate (`syncId`), and deletes the entries once the stores agree. A
 * failing id is given back with exponential backoff and full jitter. Run it in the app
 * (`start()`), in a separate process (the CLI's `replay`), or step by step (`runOnce`, `drain`).
 */
import { type Id, throwIfAborted } from '@mystira/repository';
import type { OutboxEntry } from './outbox.js';
import { type BindingState, idKey } from './repository.js';
import { sleep } from './sleep.js';
import { syncId } from './sync.js';

/** How long a failing id waits before its next replay: exponential backoff with full jitter. */
export interface BackoffOptions {
  /** First retry delay (ms). Default 200. */
  baseMs?: number;
  /** Largest delay (ms). Default 60 000. */
  maxMs?: number;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 60_000;
  return Math.floor(random() * Math.min(max, base * 2 ** Math.min(attempt, 30)));
}

/** Options of {@link OutboxReplayer} (`Polyglot.replayer`). */
export interface ReplayerOptions {
  /** Lease owner id; unique per replayer. Default a random id. */
  owner?: string;
  /** Entries claimed per round. Default 100. */
  batchSize?: number;
  /** Lease length (ms): longer than one round takes. Default 30 000. */
  leaseMs?: number;
  /** Ids synced in parallel. Default 4. */
  concurrency?: number;
  /** Pause between rounds when nothing was due (ms), in `start()`. Default 500. */
  idleMs?: number;
  /** Delays before a failing id is retried. */
  backoff?: BackoffOptions;
  /** Only this entity (registry name). */
  entity?: string;
}

/** What one round of a replayer did. */
export interface ReplayRound {
  /** Entries claimed. */
  readonly claimed: number;
  /** Ids found already in agreement. */
  readonly inSync: number;
  /** Ids the replay changed in the mirror. */
  readonly repaired: number;
  /** Ids given back for a later retry. */
  readonly retried: number;
}

/**
 * What a replayer reads the entities' bindings from: the {@link Polyglot} registry.
 *
 * @inline
 */
export interface ReplayerHost {
  /** The binding of entity `name`, or undefined when there is none. */
  binding(name: string): BindingState<object> | undefined;
}

/**
 * Replays the outbox: claims due entries (leased, so several replayers share the work and a crashed
 * one's entries come back when its lease ends), copies the primary's truth of each id through the
 * mirror's version gate and deletes the entries once the stores agree. A failing id is given back
 * with backoff.
 */
export class OutboxReplayer {
  /** The lease owner id of this replayer. */
  readonly owner: string;
  readonly #host: ReplayerHost;
  readonly #outbox: import('./outbox.js').Outbox;
  readonly #o: Required<Omit<ReplayerOptions, 'entity' | 'owner' | 'backoff'>> &
    Pick<ReplayerOptions, 'entity' | 'backoff'>;
  #loop: Promise<void> | null = null;
  #stop: AbortController | null = null;

  constructor(
    host: ReplayerHost,
    outbox: import('./outbox.js').Outbox,
    options: ReplayerOptions = {},
  ) {
    this.#host = host;
    this.#outbox = outbox;
    this.owner = options.owner ?? `replayer-${Math.random().toString(36).slice(2, 10)}`;
    this.#o = {
      batchSize: options.batchSize ?? 100,
      leaseMs: options.leaseMs ?? 30_000,
      concurrency: options.concurrency ?? 4,
      idleMs: options.idleMs ?? 500,
      entity: options.entity,
      backoff: options.backoff,
    };
  }

  /** One round: claim, sync, complete or give back. */
  async runOnce(
    options: { signal?: AbortSignal; ignoreSchedule?: boolean } = {},
  ): Promise<ReplayRound> {
    throwIfAborted(options.signal);
    const entries = await this.#outbox.claim({
      owner: this.owner,
      limit: this.#o.batchSize,
      leaseMs: this.#o.leaseMs,
      entity: this.#o.entity,
      ignoreSchedule: options.ignoreSchedule,
      signal: options.signal,
    });
    // Several entries for one id are one sync.
    const groups = new Map<string, OutboxEntry[]>();
    for (const e of entries) {
      const k = `${e.entity}\u0000${idKey(e.id)}`;
      const g = groups.get(k);
      if (g) g.push(e);
      else groups.set(k, [e]);
    }
    let inSync = 0;
    let repaired = 0;
    let retried = 0;
    const queue = [...groups.values()];
    const worker = async () => {
      for (let g = queue.shift(); g; g = queue.shift()) {
        const outcome = await this.#replay(g, options.signal);
        if (outcome === 'in-sync') inSync++;
        else if (outcome === 'repaired') repaired++;
        else retried++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, worker));
    return { claimed: entries.length, inSync, repaired, retried };
  }

  async #replay(
    group: OutboxEntry[],
    signal: AbortSignal | undefined,
  ): Promise<'in-sync' | 'repaired' | 'retry'> {
    const { entity, id } = group[0]!;
    const seqs = group.map((e) => e.seq);
    const b = this.#host.binding(entity);
    if (!b) {
      await this.#giveBack(group, `no binding for entity "${entity}" in this registry`);
      return 'retry';
    }
    // In SecondaryOnly the secondary is the truth: copying the retired primary would regress it.
    // Without a secondary there is nothing to copy to.
    if (b.phase === 'SecondaryOnly' || !b.secondary) {
      await this.#outbox.complete(seqs, { owner: this.owner, signal });
      return 'in-sync';
    }
    try {
      const outcome = await syncId(b.primary, b.secondary, id as Id, { signal });
      if (outcome === 'unsettled') throw new Error('the stores kept changing during the replay');
      await this.#outbox.complete(seqs, { owner: this.owner, signal });
      b.dirty.delete(idKey(id));
      b.metrics.counters.replays++;
      if (outcome === 'repaired') b.metrics.counters.replayRepairs++;
      b.metrics.noteReplay(b.now());
      b.events.emit('replayed', { entity, id, outcome });
      return outcome;
    } catch (err) {
      b.metrics.counters.replayFailures++;
      b.events.emit('replayed', { entity, id, outcome: 'retry', error: err });
      await this.#giveBack(group, err instanceof Error ? err.message : String(err));
      return 'retry';
    }
  }

  async #giveBack(group: OutboxEntry[], error: string): Promise<void> {
    for (const e of group) {
      await this.#outbox
        .retry(e.seq, {
          owner: this.owner,
          delayMs: backoffDelay(e.attempts, this.#o.backoff),
          error,
        })
        .catch(() => {
          // The lease expires on its own; the entry comes back either way.
        });
    }
  }

  /**
   * Rounds until the outbox (of this replayer's entity, if set) is empty, or `maxRounds`.
   * `ignoreSchedule` replays entries before they are due (draining for a phase change, tests).
   * Waits `idleMs` between rounds that made no progress.
   */
  async drain(
    options: { signal?: AbortSignal; ignoreSchedule?: boolean; maxRounds?: number } = {},
  ): Promise<ReplayRound> {
    const total = { claimed: 0, inSync: 0, repaired: 0, retried: 0 };
    for (let i = 0; i < (options.maxRounds ?? Number.POSITIVE_INFINITY); i++) {
      const r = await this.runOnce(options);
      total.claimed += r.claimed;
      total.inSync += r.inSync;
      total.repaired += r.repaired;
      total.retried += r.retried;
      const stats = await this.#outbox.stats({ entity: this.#o.entity, signal: options.signal });
      if (stats.depth === 0) break;
      if (r.claimed === 0 || r.retried > 0) await sleep(this.#o.idleMs, options.signal);
    }
    return total;
  }

  /** Runs rounds in the background until `stop()`. Errors of a round (outbox down) are retried. */
  start(): void {
    if (this.#loop) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#loop = (async () => {
      let failures = 0;
      while (!stop.signal.aborted) {
        try {
          const r = await this.runOnce({ signal: stop.signal });
          failures = 0;
          if (r.claimed < this.#o.batchSize) await sleep(this.#o.idleMs, stop.signal);
        } catch {
          if (stop.signal.aborted) break;
          await sleep(backoffDelay(failures++, this.#o.backoff), stop.signal).catch(() => {});
        }
      }
    })().catch(() => {});
  }

  /** Stops the background loop and waits for the round in progress. */
  async stop(): Promise<void> {
    this.#stop?.abort(new Error('replayer stopped'));
    await this.#loop;
    this.#loop = null;
    this.#stop = null;
  }
}
