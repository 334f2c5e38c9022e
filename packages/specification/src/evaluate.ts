/**
 * The in-memory backend: compiles a (normalised) query once into closures (a three-valued
 * predicate and a key-extracting comparator) and runs them over arrays or async iterables. It is
 * the reference the SQL compilers are tested against, so it implements the README semantics table
 * literally: three-valued logic, absent = missing or null, typed comparisons, code point string
 * order, absent sorts lowest, id tiebreaker.
 */
import type {
  CompareOp,
  FieldRef,
  Literal,
  OrderNode,
  Predicate,
  QueryNode,
  ScalarType,
} from './ast.js';
import { MultipleResultsError } from './errors.js';
import { effectiveOrder, normalize, normalizePredicate } from './normalize.js';
import { isCanonicalBigint } from './schema.js';
import { compareBigintStrings, compareStrings, compileLike, foldAscii } from './values.js';

/** Anything that yields a query node: a `Specification` (the builder) or a raw `QueryNode`. */
export type SpecSource<T = unknown, R = T> =
  | QueryNode
  | {
      /** The query AST. */
      build(): QueryNode;
      /** Phantom: carries the item and result types; never set. */
      readonly __types?: {
        /** The entity type. */
        readonly item: T;
        /** The result type. */
        readonly result: R;
      };
    };

/** Options of the functions that read an async source. */
export interface EvaluateOptions {
  /** Cancels iteration of an async source. */
  signal?: AbortSignal;
}

/** Three-valued truth: FALSE, TRUE, UNKNOWN (SQL NULL / Cosmos undefined). */
const F = 0;
const T = 1;
const U = 2;
/**
 * FALSE (0), TRUE (1) or UNKNOWN (2).
 *
 * @inline
 */
type Truth = 0 | 1 | 2;

type Getter = (item: unknown) => unknown;

function toQuery(spec: SpecSource<unknown, unknown>): QueryNode {
  return 'kind' in spec && spec.kind === 'query' ? spec : (spec as { build(): QueryNode }).build();
}

/**
 * Reads a path; returns undefined for absent (missing, null, or not a JSON value). Functions are
 * treated as absent, which also hides everything inherited from `Object.prototype` (all of it is
 * functions, and `__proto__`/`constructor`/`prototype` are never valid segments), so a plain
 * property read is as safe as an own-property check and much faster. Paths of length 1-3 (nearly
 * all of them) get unrolled readers.
 */
export function getter(path: readonly string[]): Getter {
  const obj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const leaf = (v: unknown): unknown =>
    v === null || typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
  const [a, b, c] = path as [string, string, string];
  switch (path.length) {
    case 1:
      return (item) => (obj(item) ? leaf(item[a]) : undefined);
    case 2:
      return (item) => {
        if (!obj(item)) return undefined;
        const x = item[a];
        return obj(x) ? leaf(x[b]) : undefined;
      };
    case 3:
      return (item) => {
        if (!obj(item)) return undefined;
        const x = item[a];
        if (!obj(x)) return undefined;
        const y = x[b];
        return obj(y) ? leaf(y[c]) : undefined;
      };
    default:
      return (item) => {
        let cur: unknown = item;
        for (const k of path) {
          if (!obj(cur)) return undefined;
          cur = cur[k];
        }
        return leaf(cur);
      };
  }
}

/**
 * Coerces a stored value to the comparable form of a literal type, or undefined when the value
 * does not have that type (which makes the comparison UNKNOWN).
 */
export function coerce(type: ScalarType, v: unknown): string | number | boolean | undefined {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'date':
      if (typeof v === 'string') return v;
      return v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString() : undefined;
    case 'bigint':
      if (typeof v === 'bigint') return v.toString();
      return typeof v === 'string' && isCanonicalBigint(v) ? v : undefined;
  }
}

function cmpTyped(type: ScalarType): (a: never, b: never) => number {
  switch (type) {
    case 'string':
    case 'date':
      return compareStrings as (a: never, b: never) => number;
    case 'bigint':
      return compareBigintStrings as (a: never, b: never) => number;
    default:
      return ((a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0)) as (
        a: never,
        b: never,
      ) => number;
  }
}

