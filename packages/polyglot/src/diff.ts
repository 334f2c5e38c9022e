/**
 * Field-level differences between the primary's and the secondary's copy of one item. Paths are
 * dotted (`profile.city`, `tags[2]`); "missing" and "null" are different values, as they are in
 * the port.
 */

export interface FieldDiff {
  /** Dotted path ('' for the whole item). */
  readonly path: string;
  /** The value in the primary (undefined when missing there). */
  readonly primary: unknown;
  /** The value in the secondary (undefined when missing there). */
  readonly secondary: unknown;
  /** `missing`: absent on one side. */
  readonly kind: 'missing-in-primary' | 'missing-in-secondary' | 'different';
}

const MISSING = Symbol('missing');

/** The differences between `a` (primary) and `b` (secondary); `ignore` lists top-level fields to skip. */
export function diffItems(a: unknown, b: unknown, ignore: readonly string[] = []): FieldDiff[] {
  const out: FieldDiff[] = [];
  walk(a, b, '', out, new Set(ignore));
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: FieldDiff[], ignore: Set<string>): void {
  if (a === MISSING || b === MISSING) {
    out.push({
      path,
      primary: a === MISSING ? undefined : a,
      secondary: b === MISSING ? undefined : b,
      kind: a === MISSING ? 'missing-in-primary' : 'missing-in-secondary',
    });
    return;
  }
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++)
      walk(
        i < a.length ? a[i] : MISSING,
        i < b.length ? b[i] : MISSING,
        `${path}[${i}]`,
        out,
        ignore,
      );
    return;
  }
  if (isPlain(a) && isPlain(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      if (path === '' && ignore.has(k)) continue;
      const p = path ? `${path}.${k}` : k;
      walk(
        Object.hasOwn(a, k) ? a[k] : MISSING,
        Object.hasOwn(b, k) ? b[k] : MISSING,
        p,
        out,
        ignore,
      );
    }
    return;
  }
  out.push({ path, primary: a, secondary: b, kind: 'different' });
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
