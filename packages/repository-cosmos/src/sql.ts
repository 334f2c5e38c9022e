/**
 * The two ways a compiled query refers to input: property paths and parameters. Paths are built
 * only from schema-validated segments (`IDENTIFIER`) and always bracket-quoted, so no segment can
 * be read as a keyword or break out of the path; every value travels as a `@pN` parameter.
 */
import type { SqlParameter, SqlQuerySpec } from '@azure/cosmos';

export type { SqlParameter, SqlQuerySpec };

/** `["profile","city"]` -> `c["profile"]["city"]`. */
export function propertyPath(path: readonly string[], alias = 'c'): string {
  let out = alias;
  for (const segment of path) out += `[${JSON.stringify(segment)}]`;
  return out;
}

/** `["profile","city"]` -> `/profile/city` (indexing policies and partition key definitions). */
export function jsonPointer(path: readonly string[]): string {
  return `/${path.join('/')}`;
}

/**
 * Collects parameters and hands out their names in order (`@p0`, `@p1`, ...). Equal values share
 * one parameter, since a predicate and its negation often bind the same value.
 */
export class Params {
  /** The parameters handed out so far, in order. */
  readonly list: SqlParameter[] = [];
  readonly #byValue = new Map<string, string>();

  /**
   * The name of the parameter holding `value` (`@p0`, `@p1` ...), a new one unless an equal value
   * has one already.
   */
  add(value: SqlParameter['value']): string {
    const key = JSON.stringify(value);
    const known = this.#byValue.get(key);
    if (known) return known;
    const name = `@p${this.list.length}`;
    this.list.push({ name, value });
    this.#byValue.set(key, name);
    return name;
  }

  /** The parameters `sql` refers to (a compiled predicate keeps only one of its two halves). */
  usedIn(sql: string): SqlParameter[] {
    return this.list.filter((p) => new RegExp(`${p.name}(?![0-9])`).test(sql));
  }
}