/**
 * A compiled predicate: the truth value of the predicate for an item.
 *
 * @inline
 */
type Compiled = (item: unknown) => Truth;

/** Code units where UTF-16 order and code point order can disagree (surrogates, U+E000-U+FFFF). */
const HIGH_UNIT = /[\ud800-\uffff]/;

function compileLiteralTest(
  field: FieldRef,
  lit: Literal,
  test: (cmp: number) => boolean,
  ignoreCase = false,
  op?: CompareOp,
): Compiled {
  const get = getter(field.path);
  const type = lit.type;
  // Fast paths for the common, case-sensitive number and string comparisons.
  if (!ignoreCase && type === 'number' && op !== undefined) {
    const t = lit.value as number;
    // One closure per operator: no indirect call to `test` on the hot path. `v - v === 0` is
    // true exactly for finite numbers.
    switch (op) {
      case 'eq':
        return (item) => {
          const v = get(item);
          return typeof v === 'number' && v - v === 0 ? (v === t ? T : F) : U;
        };
      case 'ne':
        return (item) => {
          const v = get(item);
          return typeof v === 'number' && v - v === 0 ? (v !== t ? T : F) : U;
        };
      case 'lt':
        return (item) => {
          const v = get(item);
          return typeof v === 'number' && v - v === 0 ? (v < t ? T : F) : U;
        };
      case 'lte':
        return (item) => {
          const v = get(item);
          return typeof v === 'number' && v - v === 0 ? (v <= t ? T : F) : U;
        };
      case 'gt':
        return (item) => {
          const v = get(item);
          return typeof v === 'number' && v - v === 0 ? (v > t ? T : F) : U;
        };
      case 'gte':
        return (item) => {
          const v = get(item);
          return typeof v === 'number' && v - v === 0 ? (v >= t ? T : F) : U;
        };
    }
  }
  if ((type === 'string' || type === 'boolean') && !ignoreCase && (op === 'eq' || op === 'ne')) {
    const t = lit.value;
    const kind = type;
    const hit = op === 'eq' ? T : F;
    const miss = op === 'eq' ? F : T;
    return (item) => {
      const v = get(item);
      return typeof v === kind ? (v === t ? hit : miss) : U;
    };
  }
  if (!ignoreCase && type === 'number') {
    const t = lit.value as number;
    return (item) => {
      const v = get(item);
      if (typeof v !== 'number' || !Number.isFinite(v)) return U;
      return test(v < t ? -1 : v > t ? 1 : 0) ? T : F;
    };
  }
  if (!ignoreCase && type === 'string') {
    const t = lit.value as string;
    // A literal without code units >= 0xD800 orders the same by UTF-16 unit and by code point.
    const native = !HIGH_UNIT.test(t);
    return (item) => {
      const v = get(item);
      if (typeof v !== 'string') return U;
      return test(v === t ? 0 : native ? (v < t ? -1 : 1) : compareStrings(v, t)) ? T : F;
    };
  }
  if (type === 'boolean') {
    const t = lit.value as boolean;
    return (item) => {
      const v = get(item);
      if (typeof v !== 'boolean') return U;
      return test(v === t ? 0 : v ? 1 : -1) ? T : F;
    };
  }
  const cmp = cmpTyped(type);
  const target = ignoreCase ? foldAscii(lit.value as string) : lit.value;
  return (item) => {
    let v = coerce(type, get(item));
    if (v === undefined) return U;
    if (ignoreCase) v = foldAscii(v as string);
    return test(cmp(v as never, target as never)) ? T : F;
  };
}

