/**
 * Verification: are the primary and the secondary the same? `validateConsistency` answers for
 * one id with a field-level diff; `scanConsistency` walks both stores in id order (a merge join,
 * so memory stays flat) and reports what is missing from the secondary, extra in it, or
 * different, or compares a random sample of ids when a full scan is too expensive.
 *
 * Items are compared whole, version field included: the mirror stores the primary's version, so
 * a different version is a real difference (a write the secondary has not seen).
 */

import {
  type CallOptions,
  type Id,
  idOf,
  type Repository,
  throwIfAborted,
} from '@mystira/repository';
import { spec as specOf } from '@mystira/specification';
import { compareIds } from './backfill.js';
import { diffItems, type FieldDiff } from './diff.js';

/**
 * How an id compares in the two stores: the `same` item, in only one of them, in neither
 * (`absent`), or `different`.
 */
export type ConsistencyStatus =
  | 'same'
  | 'missing-in-secondary'
  | 'missing-in-primary'
  | 'absent'
  | 'different';

/** How one id compares in the two stores. */
export interface ConsistencyResult {
  /** The id compared. */
  readonly id: Id;
  /** The verdict. */
  readonly status: ConsistencyStatus;
  /** Field differences (`different`), or the whole item as one diff at path '' (missing). */
  readonly diffs: FieldDiff[];
}

/** Options of {@link compareOne} and {@link validateConsistency}. */
export interface CompareOptions extends CallOptions {
  /** Top-level fields left out of the comparison (e.g. a timestamp one store sets itself). */
  ignoreFields?: readonly string[];
}

/**
 * Compares the primary's and the secondary's item of `id` (either may be undefined), leaving out
 * the `ignore` fields.
 */
export function compareOne(
  id: Id,
  p: object | undefined,
  s: object | undefined,
  ignore: readonly string[] = [],
): ConsistencyResult {
  if (!p && !s) return { id, status: 'absent', diffs: [] };
  if (!s)
    return {
      id,
      status: 'missing-in-secondary',
      diffs: [{ path: '', primary: p, secondary: undefined, kind: 'missing-in-secondary' }],
    };
  if (!p)
    return {
      id,
      status: 'missing-in-primary',
      diffs: [{ path: '', primary: undefined, secondary: s, kind: 'missing-in-primary' }],
    };
  const diffs = diffItems(p, s, ignore);
  return { id, status: diffs.length === 0 ? 'same' : 'different', diffs };
}

/** Compares one id in both stores. */
export async function validateConsistency<T extends object>(
  primary: Repository<T>,
  secondary: Repository<T>,
  id: Id,
  options: CompareOptions = {},
): Promise<ConsistencyResult> {
  const [p, s] = await Promise.all([primary.getById(id, options), secondary.getById(id, options)]);
  return compareOne(id, p, s, options.ignoreFields);
}

/** Options of {@link scanConsistency}: a full or sampled comparison of both stores. */
export interface ScanOptions extends CompareOptions {
  /** Fraction of ids compared, 0 < rate <= 1. Default 1 (a full scan). */
  sampleRate?: number;
  /** Rows per round trip while streaming. Default 500. */
  batchSize?: number;
  /** Ids listed per category in the report (counts are always complete). Default 100. */
  maxReported?: number;
  /** Called with every difference found (e.g. to queue a repair). */
  onDifference?(result: ConsistencyResult): void | Promise<void>;
  /** Called every 1000 ids scanned, with the ids scanned and the differences found so far. */
  onProgress?(progress: { scanned: number; differences: number }): void;
  /** Randomness for sampling. Default `Math.random`. */
  random?: () => number;
}

/** What a verification scan found. */
export interface ScanReport {
  /** Ids looked at (both sides, counted once). */
  readonly scanned: number;
  /** Whether only a sample of ids was compared. */
  readonly sampled: boolean;
  /** Ids in the primary but not in the secondary. */
  readonly missing: number;
  /** Ids in the secondary but not in the primary. */
  readonly extra: number;
  /** Ids whose items differ. */
  readonly different: number;
  /** missing + extra + different. */
  readonly differences: number;
  /** The first `maxReported` missing ids. */
  readonly missingIds: Id[];
  /** The first `maxReported` extra ids. */
  readonly extraIds: Id[];
  /** The first `maxReported` different items, with their differences. */
  readonly differentItems: {
    /** The item's id. */
    id: Id;
    /** Where the two copies differ. */
    diffs: FieldDiff[];
  }[];
  /** How long the scan took, in ms. */
  readonly durationMs: number;
}

