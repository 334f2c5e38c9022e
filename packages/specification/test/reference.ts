/**
 * A deliberately slow, independent reading of the README semantics table, used by the property
 * tests as the oracle for `evaluate`. It interprets the raw (un-normalised) AST directly, with
 * string truth values, code-point arrays for string order, BigInt for bigints and a RegExp for
 * LIKE, sharing no code with the package's evaluator.
 */
import type { FieldRef, Literal, OrderNode, Predicate, QueryNode } from '@mystira/specification';

type TV = 'TRUE' | 'FALSE' | 'UNKNOWN';

export function refGet(item: unknown, path: readonly string[]): unknown {
  let cur: unknown = item;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (!Object.keys(cur).includes(key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur === null ? undefined : cur;
}

function codePoints(s: string): number[] {
  return [...s].map((c) => c.codePointAt(0) as number);
}

export function refCompareStrings(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number) < 0 ? -1 : 1;
  }
  return Math.sign(x.length - y.length);
}

function lower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The stored value as a comparable of the literal's type, or undefined when it is not of that type. */
function asType(lit: Literal, v: unknown): string | number | boolean | bigint | undefined {
  switch (lit.type) {
    case 'string':
    case 'date':
      return typeof v === 'string' ? v : undefined;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'bigint':
      return typeof v === 'string' && /^(0|-?[1-9][0-9]*)$/.test(v) ? BigInt(v) : undefined;
  }
}

function litValue(lit: Literal): string | number | boolean | bigint {
  return lit.type === 'bigint' ? BigInt(lit.value as string) : lit.value;
}

function cmp(a: string | number | boolean | bigint, b: string | number | boolean | bigint): number {
  if (typeof a === 'string' && typeof b === 'string') return refCompareStrings(a, b);
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function tv(b: boolean): TV {
  return b ? 'TRUE' : 'FALSE';
}

function compareLit(
  field: FieldRef,
  lit: Literal,
  item: unknown,
  ignoreCase: boolean,
): number | null {
  let v = asType(lit, refGet(item, field.path));
  if (v === undefined) return null;
  let w = litValue(lit);
  if (ignoreCase) {
    v = lower(v as string);
    w = lower(w as string);
  }
  return cmp(v, w);
}

function likeToRegExp(pattern: string): RegExp {
  let src = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '\\') {
      i++;
      src += (chars[i] as string).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'su');
}