/** Compiles a predicate into a function of an item, for evaluating it many times. */
export function compilePredicate(p: Predicate): Compiled {
  switch (p.kind) {
    case 'const':
      return p.value ? () => T : () => F;
    case 'compare': {
      const tests: Record<string, (c: number) => boolean> = {
        eq: (c) => c === 0,
        ne: (c) => c !== 0,
        lt: (c) => c < 0,
        lte: (c) => c <= 0,
        gt: (c) => c > 0,
        gte: (c) => c >= 0,
      };
      return compileLiteralTest(p.field, p.value, tests[p.op]!, p.ignoreCase, p.op);
    }
    case 'between': {
      const lo = compileLiteralTest(p.field, p.low, (c) => c >= 0);
      const hi = compileLiteralTest(p.field, p.high, (c) => c <= 0);
      return (item) => and2(lo(item), hi(item));
    }
    case 'in': {
      const get = getter(p.field.path);
      if (p.values.length === 0) return p.op === 'in' ? () => F : () => T;
      const type = p.values[0]!.type;
      const fold = p.ignoreCase;
      const set = new Set(p.values.map((v) => (fold ? foldAscii(v.value as string) : v.value)));
      const hit = p.op === 'in' ? T : F;
      const miss = p.op === 'in' ? F : T;
      return (item) => {
        let v = coerce(type, get(item));
        if (v === undefined) return U;
        if (fold) v = foldAscii(v as string);
        return set.has(v) ? hit : miss;
      };
    }
    case 'isNull': {
      const get = getter(p.field.path);
      return (item) => (get(item) === undefined ? T : F);
    }
    case 'exists': {
      const get = getter(p.field.path);
      return (item) => (get(item) === undefined ? F : T);
    }
    case 'stringMatch': {
      const get = getter(p.field.path);
      const fold = p.ignoreCase;
      const needle = fold ? foldAscii(p.value) : p.value;
      const op = p.op;
      return (item) => {
        let v = get(item);
        if (typeof v !== 'string') return U;
        if (fold) v = foldAscii(v);
        const s = v as string;
        const ok =
          op === 'startsWith'
            ? s.startsWith(needle)
            : op === 'endsWith'
              ? s.endsWith(needle)
              : s.includes(needle);
        return ok ? T : F;
      };
    }
    case 'like': {
      const get = getter(p.field.path);
      const match = compileLike(p.pattern, p.ignoreCase);
      return (item) => {
        const v = get(item);
        if (typeof v !== 'string') return U;
        return match(v) ? T : F;
      };
    }
    case 'arrayContains': {
      const get = getter(p.field.path);
      if (p.values.length === 0) return () => F;
      const type = p.values[0]!.type;
      const set = new Set(p.values.map((v) => v.value));
      return (item) => {
        const arr = get(item);
        if (!Array.isArray(arr)) return U;
        for (const e of arr) {
          const v = coerce(type, e);
          if (v !== undefined && set.has(v)) return T;
        }
        return F;
      };
    }
    case 'and': {
      const ops = p.operands.map(compilePredicate);
      if (ops.length === 2) {
        const [a, b] = ops as [Compiled, Compiled];
        return (item) => {
          const x = a(item);
          if (x === F) return F;
          const y = b(item);
          if (y === F) return F;
          return x === U || y === U ? U : T;
        };
      }
      if (ops.length === 3) {
        const [a, b, c] = ops as [Compiled, Compiled, Compiled];
        return (item) => {
          const x = a(item);
          if (x === F) return F;
          const y = b(item);
          if (y === F) return F;
          const z = c(item);
          if (z === F) return F;
          return x === U || y === U || z === U ? U : T;
        };
      }
      return (item) => {
        let r: Truth = T;
        for (const o of ops) {
          const x = o(item);
          if (x === F) return F;
          if (x === U) r = U;
        }
        return r;
      };
    }
    case 'or': {
      const ops = p.operands.map(compilePredicate);
      if (ops.length === 2) {
        const [a, b] = ops as [Compiled, Compiled];
        return (item) => {
          const x = a(item);
          if (x === T) return T;
          const y = b(item);
          if (y === T) return T;
          return x === U || y === U ? U : F;
        };
      }
      return (item) => {
        let r: Truth = F;
        for (const o of ops) {
          const x = o(item);
          if (x === T) return T;
          if (x === U) r = U;
        }
        return r;
      };
    }
    case 'not': {
      const op = compilePredicate(p.operand);
      return (item) => {
        const x = op(item);
        return x === U ? U : x === T ? F : T;
      };
    }
  }
}

