/**
 * Backfill: copy every item of the primary to the mirror, in id order, in batches. Safe while
 * dual writes continue, because every copy goes through the mirror's version gate (a backfill
 * that read version 3 cannot overwrite the version 4 a live write just mirrored) and every copied
 * batch is re-checked against the primary (an item changed in between is synced from the truth).
 *
 * Resumable: after each batch (in order), the last id is saved in a checkpoint; a new run with
 * the same `run` name continues after it. A crash repeats at most the batches that were in
 * flight (`concurrency`, default 1), and repeating them is harmless: the gate skips what is there.
 */

import {
  type CallOptions,
  type Id,
  idOf,
  type Repository,
  throwIfAborted,
} from '@mystira/repository';
import { spec as specOf } from '@mystira/specification';
import { CheckpointMismatchError } from './errors.js';
import { gate, type MirrorStore } from './mirror.js';
import { sleep } from './sleep.js';
import { syncId, versionOfItem } from './sync.js';

/** Where a backfill run stands, saved after each completed batch so a new run resumes after it. */
export interface BackfillCheckpoint {
  /** The run's name (`BackfillOptions.run`). */
  readonly run: string;
  /** The entity copied. */
  readonly entity: string;
  /** Last id of the last completed batch (id order), or null before the first. */
  readonly after: Id | null;
  /** Items read from the primary so far, over every run. */
  readonly scanned: number;
  /** Items written to the mirror so far. */
  readonly copied: number;
  /** Items the mirror already had at that version or newer. */
  readonly skipped: number;
  /** Batches completed. */
  readonly batches: number;
  /** Whether the run reached the end of the primary. */
  readonly done: boolean;
  /** When the checkpoint was saved (ms since the epoch). */
  readonly updatedAt: number;
}

/** Where checkpoints live: durable for a real run (`PgCheckpointStore`), in memory for tests. */
export interface CheckpointStore {
  /** The checkpoint of `run`, or undefined when there is none. */
  load(run: string, options?: CallOptions): Promise<BackfillCheckpoint | undefined>;
  /** Saves (replaces) the checkpoint of `checkpoint.run`. */
  save(checkpoint: BackfillCheckpoint, options?: CallOptions): Promise<void>;
  /** Deletes the checkpoint of `run`. */
  clear(run: string, options?: CallOptions): Promise<void>;
}

/** A {@link CheckpointStore} in process memory, for tests: a crash loses the checkpoints. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #map = new Map<string, BackfillCheckpoint>();
  async load(run: string): Promise<BackfillCheckpoint | undefined> {
    return this.#map.get(run);
  }
  async save(checkpoint: BackfillCheckpoint): Promise<void> {
    this.#map.set(checkpoint.run, { ...checkpoint });
  }
  async clear(run: string): Promise<void> {
    this.#map.delete(run);
  }
}

/** Where a backfill stands, reported after each batch and returned at the end. */
export interface BackfillProgress {
  /** Items read from the primary, over every run. */
  readonly scanned: number;
  /** Items written to the mirror (or that would be, in a dry run). */
  readonly copied: number;
  /** Items the mirror already had at this version or newer (or a newer tombstone). */
  readonly skipped: number;
  /** Estimated total (items in the primary when the run started, plus what earlier runs scanned). */
  readonly total: number;
  /** Batches completed. */
  readonly batches: number;
  /** Items scanned per second in this run. */
  readonly ratePerSecond: number;
  /** Estimated time to completion (ms), or null before the first batch. */
  readonly etaMs: number | null;
  /** Time this run has taken, in ms. */
  readonly elapsedMs: number;
  /** Whether the run reached the end of the primary. */
  readonly done: boolean;
  /** Whether this is a dry run (nothing written). */
  readonly dryRun: boolean;
  /** The id the run resumed after, or null for a fresh run. */
  readonly resumedAfter: Id | null;
}

