/**
 * The L1 invalidation messages on the pub/sub channel. They carry no data, only which L1 entries
 * to drop, so they are not signed: the worst a forged message can do is drop L1 entries (extra
 * misses). Anything that is not exactly a message this cache sends — garbage, the wrong shape, or
 * a message too large to be worth parsing — is read as "drop everything": an unreadable message
 * might have been a real invalidation, and dropping too much is only a miss, never a stale read.
 */

export interface InvalidationMessage {
  /** Value keys to drop. */
  k?: string[];
  /** Drop every query result. */
  q?: 1;
  /** Drop everything. */
  a?: 1;
}

/**
 * Longest message parsed (characters). A write of 10 000 ids publishes about 700 KB; beyond this
 * a message is not parsed at all and drops everything, which is cheaper than parsing it.
 */
export const MAX_MESSAGE_CHARS = 1024 * 1024;

const EVERYTHING: InvalidationMessage = Object.freeze({ a: 1 as const });

export const encodeInvalidation = (msg: InvalidationMessage): string => JSON.stringify(msg);

/** The message, or null when it is not one this cache sends (then drop everything). */
export function parseInvalidation(raw: unknown): InvalidationMessage | null {
  if (typeof raw !== 'string' || raw.length > MAX_MESSAGE_CHARS) return null;
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return null;
  const { k, q, a, ...rest } = msg as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return null;
  if (a !== undefined) return a === 1 ? EVERYTHING : null;
  if (q !== undefined && q !== 1) return null;
  if (k !== undefined && !(Array.isArray(k) && k.every((x) => typeof x === 'string'))) return null;
  return msg as InvalidationMessage;
}