function and2(a: Truth, b: Truth): Truth {
  if (a === F || b === F) return F;
  return a === U || b === U ? U : T;
}

/**
 * Sort rank of a stored value for an order key. Only the well-typed case is normative on every
 * backend (absent first, then values of the declared type); the rank across other types follows
 * Cosmos DB's type order so the in-memory order is at least total and deterministic.
 */
function rankOf(v: unknown, bigintField: boolean): number {
  if (v === undefined) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
      return Number.isFinite(v) ? 2 : 6;
    case 'bigint':
      return 3;
    case 'string':
      return bigintField && isCanonicalBigint(v) ? 3 : 4;
    default:
      return v instanceof Date ? 4 : 6;
  }
}

/** A comparator over items for the given (effective) order, with the evaluator's semantics. */
export function compileComparator(
  orders: readonly OrderNode[],
): (a: unknown, b: unknown) => number {
  const keys = orders.map((o) => ({
    get: getter(o.field.path),
    big: o.field.type === 'bigint',
    sign: o.direction === 'asc' ? 1 : -1,
  }));
  const norm = (v: unknown, rank: number): unknown =>
    rank === 3 && typeof v === 'bigint'
      ? v.toString()
      : rank === 4 && v instanceof Date
        ? v.toISOString()
        : v;
  return (a, b) => {
    for (const k of keys) {
      const va = k.get(a);
      const vb = k.get(b);
      const ra = rankOf(va, k.big);
      const rb = rankOf(vb, k.big);
      const c = ra !== rb ? (ra < rb ? -1 : 1) : compareSameRank(ra, norm(va, ra), norm(vb, rb));
      if (c !== 0) return c * k.sign;
    }
    return 0;
  };
}

/** Copies only the selected paths (and their parents) into a new object. */
export function projector(select: readonly FieldRef[] | null): (item: unknown) => unknown {
  if (!select) return (item) => item;
  const paths = select.map((s) => s.path);
  return (item) => {
    const out: Record<string, unknown> = {};
    for (const path of paths) {
      let src: unknown = item;
      let ok = true;
      for (const k of path) {
        if (
          typeof src !== 'object' ||
          src === null ||
          Array.isArray(src) ||
          !Object.hasOwn(src, k)
        ) {
          ok = false;
          break;
        }
        src = (src as Record<string, unknown>)[k];
      }
      if (!ok || src === undefined) continue;
      let dst = out;
      for (let i = 0; i < path.length - 1; i++) {
        const k = path[i]!;
        if (!Object.hasOwn(dst, k)) dst[k] = {};
        dst = dst[k] as Record<string, unknown>;
      }
      dst[path[path.length - 1]!] = src;
    }
    return out;
  };
}

interface Plan {
  readonly query: QueryNode;
  /** Filter including the keyset seek. */
  readonly test: Compiled;
  /** Filter for count/any: `where` only, no keyset, no paging, no order. */
  readonly countTest: Compiled;
  readonly orders: readonly OrderNode[];
  readonly project: (item: unknown) => unknown;
}

const plans = new WeakMap<QueryNode, Plan>();

/** Compiles (and caches per query node) everything the evaluator needs. */
export function plan(spec: SpecSource<unknown, unknown>): Plan {
  const query = toQuery(spec);
  const cached = plans.get(query);
  if (cached) return cached;
  const n = normalize(query);
  const test = n.where ? compilePredicate(n.where) : () => T as Truth;
  const countWhere = query.where ? normalizePredicate(query.where) : null;
  const countTest = countWhere ? compilePredicate(countWhere) : () => T as Truth;
  const p: Plan = {
    query: n,
    test,
    countTest,
    orders: effectiveOrder(n),
    project: projector(n.select),
  };
  plans.set(query, p);
  return p;
}

function isAsync<T>(items: Iterable<T> | AsyncIterable<T>): items is AsyncIterable<T> {
  return typeof (items as Iterable<T>)[Symbol.iterator] !== 'function';
}

