/**
 * Waiting until a decoded transaction is visible to new snapshots. PostgreSQL flushes a commit
 * record to WAL (and a walsender may send it) a moment before the committing backend leaves the
 * proc array, which is when new snapshots start to see the transaction. A sink that reads the
 * database as soon as it receives a change (polyglot's `syncId` reads the primary; a cache miss
 * right after an invalidation loads the row) could read the row from before the change in that
 * moment, and no later change would correct it. So before a transaction's changes are handed
 * over, its xid must be visible in a fresh snapshot.
 */

/** A snapshot's `xmin:xmax:xip,...` (64-bit xids, as `pg_current_snapshot()::text` prints). */
export interface Snapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly inProgress: ReadonlySet<bigint>;
}

export function parseSnapshot(text: string): Snapshot {
  const [xmin, xmax, xip] = text.split(':');
  if (xmin === undefined || xmax === undefined) throw new RangeError(`not a snapshot: ${text}`);
  return {
    xmin: BigInt(xmin),
    xmax: BigInt(xmax),
    inProgress: new Set((xip ?? '').split(',').filter(Boolean).map(BigInt)),
  };
}

const EPOCH = 1n << 32n;
const HALF = 1n << 31n;

/**
 * Whether the 32-bit `xid` of a recent transaction (pgoutput's Begin carries 32 bits) is visible
 * in `snapshot`. Its epoch is the one that puts it nearest the snapshot's xmax (PostgreSQL's own
 * rule for 32-bit xids: within 2^31 either way). A transaction that is not visible yet may be at
 * or past xmax, which only moves when a transaction ends.
 */
export function visibleIn(snapshot: Snapshot, xid: number): boolean {
  let full = ((snapshot.xmax >> 32n) << 32n) | BigInt(xid >>> 0);
  if (full >= snapshot.xmax + HALF) full -= EPOCH;
  else if (full < snapshot.xmax - HALF) full += EPOCH;
  if (full < snapshot.xmin) return true;
  if (full >= snapshot.xmax) return false;
  return !snapshot.inProgress.has(full);
}
