/**
 * Normalising passes every backend shares, so they all see the same, simplest tree:
 *
 * - `flatten`: nested and/or of the same kind merge; single-operand and/or unwrap; `not(not x)` = x.
 * - `foldConstants`: `and` drops `true` and becomes `false` on any `false` (and the dual for `or`);
 *   `not(const)` folds; empty `and` = true, empty `or` = false.
 * - `foldIgnoreCase`: operands of `ignoreCase` predicates are ASCII-folded (their case cannot matter).
 * - `simplifyLists`: `in []` = false, `notIn []` = true, `arrayContains []` = false (by definition,
 *   the empty OR/AND, whatever the row); duplicate values removed and sorted; one-value `in`/`notIn`
 *   become `eq`/`ne`; `between x and x` becomes `eq x`.
 * - `sortOperands`: and/or operands are sorted and deduplicated by their canonical JSON (both are
 *   commutative and idempotent in three-valued logic), so equal meaning gives equal trees.
 * - `withTiebreaker`: the id field is appended as the last order key (asc) unless already ordered
 *   on; keys after the id (or repeated keys) are dropped as they can never decide anything.
 * - `expandKeyset`: the `after` keyset becomes an ordinary predicate ANDed into `where`.
 *
 * Every pass preserves three-valued semantics exactly (see the README); constant folding never
 * turns an UNKNOWN into a FALSE, which would change the meaning of an enclosing `not`.
 */
import type { FieldRef, KeysetNode, Literal, OrderNode, Predicate, QueryNode } from './ast.js';
import { InvalidSpecificationError } from './errors.js';
import { deepFreeze } from './freeze.js';
import { sha256Hex } from './sha256.js';
import { foldAscii } from './values.js';
import { transform } from './walk.js';

export { deepFreeze };

const TRUE: Predicate = Object.freeze({ kind: 'const', value: true });
const FALSE: Predicate = Object.freeze({ kind: 'const', value: false });

const quotedKeys = new Map<string, string>();
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  // JSON.stringify is slow on single primitives; plain strings (the common case) need no escaping.
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * Deterministic JSON: object keys sorted (by UTF-16 code units, like `Array#sort`), `undefined`
 * properties omitted, output identical to `JSON.stringify` of the key-sorted value. `memo` caches
 * strings by object identity for the duration of one call (nodes are immutable, and sorting
 * operands level by level would otherwise serialise the same subtrees again and again).
 */
export function canonicalJson(value: unknown, memo?: Map<object, string>): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (value === null) return 'null';
  const cached = memo?.get(value);
  if (cached !== undefined) return cached;
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i], memo);
    out += ']';
  } else {
    const rec = value as Record<string, unknown>;
    const keys = Object.keys(rec);
    // Insertion sort: nodes have a handful of keys, where this beats Array#sort.
    for (let i = 1; i < keys.length; i++) {
      const k = keys[i]!;
      let j = i - 1;
      while (j >= 0 && keys[j]! > k) {
        keys[j + 1] = keys[j]!;
        j--;
      }
      keys[j + 1] = k;
    }
    out = '{';
    for (const k of keys) {
      const v = rec[k];
      if (v === undefined) continue;
      let q = quotedKeys.get(k);
      if (q === undefined) {
        q = quote(k);
        if (quotedKeys.size < 1000) quotedKeys.set(k, q);
      }
      out += `${out.length > 1 ? ',' : ''}${q}:${canonicalJson(v, memo)}`;
    }
    out += '}';
  }
  memo?.set(value, out);
  return out;
}

/**
 * Merges nested ANDs (and nested ORs) into their parent, unwraps single-operand ones, and removes
 * double negations.
 */
export function flatten(p: Predicate): Predicate {
  return transform(p, (n) => {
    if (n.kind === 'and' || n.kind === 'or') {
      const ops: Predicate[] = [];
      for (const o of n.operands) {
        if (o.kind === n.kind) ops.push(...o.operands);
        else ops.push(o);
      }
      if (ops.length === 1) return ops[0]!;
      return ops.length === n.operands.length && ops.every((o, i) => o === n.operands[i])
        ? n
        : Object.freeze({ kind: n.kind, operands: Object.freeze(ops) });
    }
    if (n.kind === 'not' && n.operand.kind === 'not') return n.operand.operand;
    return n;
  });
}

/**
 * Folds constants: `true` drops out of an AND and decides an OR, `false` the reverse; NOT of a
 * constant is the other one.
 */
