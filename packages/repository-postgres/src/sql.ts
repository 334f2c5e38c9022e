/**
 * The only places SQL text is assembled from names. Identifiers are always double-quoted (with
 * embedded quotes doubled), JSON path keys are always single-quoted literals, and both are
 * additionally restricted to the specification's identifier alphabet, so even a bug elsewhere
 * cannot turn a name into SQL. Values never go through here: they are bound parameters.
 */
import { LayoutError } from './errors.js';

const SAFE = /^[A-Za-z_$][A-Za-z0-9_$.-]{0,127}$/;

/** `"name"`: a quoted identifier. Rejects NUL and names outside the identifier alphabet. */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || !SAFE.test(name))
    throw new LayoutError(`unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'key'`: a JSON object key as a SQL string literal (keys are schema identifiers). */
export function quoteKey(key: string): string {
  if (typeof key !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/.test(key)) {
    throw new LayoutError(`unsafe JSON key ${JSON.stringify(key)}`);
  }
  return `'${key}'`;
}

/** A parameter list: `add(value)` returns the placeholder (`$n`) bound to it. */
export class Params {
  /** The bound values, in placeholder order. */
  readonly values: unknown[] = [];
  /** Binds `value` and returns its placeholder (`$1`, `$2` ...). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A compiled statement, ready for `pg`'s `query(text, values)`. */
export interface CompiledQuery {
  /** The SQL, with `$1`, `$2` ... placeholders. */
  readonly text: string;
  /** The values bound to the placeholders. */
  readonly values: readonly unknown[];
}

/**
 * True when `s` has no lone surrogate, i.e. it has a UTF-8 encoding (`String#isWellFormed`,
 * written out because the ES2023 library typings predate it).
 */
export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false; // a low surrogate without a high one before it
    const next = s.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false; // a high surrogate without a low one
    i++;
  }
  return true;
}