/**
 * One order key as a comparator over item indexes, with the key extracted once per item into a
 * column. Well-typed columns get fast paths: numbers in a Float64Array (absent = -Infinity, which
 * sorts lowest), strings compared natively unless both have a code unit >= 0xD800 (the only case
 * where UTF-16 order and code point order can disagree). Anything else (booleans, bigints, data
 * that violates the schema) uses the general rank-then-value comparison. Direction is applied here.
 */
function columnComparator(
  items: readonly unknown[],
  order: OrderNode,
): (x: number, y: number) => number {
  const get = getter(order.field.path);
  const big = order.field.type === 'bigint';
  const sign = order.direction === 'asc' ? 1 : -1;
  const len = items.length;
  const raw: unknown[] = new Array(len);
  let numbers = !big;
  let strings = !big;
  for (let i = 0; i < len; i++) {
    const v = get(items[i]);
    raw[i] = v;
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) numbers = false;
    if (typeof v !== 'string') strings = false;
  }
  if (numbers) {
    const col = new Float64Array(len);
    for (let i = 0; i < len; i++)
      col[i] = raw[i] === undefined ? Number.NEGATIVE_INFINITY : (raw[i] as number);
    return (x, y) => {
      const a = col[x]!;
      const b = col[y]!;
      return a < b ? -sign : a > b ? sign : 0;
    };
  }
  if (strings) {
    const col = raw as (string | undefined)[];
    const high = new Uint8Array(len);
    for (let i = 0; i < len; i++) if (col[i] !== undefined && HIGH_UNIT.test(col[i]!)) high[i] = 1;
    return (x, y) => {
      const a = col[x];
      const b = col[y];
      if (a === b) return 0;
      if (a === undefined) return -sign;
      if (b === undefined) return sign;
      if (high[x] === 1 && high[y] === 1) return compareStrings(a, b) * sign;
      return a < b ? -sign : sign;
    };
  }
  const ranks = new Int8Array(len);
  const values: unknown[] = new Array(len);
  for (let i = 0; i < len; i++) {
    let v = raw[i];
    const rank = rankOf(v, big);
    if (rank === 3 && typeof v === 'bigint') v = v.toString();
    else if (rank === 4 && v instanceof Date) v = v.toISOString();
    ranks[i] = rank;
    values[i] = v;
  }
  return (x, y) => {
    const ra = ranks[x]!;
    const rb = ranks[y]!;
    if (ra !== rb) return ra < rb ? -sign : sign;
    return compareSameRank(ra, values[x], values[y]) * sign;
  };
}

/**
 * Orders items by the effective order, returning only the first `limit` (all when null). Keys are
 * extracted once per item into columns (see `columnComparator`). When `limit` is small
 * compared to the input, a bounded insertion buffer keeps only the best `limit` items (O(n log k)
 * comparisons plus O(k) moves) instead of sorting everything. Both paths are stable, so equal
 * keys keep input order (only possible for duplicate ids or schema-violating data).
 */
function orderItems<T>(items: T[], orders: readonly OrderNode[], limit: number | null): T[] {
  const keyCmps = orders.map((o) => columnComparator(items, o));
  const [c0, c1, c2] = keyCmps;
  const rest = keyCmps.slice(3);
  // Unrolled for up to three keys (the usual case) to keep the hot comparator monomorphic.
  const cmp = (x: number, y: number): number => {
    let c = c0!(x, y);
    if (c !== 0 || !c1) return c || x - y;
    c = c1(x, y);
    if (c !== 0 || !c2) return c || x - y;
    c = c2(x, y);
    if (c !== 0) return c;
    for (const k of rest) {
      c = k(x, y);
      if (c !== 0) return c;
    }
    return x - y; // stability
  };
  if (limit !== null && limit * 8 < items.length) {
    const best: number[] = [];
    for (let i = 0; i < items.length; i++) {
      if (best.length === limit && (limit === 0 || cmp(i, best[limit - 1]!) > 0)) continue;
      let lo = 0;
      let hi = best.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmp(best[mid]!, i) < 0) lo = mid + 1;
        else hi = mid;
      }
      best.splice(lo, 0, i);
      if (best.length > limit) best.pop();
    }
    return best.map((i) => items[i]!);
  }
  const idx = Array.from({ length: items.length }, (_, i) => i);
  idx.sort(cmp);
  const out = idx.map((i) => items[i]!);
  return limit === null ? out : out.slice(0, limit);
}