export function foldConstants(p: Predicate): Predicate {
  return transform(p, (n) => {
    if (n.kind === 'and' || n.kind === 'or') {
      const absorbing = n.kind === 'or'; // true absorbs or; false absorbs and
      const ops: Predicate[] = [];
      for (const o of n.operands) {
        if (o.kind === 'const') {
          if (o.value === absorbing) return o;
          continue; // the identity element
        }
        ops.push(o);
      }
      if (ops.length === 0) return absorbing ? FALSE : TRUE;
      if (ops.length === 1) return ops[0]!;
      return ops.length === n.operands.length
        ? n
        : Object.freeze({ kind: n.kind, operands: Object.freeze(ops) });
    }
    if (n.kind === 'not' && n.operand.kind === 'const') return n.operand.value ? FALSE : TRUE;
    return n;
  });
}

function uniqueSorted(values: readonly Literal[], memo?: Map<object, string>): readonly Literal[] {
  const byKey = new Map<string, Literal>();
  for (const v of values) byKey.set(canonicalJson(v, memo), v);
  const keys = [...byKey.keys()].sort();
  // Unchanged input keeps its identity, so the fixed-point loop can compare by reference.
  if (keys.length === values.length && keys.every((k, i) => byKey.get(k) === values[i]))
    return values;
  return Object.freeze(keys.map((k) => byKey.get(k)!));
}

function foldLiteral(v: Literal): Literal {
  const folded = foldAscii(v.value as string);
  return folded === v.value ? v : Object.freeze({ ...v, value: folded });
}

/**
 * With `ignoreCase`, the case of ASCII letters in the operand cannot matter, so operands are
 * folded: `eq(name, 'ANN', ignoreCase)` and `eq(name, 'ann', ignoreCase)` become one tree (and one
 * hash). Compilers fold both sides anyway, so they see no difference.
 */
export function foldIgnoreCase(p: Predicate): Predicate {
  return transform(p, (n) => {
    if (!('ignoreCase' in n) || !n.ignoreCase) return n;
    switch (n.kind) {
      case 'compare': {
        const value = foldLiteral(n.value);
        return value === n.value ? n : Object.freeze({ ...n, value });
      }
      case 'in': {
        const values = n.values.map(foldLiteral);
        return values.every((v, i) => v === n.values[i])
          ? n
          : Object.freeze({ ...n, values: Object.freeze(values) });
      }
      case 'stringMatch': {
        const value = foldAscii(n.value);
        return value === n.value ? n : Object.freeze({ ...n, value });
      }
      case 'like': {
        const pattern = foldAscii(n.pattern);
        return pattern === n.pattern ? n : Object.freeze({ ...n, pattern });
      }
      default:
        return n;
    }
  });
}

/**
 * Sorts and deduplicates list values; `in`/`notIn` of no value become constants, of one value a
 * comparison.
 */
export function simplifyLists(p: Predicate, memo?: Map<object, string>): Predicate {
  return transform(p, (n) => {
    if (n.kind === 'in') {
      if (n.values.length === 0) return n.op === 'in' ? FALSE : TRUE;
      const values = uniqueSorted(n.values, memo);
      if (values.length === 1) {
        return Object.freeze({
          kind: 'compare',
          op: n.op === 'in' ? 'eq' : 'ne',
          field: n.field,
          value: values[0]!,
          ignoreCase: n.ignoreCase,
        });
      }
      return values === n.values ? n : Object.freeze({ ...n, values });
    }
    if (n.kind === 'arrayContains') {
      if (n.values.length === 0) return FALSE;
      const values = uniqueSorted(n.values, memo);
      return values === n.values ? n : Object.freeze({ ...n, values });
    }
    if (n.kind === 'between' && canonicalJson(n.low, memo) === canonicalJson(n.high, memo)) {
      return Object.freeze({
        kind: 'compare',
        op: 'eq',
        field: n.field,
        value: n.low,
        ignoreCase: false,
      });
    }
    return n;
  });
}

/**
 * Sorts and deduplicates the operands of every AND and OR, so equivalent trees are equal (and hash
 * alike).
 */
export function sortOperands(p: Predicate, memo?: Map<object, string>): Predicate {
  return transform(p, (n) => {
    if (n.kind !== 'and' && n.kind !== 'or') return n;
    const byKey = new Map<string, Predicate>();
    for (const o of n.operands) byKey.set(canonicalJson(o, memo), o);
    const ops = [...byKey.keys()].sort().map((k) => byKey.get(k)!);
    if (ops.length === 1) return ops[0]!;
    if (ops.length === n.operands.length && ops.every((o, i) => o === n.operands[i])) return n;
    return Object.freeze({ kind: n.kind, operands: Object.freeze(ops) });
  });
}

