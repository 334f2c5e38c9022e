/**
 * Value-level semantics shared by the builder, the parser and the in-memory evaluator: literal
 * construction, string order by Unicode code point, ASCII-only case folding, LIKE matching.
 */
import type { FieldRef, Literal, ScalarType } from './ast.js';
import { InvalidValueError } from './errors.js';
import { isCanonicalBigint, isIsoDate } from './schema.js';

/**
 * Compares two strings by Unicode code point, which is UTF-8 byte order and therefore what
 * PostgreSQL `COLLATE "C"` does. JavaScript's `<` compares UTF-16 code units instead, which
 * disagrees when one string has a supplementary character (a surrogate, 0xD800-0xDFFF) where the
 * other has a BMP character in 0xE000-0xFFFF. We compare code units and fix up exactly that case.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Surrogates (supplementary code points) must sort after 0xE000-0xFFFF.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Numeric comparison of canonical decimal integer strings without allocating BigInts. */
export function compareBigintStrings(a: string, b: string): number {
  if (a === b) return 0;
  const na = a.charCodeAt(0) === 45; // '-'
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let c: number;
  if (a.length !== b.length) c = a.length < b.length ? -1 : 1;
  else c = a < b ? -1 : 1; // same length, ASCII digits: code unit order is numeric order
  return na ? -c : c;
}

/**
 * `ignoreCase` folds only ASCII letters (A-Z to a-z). It is the one definition every backend can
 * reproduce exactly: PostgreSQL `lower(x COLLATE "C")` folds only ASCII, and a Cosmos compiler can
 * emulate it; Unicode-aware folding differs between JS, ICU, .NET and PostgreSQL versions.
 */
export function foldAscii(s: string): string {
  let out: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      if (out === null) out = s.slice(0, i);
      out += String.fromCharCode(c + 32);
    } else if (out !== null) {
      out += s[i];
    }
  }
  return out ?? s;
}

/**
 * Compiles a LIKE pattern (`%`, `_`, `\` escape) to a predicate on strings. `_` matches one code
 * point (like PostgreSQL on a UTF-8 database). Implemented without RegExp construction from user
 * input so a hostile pattern cannot cause catastrophic backtracking: segments between `%` are
 * matched leftmost-first, left to right (earliest placement is always safe for fixed-length
 * segments), so there is no backtracking: at worst O(text length × pattern length).
 */
export function compileLike(pattern: string, ignoreCase: boolean): (s: string) => boolean {
  // Tokenize into segments separated by %, each segment a list of code points or ANY (for _).
  const ANY = -1;
  const segments: number[][] = [[]];
  const chars = Array.from(ignoreCase ? foldAscii(pattern) : pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\') {
      const next = chars[++i];
      if (next === undefined)
        throw new InvalidValueError('LIKE pattern ends with an unfinished escape');
      segments[segments.length - 1]!.push(next.codePointAt(0)!);
    } else if (ch === '%') segments.push([]);
    else if (ch === '_') segments[segments.length - 1]!.push(ANY);
    else segments[segments.length - 1]!.push(ch.codePointAt(0)!);
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const single = segments.length === 1;
  const matchAt = (cps: number[], at: number, seg: number[]): boolean => {
    if (at + seg.length > cps.length) return false;
    for (let j = 0; j < seg.length; j++) {
      const p = seg[j]!;
      if (p !== ANY && p !== cps[at + j]) return false;
    }
    return true;
  };
  return (input: string) => {
    const s = ignoreCase ? foldAscii(input) : input;
    const cps: number[] = [];
    for (const ch of s) cps.push(ch.codePointAt(0)!);
    if (single) return cps.length === first.length && matchAt(cps, 0, first);
    if (!matchAt(cps, 0, first)) return false;
    const end = cps.length - last.length;
    if (end < first.length || !matchAt(cps, end, last)) return false;
    let pos = first.length;
    for (let k = 1; k < segments.length - 1; k++) {
      const seg = segments[k]!;
      let found = -1;
      for (let at = pos; at + seg.length <= end; at++) {
        if (matchAt(cps, at, seg)) {
          found = at;
          break;
        }
      }
      if (found < 0) return false;
      pos = found + seg.length;
    }
    return true;
  };
}

/** Escapes `%`, `_` and `\` so a user string matches literally inside a LIKE pattern. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** What a JS value given to the builder may be. */
export type OperandInput = string | number | boolean | bigint | Date;

/**
 * Turns a builder operand into a typed literal. When the field's declared type is known it wins
 * (a string on a `date` field must be an ISO date; a `bigint` on a `bigint` field becomes its
 * decimal string); otherwise the JS type decides.
 */
export function toLiteral(input: unknown, ref: FieldRef, where = 'value'): Literal {
  const declared: ScalarType | null =
    ref.type === 'array' ? (ref.element ?? null) : ref.type === 'object' ? null : ref.type;
  const name = ref.path.join('.');
  const fail = (msg: string): never => {
    throw new InvalidValueError(`${where} for "${name}": ${msg}`, { field: name });
  };
  if (ref.type === 'object') fail('object fields cannot be compared to values');
  let type: ScalarType;
  let value: string | number | boolean;
  if (input instanceof Date) {
    if (Number.isNaN(input.getTime())) fail('invalid Date');
    type = 'date';
    value = input.toISOString();
  } else if (typeof input === 'bigint') {
    type = 'bigint';
    value = input.toString();
  } else if (typeof input === 'string') {
    type = declared === 'date' || declared === 'bigint' ? declared : 'string';
    value = input;
  } else if (typeof input === 'number') {
    if (!Number.isFinite(input)) fail('numbers must be finite');
    type = 'number';
    value = Object.is(input, -0) ? 0 : input;
  } else if (typeof input === 'boolean') {
    type = 'boolean';
    value = input;
  } else {
    return fail(
      input === null
        ? 'null is not a value; use isNull()'
        : `unsupported operand type ${typeof input}`,
    );
  }
  if (declared !== null && declared !== type) fail(`expected a ${declared}, got a ${type}`);
  if (type === 'date' && !isIsoDate(value as string))
    fail('dates must be ISO 8601 UTC strings in toISOString() form');
  if (type === 'bigint' && !isCanonicalBigint(value as string))
    fail('bigints must be canonical decimal integer strings');
  return Object.freeze({ kind: 'value', type, value });
}
