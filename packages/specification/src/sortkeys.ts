/**
 * Order-preserving string encodings for stores that can only compare strings by UTF-16 code unit
 * (Cosmos DB, JavaScript). An adapter stores the key in a shadow property and orders / range-
 * compares on it (with the literal encoded the same way), which makes such a store agree exactly
 * with the canonical order of the semantics table.
 */
import { InvalidValueError } from './errors.js';
import { isCanonicalBigint } from './schema.js';

/**
 * A string whose UTF-16 code unit order equals the code point order of `s` (the canonical string
 * order). BMP characters other than U+FFFF map to themselves; U+FFFF becomes U+FFFF U+0000; a
 * supplementary character becomes U+FFFF followed by two units (0x4E00 + high 10 bits, 0x4E00 +
 * low 10 bits of cp - 0x10000). The encoding is prefix-free and monotonic per code point, so
 * lexicographic order, equality and prefixes (`startsWith`) are all preserved.
 */
export function codePointSortKey(s: string): string {
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || (c >= 0xe000 && c < 0xffff)) continue;
    out += s.slice(plainFrom, i);
    if (c === 0xffff) {
      out += '\uffff\u0000';
    } else {
      const cp = s.codePointAt(i)!;
      if (cp < 0x10000) throw new InvalidValueError('string contains a lone surrogate');
      const v = cp - 0x10000;
      out += `\uffff${String.fromCharCode(0x4e00 + (v >> 10))}${String.fromCharCode(0x4e00 + (v & 0x3ff))}`;
      i++;
    }
    plainFrom = i + 1;
  }
  return plainFrom === 0 ? s : out + s.slice(plainFrom);
}

/**
 * A string whose code unit order is the numeric order of a canonical decimal bigint: a sign class
 * ('n' < 'o' < 'p' for negative, zero, positive), a 4-digit length (complemented for negatives),
 * then the digits (complemented for negatives). Up to 9999 digits.
 */
export function bigintSortKey(s: string): string {
  if (!isCanonicalBigint(s) || s.length > 10000)
    throw new InvalidValueError(`not a canonical bigint: ${s.slice(0, 40)}`);
  if (s === '0') return 'o';
  if (s[0] !== '-') return `p${String(s.length).padStart(4, '0')}${s}`;
  const digits = s.slice(1);
  let complemented = '';
  for (let i = 0; i < digits.length; i++) complemented += String(9 - (digits.charCodeAt(i) - 48));
  return `n${String(9999 - digits.length).padStart(4, '0')}${complemented}`;
}