/**
 * Compares the two stores: walks both in id order (a merge join, so memory stays flat), or compares
 * a random sample of ids with `sampleRate` below 1.
 */
export async function scanConsistency<T extends object>(
  primary: Repository<T>,
  secondary: Repository<T>,
  options: ScanOptions = {},
): Promise<ScanReport> {
  const t0 = performance.now();
  const rate = options.sampleRate ?? 1;
  const max = options.maxReported ?? 100;
  const report = {
    scanned: 0,
    missing: 0,
    extra: 0,
    different: 0,
    missingIds: [] as Id[],
    extraIds: [] as Id[],
    differentItems: [] as { id: Id; diffs: FieldDiff[] }[],
  };
  const note = async (r: ConsistencyResult) => {
    report.scanned++;
    if (r.status === 'same' || r.status === 'absent') return;
    if (r.status === 'missing-in-secondary') {
      report.missing++;
      if (report.missingIds.length < max) report.missingIds.push(r.id);
    } else if (r.status === 'missing-in-primary') {
      report.extra++;
      if (report.extraIds.length < max) report.extraIds.push(r.id);
    } else {
      report.different++;
      if (report.differentItems.length < max)
        report.differentItems.push({ id: r.id, diffs: r.diffs });
    }
    await options.onDifference?.(r);
  };
  const progress = () => {
    if (options.onProgress && report.scanned % 1000 === 0) {
      options.onProgress({
        scanned: report.scanned,
        differences: report.missing + report.extra + report.different,
      });
    }
  };
  if (rate >= 1) await fullScan(primary, secondary, options, note, progress);
  else await sampledScan(primary, secondary, rate, options, note, progress);
  return {
    ...report,
    sampled: rate < 1,
    differences: report.missing + report.extra + report.different,
    durationMs: performance.now() - t0,
  };
}

/** Both stores streamed in id order and merged. */
async function fullScan<T extends object>(
  primary: Repository<T>,
  secondary: Repository<T>,
  options: ScanOptions,
  note: (r: ConsistencyResult) => Promise<void>,
  progress: () => void,
): Promise<void> {
  const entity = primary.entity;
  const q = specOf<T>(entity);
  const so = { batchSize: options.batchSize ?? 500, signal: options.signal };
  const pi = primary.stream(q, so)[Symbol.asyncIterator]();
  const si = secondary.stream(q, so)[Symbol.asyncIterator]();
  let p = await pi.next();
  let s = await si.next();
  while (!p.done || !s.done) {
    throwIfAborted(options.signal);
    const c = p.done ? 1 : s.done ? -1 : compareIds(idOf(entity, p.value), idOf(entity, s.value));
    if (c < 0) {
      await note(compareOne(idOf(entity, p.value!), p.value, undefined));
      p = await pi.next();
    } else if (c > 0) {
      await note(compareOne(idOf(entity, s.value!), undefined, s.value));
      s = await si.next();
    } else {
      await note(compareOne(idOf(entity, p.value!), p.value, s.value, options.ignoreFields));
      p = await pi.next();
      s = await si.next();
    }
    progress();
  }
}

/** A random sample of each side's ids, looked up on the other side in batches. */
async function sampledScan<T extends object>(
  primary: Repository<T>,
  secondary: Repository<T>,
  rate: number,
  options: ScanOptions,
  note: (r: ConsistencyResult) => Promise<void>,
  progress: () => void,
): Promise<void> {
  const entity = primary.entity;
  const random = options.random ?? Math.random;
  const batch = options.batchSize ?? 500;
  const so = { batchSize: batch, signal: options.signal };
  const pass = async (from: Repository<T>, other: Repository<T>, fromIsPrimary: boolean) => {
    let pending: T[] = [];
    const flush = async () => {
      const found = new Map(
        (
          await other.getMany(
            pending.map((i) => idOf(entity, i)),
            options,
          )
        ).map((i) => [String(idOf(entity, i)), i]),
      );
      for (const item of pending) {
        const id = idOf(entity, item);
        const o = found.get(String(id));
        // The primary pass judges missing/different; the secondary pass only looks for extras.
        if (fromIsPrimary) await note(compareOne(id, item, o, options.ignoreFields));
        else if (!o) await note(compareOne(id, undefined, item));
        progress();
      }
      pending = [];
    };
    for await (const item of from.stream(specOf<T>(entity), so)) {
      if (random() < rate) pending.push(item);
      if (pending.length >= batch) await flush();
    }
    if (pending.length > 0) await flush();
  };
  await pass(primary, secondary, true);
  await pass(secondary, primary, false);
}