function compareSameRank(rank: number, a: unknown, b: unknown): number {
  switch (rank) {
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3:
      return compareBigintStrings(a as string, b as string);
    case 4:
      return a === b ? 0 : compareStrings(a as string, b as string);
    default:
      return 0;
  }
}

function finish<T>(p: Plan, matched: T[], takeOverride?: number): unknown[] {
  const take = takeOverride ?? p.query.take;
  const skip = p.query.skip;
  const sorted = orderItems(matched, p.orders, take === null ? null : skip + take);
  const sliced =
    skip === 0 && take === null
      ? sorted
      : sorted.slice(skip, take === null ? undefined : skip + take);
  return p.query.select ? sliced.map(p.project) : sliced;
}

async function collect<T>(
  items: AsyncIterable<T>,
  test: Compiled,
  signal?: AbortSignal,
): Promise<T[]> {
  const out: T[] = [];
  signal?.throwIfAborted();
  let n = 0;
  for await (const item of items) {
    if ((++n & 255) === 0) signal?.throwIfAborted();
    if (test(item) === T) out.push(item);
  }
  signal?.throwIfAborted();
  return out;
}

function collectSync<T>(items: Iterable<T>, test: Compiled): T[] {
  if (Array.isArray(items)) return items.filter((item) => test(item) === T);
  const out: T[] = [];
  for (const item of items) if (test(item) === T) out.push(item);
  return out;
}

/** The matching items, ordered, paged and projected. */
export function evaluate<T, R = T>(spec: SpecSource<T, R>, items: Iterable<T>): R[];
export function evaluate<T, R = T>(
  spec: SpecSource<T, R>,
  items: AsyncIterable<T>,
  options?: EvaluateOptions,
): Promise<R[]>;
export function evaluate<T, R>(
  spec: SpecSource<T, R>,
  items: Iterable<T> | AsyncIterable<T>,
  options: EvaluateOptions = {},
): R[] | Promise<R[]> {
  const p = plan(spec);
  if (isAsync(items))
    return collect(items, p.test, options.signal).then((m) => finish(p, m) as R[]);
  return finish(p, collectSync(items, p.test)) as R[];
}

/** Number of items matching `where`; ignores ordering, skip/take and keyset position. */
export function count<T>(spec: SpecSource<T, unknown>, items: Iterable<T>): number;
export function count<T>(
  spec: SpecSource<T, unknown>,
  items: AsyncIterable<T>,
  options?: EvaluateOptions,
): Promise<number>;
export function count<T>(
  spec: SpecSource<T, unknown>,
  items: Iterable<T> | AsyncIterable<T>,
  options: EvaluateOptions = {},
): number | Promise<number> {
  const p = plan(spec);
  if (isAsync(items)) {
    return (async () => {
      let n = 0;
      let seen = 0;
      options.signal?.throwIfAborted();
      for await (const item of items) {
        if ((++seen & 255) === 0) options.signal?.throwIfAborted();
        if (p.countTest(item) === T) n++;
      }
      return n;
    })();
  }
  let n = 0;
  for (const item of items) if (p.countTest(item) === T) n++;
  return n;
}

/** Whether any item matches `where`; ignores ordering, skip/take and keyset position. Stops early. */
export function any<T>(spec: SpecSource<T, unknown>, items: Iterable<T>): boolean;
export function any<T>(
  spec: SpecSource<T, unknown>,
  items: AsyncIterable<T>,
  options?: EvaluateOptions,
): Promise<boolean>;
export function any<T>(
  spec: SpecSource<T, unknown>,
  items: Iterable<T> | AsyncIterable<T>,
  options: EvaluateOptions = {},
): boolean | Promise<boolean> {
  const p = plan(spec);
  if (isAsync(items)) {
    return (async () => {
      options.signal?.throwIfAborted();
      let seen = 0;
      for await (const item of items) {
        if ((++seen & 255) === 0) options.signal?.throwIfAborted();
        if (p.countTest(item) === T) return true;
      }
      return false;
    })();
  }
  for (const item of items) if (p.countTest(item) === T) return true;
  return false;
}