/** Options of a backfill (`Polyglot.backfill`). */
export interface BackfillOptions extends CallOptions {
  /** Checkpoint name. Default `backfill:<entity>`. */
  run?: string;
  /** Where checkpoints are saved. Without one a run cannot resume: it starts from the beginning. */
  checkpoints?: CheckpointStore;
  /** Ignore (and overwrite) an existing checkpoint. */
  restart?: boolean;
  /** Items per batch. Default 500. */
  batchSize?: number;
  /** Batches written in parallel. Default 1. */
  concurrency?: number;
  /** Upper bound on items scanned per second. Default unlimited. */
  ratePerSecond?: number;
  /** Count what would be copied; write nothing (not even the checkpoint). */
  dryRun?: boolean;
  /**
   * Re-read the copied items from the primary after each batch and sync any that changed
   * (default true). Needed while dual writes run: an id deleted and re-created since the batch
   * was read restarts at version 1, which the version gate alone cannot order. Turn it off only
   * for a backfill with writes stopped.
   */
  recheck?: boolean;
  /** Called after each batch. */
  onProgress?(progress: BackfillProgress): void;
  /** Clock and sleep (tests inject them). */
  now?: () => number;
  /** Waits between batches to keep to `ratePerSecond`. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Code point order for strings, numeric for numbers: the order `@mystira/specification` sorts ids in. */
export function compareIds(a: Id, b: Id): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const cx = x.codePointAt(i)!;
    const cy = y.codePointAt(j)!;
    if (cx !== cy) return cx - cy;
    i += cx > 0xffff ? 2 : 1;
    j += cy > 0xffff ? 2 : 1;
  }
  return x.length - i - (y.length - j);
}

/**
 * Copies every item of `primary` into `mirror` at the primary's versions, in id order and in
 * batches, version-gated (an item the mirror already holds at a newer version is left alone), and
 * resumable from `options.checkpoints`. `Polyglot.backfill` calls it with an entity's binding.
 */
