/**
 * Boolean SQL expressions under construction, and their rendering for a profile: nested with
 * parentheses (azure), or flattened to OR-of-ANDs without any (cosmosdb-server, whose query parser
 * takes time exponential in parenthesis depth). Also the two halves every compiled node has (see
 * the compiler's module comment).
 */
import type { CapabilityProfile } from './profile.js';
import type { Params } from './sql.js';

/** The expression that is always true. */
export const TRUE = 'true';
/** The expression that is always false. */
export const FALSE = 'false';

/**
 * A boolean SQL expression under construction: an atom (no top-level AND/OR; may start with NOT)
 * or an AND/OR of expressions. Kept as a tree until the end so it can be rendered for the profile:
 * nested with parentheses (azure), or flattened to OR-of-ANDs without any (cosmosdb-server,
 * whose query parser takes exponential time in parenthesis depth).
 */
export type Sql = string | { readonly op: 'and' | 'or'; readonly parts: readonly Sql[] };

function combine(op: 'and' | 'or', parts: readonly Sql[]): Sql {
  const absorb = op === 'and' ? FALSE : TRUE;
  const unit = op === 'and' ? TRUE : FALSE;
  const kept: Sql[] = [];
  for (const p of parts) {
    if (p === absorb) return absorb;
    if (p === unit) continue;
    if (typeof p !== 'string' && p.op === op) kept.push(...p.parts);
    else kept.push(p);
  }
  if (kept.length === 0) return unit;
  return kept.length === 1 ? kept[0]! : { op, parts: kept };
}

export function and(...parts: Sql[]): Sql {
  return combine('and', parts);
}

export function or(...parts: Sql[]): Sql {
  return combine('or', parts);
}

/** Nested rendering: every compound in parentheses. */
export function renderNested(s: Sql): string {
  if (typeof s === 'string') return s;
  return `(${s.parts.map(renderNested).join(s.op === 'and' ? ' AND ' : ' OR ')})`;
}

/** Most OR terms a flattened filter may have; beyond it parts of the filter are relaxed away. */
const DNF_CAP = 48;

export interface Dnf {
  /** OR of ANDs of atoms; `[]` is FALSE, a term `[]` is TRUE. */
  readonly terms: readonly (readonly string[])[];
  readonly relaxed: boolean;
}

const DNF_TRUE: Dnf = { terms: [[]], relaxed: false };

export function cross(a: Dnf, b: Dnf): Dnf {
  const terms: string[][] = [];
  for (const x of a.terms) for (const y of b.terms) terms.push([...new Set([...x, ...y])]);
  return { terms, relaxed: a.relaxed || b.relaxed };
}

/**
 * The expression as an OR of ANDs. The expression is monotone over its atoms (NOT appears only
 * inside atoms), so replacing a sub-expression by TRUE yields a superset: that is how an
 * expression too large to flatten is relaxed (and the plan marked inexact, so rows are re-checked).
 */
export function toDnf(s: Sql): Dnf {
  if (typeof s === 'string')
    return s === TRUE
      ? DNF_TRUE
      : s === FALSE
        ? { terms: [], relaxed: false }
        : { terms: [[s]], relaxed: false };
  const kids = s.parts.map(toDnf);
  const relaxed = kids.some((k) => k.relaxed);
  if (s.op === 'or') {
    const terms = kids.flatMap((k) => k.terms);
    if (terms.some((t) => t.length === 0)) return { terms: [[]], relaxed };
    if (terms.length > DNF_CAP) return { terms: [[]], relaxed: true };
    return { terms, relaxed };
  }
  let list = [...kids];
  let dropped = false;
  const size = () => list.reduce((n, k) => n * k.terms.length, 1);
  while (size() > DNF_CAP) {
    let widest = 0;
    list.forEach((k, i) => {
      if (k.terms.length > list[widest]!.terms.length) widest = i;
    });
    list = list.filter((_, i) => i !== widest);
    dropped = true;
  }
  const out = list.reduce(cross, DNF_TRUE);
  return { terms: out.terms, relaxed: relaxed || dropped || out.relaxed };
}

export function renderDnf(d: Dnf): string {
  if (d.terms.length === 0) return FALSE;
  if (d.terms.some((t) => t.length === 0)) return TRUE;
  return d.terms.map((t) => t.join(' AND ')).join(' OR ');
}

/** Renders for the profile; `relaxed` when flattening had to widen the expression. */
export function render(s: Sql, profile: CapabilityProfile): { text: string; relaxed: boolean } {
  if (!profile.flatWhere) return { text: renderNested(s), relaxed: false };
  const d = toDnf(s);
  return { text: renderDnf(d), relaxed: d.relaxed };
}

/** What compiling a node needs: the profile, the parameter list, and stored paths. */
export interface Ctx {
  readonly profile: CapabilityProfile;
  readonly params: Params;
  readonly path: (path: readonly string[]) => string;
}

/** A compiled node: "is TRUE" and "is FALSE" expressions, and whether they are exact. */
export interface Halves {
  readonly sql: Sql;
  readonly negated: Sql;
  readonly exact: boolean;
}

export const exact = (sql: Sql, negated: Sql): Halves => ({ sql, negated, exact: true });
export const relaxed = (sql: Sql, negated: Sql): Halves => ({ sql, negated, exact: false });
