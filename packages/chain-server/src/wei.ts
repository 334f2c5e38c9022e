/**
 * Exact wei arithmetic: uint256 parsing, splitting by basis points, formatting with decimals.
 * Everything is `bigint`; a `number` never touches an amount.
 */

/** 2^256 - 1: the largest amount a uint256 holds. */
export const MAX_UINT256 = (1n << 256n) - 1n;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Parses a decimal uint256 ("0", "1500000000000000000"); undefined when malformed or too big. */
export function parseUint256(text: string): bigint | undefined {
  // 78 digits is the length of 2^256; the regexp keeps leading zeros, signs and spaces out.
  if (text.length > 78 || !DECIMAL.test(text)) return undefined;
  const value = BigInt(text);
  return value > MAX_UINT256 ? undefined : value;
}

/**
 * Splits `amount` among shares given in basis points that sum to 10000, losing and creating
 * no wei: the parts always sum to exactly `amount`.
 *
 * Rounding rule (largest remainder): every share first gets floor(amount × bps / 10000). The wei
 * left over (fewer than the number of shares) go one each to the shares with the largest
 * remainder (amount × bps mod 10000); ties go to the share listed first. So a share never gets
 * less than its floor nor more than its floor + 1.
 */
export function splitByBasisPoints(amount: bigint, bps: readonly number[]): bigint[] {
  if (amount < 0n) throw new RangeError('amount must not be negative');
  let total = 0;
  for (const b of bps) total += b;
  if (total !== 10000) throw new RangeError(`shares sum to ${total}, not 10000`);
  const parts: bigint[] = [];
  const remainders: { index: number; rem: bigint }[] = [];
  let assigned = 0n;
  for (const [index, b] of bps.entries()) {
    const scaled = amount * BigInt(b);
    const part = scaled / 10000n;
    parts.push(part);
    assigned += part;
    remainders.push({ index, rem: scaled % 10000n });
  }
  let left = amount - assigned;
  // Stable sort: equal remainders keep the listed order, which is the documented tie-break.
  remainders.sort((a, b) => (a.rem === b.rem ? 0 : a.rem > b.rem ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    parts[index] = (parts[index] as bigint) + 1n;
    left -= 1n;
  }
  return parts;
}

/**
 * Formats wei with `decimals` decimals, like ethers' formatUnits: "1.5", "0.000000000000000001",
 * "2.0" (a whole amount keeps one zero so the value reads as a decimal).
 */
export function formatUnits(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  if (decimals === 0) return `${negative ? '-' : ''}${abs}`;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const fraction = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '') || '0';
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}