/** All predicate passes, to a fixed point (a pass can enable another, e.g. folding then flattening). */
export function normalizePredicate(p: Predicate, memo: Map<object, string> = new Map()): Predicate {
  let cur = p;
  for (let i = 0; i < 8; i++) {
    const next = sortOperands(
      foldConstants(flatten(simplifyLists(foldIgnoreCase(cur), memo))),
      memo,
    );
    if (next === cur) return next;
    cur = next;
  }
  return cur;
}

const sameField = (a: FieldRef, b: FieldRef): boolean =>
  a.path.length === b.path.length && a.path.every((s, i) => s === b.path[i]);

/** The effective order: user keys (duplicates dropped), cut after the id, then the id tiebreaker. */
export function effectiveOrder(query: Pick<QueryNode, 'orderBy' | 'idField'>): OrderNode[] {
  const out: OrderNode[] = [];
  for (const o of query.orderBy) {
    if (out.some((x) => sameField(x.field, o.field))) continue;
    out.push(o);
    if (sameField(o.field, query.idField)) return out;
  }
  out.push(Object.freeze({ kind: 'order', field: query.idField, direction: 'asc' }));
  return out;
}

/**
 * The predicate "the row comes strictly after the keyset row in `orders`", where absent values
 * sort lowest. For keys k1..kn and values v1..vn: OR over i of (k1 = v1 AND ... AND k(i-1) = v(i-1)
 * AND ki is after vi).
 */
export function keysetPredicate(orders: readonly OrderNode[], keyset: KeysetNode): Predicate {
  if (keyset.values.length !== orders.length) {
    throw new InvalidSpecificationError(
      `keyset has ${keyset.values.length} values but the specification orders by ${orders.length} keys`,
      { path: '/after' },
    );
  }
  const disjuncts: Predicate[] = [];
  const equalSoFar: Predicate[] = [];
  orders.forEach((o, i) => {
    const v = keyset.values[i]!;
    const f = o.field;
    let after: Predicate;
    if (o.direction === 'asc') {
      after =
        v === null
          ? { kind: 'exists', field: f }
          : { kind: 'compare', op: 'gt', field: f, value: v, ignoreCase: false };
    } else {
      after =
        v === null
          ? FALSE
          : {
              kind: 'or',
              operands: [
                { kind: 'compare', op: 'lt', field: f, value: v, ignoreCase: false },
                { kind: 'isNull', field: f },
              ],
            };
    }
    disjuncts.push({ kind: 'and', operands: [...equalSoFar, after] });
    equalSoFar.push(
      v === null
        ? { kind: 'isNull', field: f }
        : { kind: 'compare', op: 'eq', field: f, value: v, ignoreCase: false },
    );
  });
  return deepFreeze({ kind: 'or', operands: disjuncts });
}

/** Applies every pass; the result is what compilers compile and what `hash` hashes. */
export function normalize(query: QueryNode, memo?: Map<object, string>): QueryNode {
  const orderBy = effectiveOrder(query);
  let where: Predicate | null = query.where;
  if (query.after) {
    const seek = keysetPredicate(orderBy, query.after);
    where = where ? { kind: 'and', operands: [where, seek] } : seek;
  }
  if (where) {
    where = normalizePredicate(where, memo);
    if (where.kind === 'const' && where.value) where = null;
  }
  let select: FieldRef[] | null = null;
  if (query.select) {
    const byKey = new Map<string, FieldRef>();
    for (const s of query.select) byKey.set(s.path.join('.'), s);
    select = [...byKey.keys()].sort().map((k) => byKey.get(k)!);
  }
  return deepFreeze({
    kind: 'query',
    version: query.version,
    entity: query.entity,
    idField: query.idField,
    where,
    orderBy,
    after: null,
    skip: query.skip,
    take: query.take,
    select,
    cache: query.cache,
  });
}

/**
 * Stable hash of a specification's meaning: SHA-256 (hex) of the canonical JSON of the normalised
 * query, without the cache hint. Equal meaning (up to the normalising passes) gives an equal hash
 * in every process and release of AST version 1; use it in cache keys.
 */
export function hashQuery(query: QueryNode): string {
  const known = hashes.get(query);
  if (known !== undefined) return known;
  // One memo for normalising and serialising: subtrees serialised while sorting operands are reused.
  const memo = new Map<object, string>();
  const n = normalize(query, memo);
  const hash = sha256Hex(canonicalJson({ ...n, cache: null }, memo));
  if (Object.isFrozen(query)) hashes.set(query, hash);
  return hash;
}

/** Hashes of frozen (immutable) query nodes, so hashing the same spec again is free. */
const hashes = new WeakMap<QueryNode, string>();
