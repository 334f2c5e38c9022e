/**
 * PostgreSQL log sequence numbers: `X/Y`, two 32-bit hex halves of one 64-bit WAL byte
 * position. Compared and moved as bigints; printed the way the server prints them.
 */

/** The 64-bit position of an `X/Y` LSN. */
export function lsnToBigInt(lsn: string): bigint {
  const slash = lsn.indexOf('/');
  if (slash < 1 || !/^[0-9A-Fa-f]+\/[0-9A-Fa-f]+$/.test(lsn)) {
    throw new RangeError(`not an LSN: ${JSON.stringify(lsn)}`);
  }
  return (BigInt(`0x${lsn.slice(0, slash)}`) << 32n) | BigInt(`0x${lsn.slice(slash + 1)}`);
}

/** The `X/Y` text of a 64-bit WAL position. */
export function bigIntToLsn(position: bigint): string {
  const high = (position >> 32n) & 0xffffffffn;
  const low = position & 0xffffffffn;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareLsn(a: string, b: string): number {
  const x = lsnToBigInt(a);
  const y = lsnToBigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