export async function backfill<T extends object>(
  name: string,
  primary: Repository<T>,
  mirror: MirrorStore<T>,
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  const entity = primary.entity;
  const run = options.run ?? `backfill:${name}`;
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const dryRun = options.dryRun ?? false;
  const store = options.checkpoints;
  const signal = options.signal;

  const cp = options.restart || !store ? undefined : await store.load(run, { signal });
  if (cp && cp.entity !== name) {
    throw new CheckpointMismatchError(
      `checkpoint "${run}" belongs to entity "${cp.entity}", not "${name}"`,
      { entity: name },
    );
  }
  const resumedAfter = cp && !cp.done ? cp.after : null;
  if (cp?.done && !options.restart) {
    // A finished run stays finished; start a new one with `restart`.
    return { ...progressOf(cp, cp.scanned, 0, now(), now(), dryRun), resumedAfter: cp.after };
  }
  let after = resumedAfter;
  let scanned = cp?.scanned ?? 0;
  let copied = cp?.copied ?? 0;
  let skipped = cp?.skipped ?? 0;
  let batches = cp?.batches ?? 0;
  const startScanned = scanned;
  const remaining = await primary.count(
    after === null
      ? specOf<T>(entity)
      : specOf<T>(entity).where((w) => w.gt(entity.id as never, after as never)),
    { signal },
  );
  const total = scanned + remaining;
  const started = now();

  const snapshot = (done: boolean): BackfillProgress => {
    const elapsed = now() - started;
    const rate = elapsed > 0 ? ((scanned - startScanned) * 1000) / elapsed : 0;
    return {
      scanned,
      copied,
      skipped,
      total: Math.max(total, scanned),
      batches,
      ratePerSecond: rate,
      etaMs: done ? 0 : rate > 0 ? (Math.max(0, total - scanned) / rate) * 1000 : null,
      elapsedMs: elapsed,
      done,
      dryRun,
      resumedAfter,
    };
  };
  const save = async (done: boolean) => {
    if (dryRun || !store) return;
    await store.save(
      { run, entity: name, after, scanned, copied, skipped, batches, done, updatedAt: now() },
      { signal },
    );
  };

  /** Copies one batch; resolves with its counts. */
  const write = async (items: T[]): Promise<{ copied: number; skipped: number }> => {
    const entries = items.map((item) => ({ item, version: versionOfItem(entity, item) }));
    if (dryRun) {
      const heads = await mirror.heads(
        items.map((i) => idOf(entity, i)),
        { signal },
      );
      const n = entries.filter(
        (e) => gate(heads.get(idOf(entity, e.item)), e.version) === 'write',
      ).length;
      return { copied: n, skipped: items.length - n };
    }
    const results = await mirror.putMany(entries, { signal });
    const applied = items.filter((_, i) => results[i] === 'applied').map((i) => idOf(entity, i));
    // Re-check what was copied against the primary: an item deleted and re-created since this
    // batch was read must not keep the old copy.
    if (applied.length > 0 && options.recheck !== false) {
      const fresh = new Map(
        (await primary.getMany(applied, { signal })).map((i) => [
          idOf(entity, i),
          versionOfItem(entity, i),
        ]),
      );
      for (const e of entries) {
        const id = idOf(entity, e.item);
        if (applied.includes(id) && fresh.get(id) !== e.version)
          await syncId(primary, mirror, id, { signal });
      }
    }
    return { copied: applied.length, skipped: items.length - applied.length };
  };

  const inflight: { last: Id; size: number; done: Promise<{ copied: number; skipped: number }> }[] =
    [];
  const settleOldest = async () => {
    const b = inflight.shift()!;
    const r = await b.done;
    after = b.last;
    scanned += b.size;
    copied += r.copied;
    skipped += r.skipped;
    batches++;
    await save(false);
    options.onProgress?.(snapshot(false));
  };

  // One streaming read of the primary in id order (a keyset stream on PostgreSQL, a continued
  // query on Cosmos DB), cut into batches here: cheaper than one query per batch.
  const source =
    after === null
      ? specOf<T>(entity)
      : specOf<T>(entity).where((w) => w.gt(entity.id as never, after as never));
  const rows = primary.stream(source, { batchSize, signal })[Symbol.asyncIterator]();
  try {
    let fetchedThisRun = 0;
    let exhausted = false;
    while (!exhausted) {
      throwIfAborted(signal);
      if (options.ratePerSecond) {
        const due = started + (fetchedThisRun * 1000) / options.ratePerSecond;
        if (due > now()) await wait(due - now(), signal);
      }
      const items: T[] = [];
      while (items.length < batchSize) {
        const r = await rows.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        items.push(r.value);
      }
      if (items.length === 0) break;
      fetchedThisRun += items.length;
      const last = idOf(entity, items[items.length - 1]!);
      const done = write(items);
      done.catch(() => {}); // awaited in order by settleOldest; avoid an unhandled rejection meanwhile
      inflight.push({ last, size: items.length, done });
      if (inflight.length >= concurrency) await settleOldest();
    }
    while (inflight.length > 0) await settleOldest();
  } finally {
    await rows.return?.();
    // On abort or error, later batches may have landed; the checkpoint stays at the last one
    // completed in order, so a resumed run repeats at most the batches that were in flight.
    await Promise.allSettled(inflight.map((b) => b.done));
  }
  await save(true);
  const final = snapshot(true);
  options.onProgress?.(final);
  return final;
}

function progressOf(
  cp: BackfillCheckpoint,
  scanned: number,
  elapsed: number,
  _a: number,
  _b: number,
  dryRun: boolean,
): BackfillProgress {
  return {
    scanned,
    copied: cp.copied,
    skipped: cp.skipped,
    total: scanned,
    batches: cp.batches,
    ratePerSecond: 0,
    etaMs: 0,
    elapsedMs: elapsed,
    done: true,
    dryRun,
    resumedAfter: cp.after,
  };
}