/** A page of offset paging, with the total count. */
export interface Page<R> {
  /** The page's items (projected, when the spec selects). */
  items: R[];
  /** Items matching `where`, ignoring paging (what `count` returns). */
  total: number;
  /** The spec's `skip`. */
  skip: number;
  /** The spec's `take` (null: no limit). */
  take: number | null;
  /** 1-based page number when `take` is set (`skip / take + 1`, rounded down). */
  page: number | null;
  /** `take`, when set. */
  pageSize: number | null;
}

function makePage<R>(p: Plan, items: R[], total: number): Page<R> {
  const { skip, take } = p.query;
  return {
    items,
    total,
    skip,
    take,
    page: take ? Math.floor(skip / take) + 1 : null,
    pageSize: take,
  };
}

/** One page of results plus the total count, in one pass over the source. */
export function page<T, R = T>(spec: SpecSource<T, R>, items: Iterable<T>): Page<R>;
export function page<T, R = T>(
  spec: SpecSource<T, R>,
  items: AsyncIterable<T>,
  options?: EvaluateOptions,
): Promise<Page<R>>;
export function page<T, R>(
  spec: SpecSource<T, R>,
  items: Iterable<T> | AsyncIterable<T>,
  options: EvaluateOptions = {},
): Page<R> | Promise<Page<R>> {
  const p = plan(spec);
  const run = (all: T[]): Page<R> => {
    let total = 0;
    const matched: T[] = [];
    for (const item of all) {
      if (p.countTest(item) === T) total++;
      if (p.test(item) === T) matched.push(item);
    }
    return makePage(p, finish(p, matched) as R[], total);
  };
  if (isAsync(items)) return collect(items, () => T, options.signal).then(run);
  return run(Array.isArray(items) ? items : [...items]);
}

/** The first item in order (after skip), or undefined. */
export function first<T, R = T>(spec: SpecSource<T, R>, items: Iterable<T>): R | undefined;
export function first<T, R = T>(
  spec: SpecSource<T, R>,
  items: AsyncIterable<T>,
  options?: EvaluateOptions,
): Promise<R | undefined>;
export function first<T, R>(
  spec: SpecSource<T, R>,
  items: Iterable<T> | AsyncIterable<T>,
  options: EvaluateOptions = {},
): R | undefined | Promise<R | undefined> {
  const p = plan(spec);
  const take = p.query.take === 0 ? 0 : 1;
  if (isAsync(items))
    return collect(items, p.test, options.signal).then(
      (m) => finish(p, m, take)[0] as R | undefined,
    );
  return finish(p, collectSync(items, p.test), take)[0] as R | undefined;
}

/**
 * The only item in order (after skip), or undefined when none matches.
 * @throws MultipleResultsError when more than one item matches.
 */
export function single<T, R = T>(spec: SpecSource<T, R>, items: Iterable<T>): R | undefined;
export function single<T, R = T>(
  spec: SpecSource<T, R>,
  items: AsyncIterable<T>,
  options?: EvaluateOptions,
): Promise<R | undefined>;
export function single<T, R>(
  spec: SpecSource<T, R>,
  items: Iterable<T> | AsyncIterable<T>,
  options: EvaluateOptions = {},
): R | undefined | Promise<R | undefined> {
  const p = plan(spec);
  const take = p.query.take === 0 ? 0 : 2;
  const pick = (m: T[]): R | undefined => {
    const r = finish(p, m, take);
    if (r.length > 1) throw new MultipleResultsError();
    return r[0] as R | undefined;
  };
  if (isAsync(items)) return collect(items, p.test, options.signal).then(pick);
  return pick(collectSync(items, p.test));
}

/** Whether one item satisfies the spec's `where` (paging, order and keyset are ignored). */
export function isSatisfiedBy<T>(spec: SpecSource<T, unknown>, item: T): boolean {
  return plan(spec).countTest(item) === T;
}