export function refTest(p: Predicate, item: unknown): TV {
  switch (p.kind) {
    case 'const':
      return tv(p.value);
    case 'compare': {
      const c = compareLit(p.field, p.value, item, p.ignoreCase);
      if (c === null) return 'UNKNOWN';
      return tv({ eq: c === 0, ne: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[p.op]);
    }
    case 'in': {
      // Defined as the OR of eq (in) / the AND of ne (notIn).
      const parts = p.values.map(
        (v): Predicate => ({
          kind: 'compare',
          op: p.op === 'in' ? 'eq' : 'ne',
          field: p.field,
          value: v,
          ignoreCase: p.ignoreCase,
        }),
      );
      return refTest({ kind: p.op === 'in' ? 'or' : 'and', operands: parts }, item);
    }
    case 'between':
      return refTest(
        {
          kind: 'and',
          operands: [
            { kind: 'compare', op: 'gte', field: p.field, value: p.low, ignoreCase: false },
            { kind: 'compare', op: 'lte', field: p.field, value: p.high, ignoreCase: false },
          ],
        },
        item,
      );
    case 'isNull':
      return tv(refGet(item, p.field.path) === undefined);
    case 'exists':
      return tv(refGet(item, p.field.path) !== undefined);
    case 'stringMatch': {
      const v = refGet(item, p.field.path);
      if (typeof v !== 'string') return 'UNKNOWN';
      const s = p.ignoreCase ? lower(v) : v;
      const n = p.ignoreCase ? lower(p.value) : p.value;
      if (p.op === 'startsWith') return tv(s.slice(0, n.length) === n);
      if (p.op === 'endsWith') return tv(n.length === 0 || s.slice(-n.length) === n);
      return tv(s.indexOf(n) >= 0);
    }
    case 'like': {
      const v = refGet(item, p.field.path);
      if (typeof v !== 'string') return 'UNKNOWN';
      const re = likeToRegExp(p.ignoreCase ? lower(p.pattern) : p.pattern);
      return tv(re.test(p.ignoreCase ? lower(v) : v));
    }
    case 'arrayContains': {
      // Any-of semantics: with no values it is the empty OR, FALSE for every row (like `in []`).
      if (p.values.length === 0) return 'FALSE';
      const v = refGet(item, p.field.path);
      if (!Array.isArray(v)) return 'UNKNOWN';
      return tv(
        v.some((e) =>
          p.values.some(
            (lit) => asType(lit, e) !== undefined && cmp(asType(lit, e)!, litValue(lit)) === 0,
          ),
        ),
      );
    }
    case 'and': {
      const r = p.operands.map((o) => refTest(o, item));
      if (r.includes('FALSE')) return 'FALSE';
      return r.includes('UNKNOWN') ? 'UNKNOWN' : 'TRUE';
    }
    case 'or': {
      const r = p.operands.map((o) => refTest(o, item));
      if (r.includes('TRUE')) return 'TRUE';
      return r.includes('UNKNOWN') ? 'UNKNOWN' : 'FALSE';
    }
    case 'not': {
      const r = refTest(p.operand, item);
      return r === 'UNKNOWN' ? r : r === 'TRUE' ? 'FALSE' : 'TRUE';
    }
  }
}

/** Sort key per the README: absent < boolean < number < bigint < string < anything else. */
function sortKey(v: unknown, field: FieldRef): [number, unknown] {
  if (v === undefined) return [0, null];
  if (typeof v === 'boolean') return [1, v ? 1 : 0];
  if (typeof v === 'number') return Number.isFinite(v) ? [2, v] : [6, null];
  if (typeof v === 'string') {
    if (field.type === 'bigint' && /^(0|-?[1-9][0-9]*)$/.test(v)) return [3, BigInt(v)];
    return [4, v];
  }
  return [6, null];
}

export function refOrders(q: QueryNode): OrderNode[] {
  const seen = new Set<string>();
  const out: OrderNode[] = [];
  const idName = q.idField.path.join('.');
  for (const o of q.orderBy) {
    const name = o.field.path.join('.');
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(o);
    if (name === idName) return out;
  }
  return [...out, { kind: 'order', field: q.idField, direction: 'asc' }];
}

export function refCompareItems(q: QueryNode, a: unknown, b: unknown): number {
  for (const o of refOrders(q)) {
    const [ra, va] = sortKey(refGet(a, o.field.path), o.field);
    const [rb, vb] = sortKey(refGet(b, o.field.path), o.field);
    let c = 0;
    if (ra !== rb) c = ra < rb ? -1 : 1;
    else if (va !== null && vb !== null) c = cmp(va as never, vb as never);
    if (c !== 0) return o.direction === 'asc' ? c : -c;
  }
  return 0;
}

/** Reference `evaluate`: filter (TRUE only), sort, skip/take, project. Ignores `after`. */
export function refEvaluate<T>(q: QueryNode, items: readonly T[]): unknown[] {
  const kept = items.filter((i) => (q.where ? refTest(q.where, i) === 'TRUE' : true));
  // Insertion sort: slow, obviously stable, independent of Array#sort.
  const sorted: T[] = [];
  for (const item of kept) {
    let at = sorted.length;
    while (at > 0 && refCompareItems(q, sorted[at - 1], item) > 0) at--;
    sorted.splice(at, 0, item);
  }
  const end = q.take === null ? sorted.length : q.skip + q.take;
  const paged = sorted.slice(q.skip, end);
  if (!q.select) return paged;
  return paged.map((item) => {
    const out: Record<string, unknown> = {};
    for (const f of q.select!) {
      const raw = rawGet(item, f.path);
      if (raw === undefined) continue;
      let dst = out;
      f.path.slice(0, -1).forEach((k) => {
        dst[k] ??= {};
        dst = dst[k] as Record<string, unknown>;
      });
      dst[f.path[f.path.length - 1] as string] = raw;
    }
    return out;
  });
}

function rawGet(item: unknown, path: readonly string[]): unknown {
  let cur: unknown = item;
  for (const key of path) {
    if (
      cur === null ||
      typeof cur !== 'object' ||
      Array.isArray(cur) ||
      !Object.keys(cur).includes(key)
    )
      return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
