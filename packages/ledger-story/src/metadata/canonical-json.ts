/**
 * The canonical JSON that Mystira hashes metadata over: byte for byte what Python's
 * `json.dumps(d, sort_keys=True, separators=(",", ":"))` writes (with its default
 * `ensure_ascii=True`), which the Python Chain service fed to keccak256. `JSON.stringify` differs
 * in three ways, each handled here:
 *
 * - keys are sorted at every level, by code point (Python compares str by code point; JavaScript's
 *   default sort compares UTF-16 code units, which orders astral characters differently);
 * - every non-ASCII character (and DEL) is escaped as `\uXXXX` with lower-case hex, characters
 *   above U+FFFF as a surrogate pair of escapes;
 * - numbers are written as Python's `repr` of a float would be: the shortest round-trip digits,
 *   in exponent form below 1e-4 and from 1e16 on (`1e-05`, `1e+16`). Integers that JavaScript
 *   holds exactly are written as integers; a JavaScript number cannot say it was `1.0`, so
 *   metadata that must hash like a Python float of integral value cannot be expressed (Mystira's
 *   metadata has no such field).
 */

/** A JSON value as the canonical form accepts it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Thrown for a value JSON cannot represent (NaN, Infinity, undefined, a function, a cycle). */
export class CanonicalJsonError extends TypeError {
  /** Always `CanonicalJsonError`. */
  override readonly name = 'CanonicalJsonError';
}

/** The canonical JSON text of `value` (ASCII only). */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return number(value);
    case 'string':
      return string(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`cannot write ${typeof value} as JSON`);
  }
  if (seen.has(value)) throw new CanonicalJsonError('cannot write a cyclic structure as JSON');
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((v) => write(v, seen)).join(',')}]`;
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${string(k)}:${write(v, seen)}`).join(',')}}`;
  } finally {
    seen.delete(value);
  }
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Python's escaping: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, then \u00XX for the rest. */
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function string(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const unit = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    // Control characters, DEL and everything beyond ASCII, one UTF-16 unit at a time: an astral
    // character becomes its two surrogate escapes, as Python writes it.
    else if (unit < 0x20 || unit >= 0x7f) out += `\\u${unit.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function number(n: number): string {
  if (!Number.isFinite(n)) throw new CanonicalJsonError(`cannot write ${n} as JSON`);
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return String(n);
  // Shortest round-trip digits (both languages agree on them), laid out the way Python's
  // float repr does: exponent form when the decimal exponent is < -4 or >= 16.
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  // Positional form; an integral value keeps Python's ".0" (e.g. 1e15 + 0.5 is not integral,
  // but 2**53 + 2 is, and Python writes it 9007199254740994.0).
  const positional = n.toFixed(Math.max(0, -exponent + (mantissa.split('.')[1]?.length ?? 0)));
  return Number.isInteger(n) ? `${positional}.0` : positional;
}
