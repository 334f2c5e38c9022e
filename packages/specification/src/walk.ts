/**
 * Traversal helpers for compilers and passes: an exhaustive, typed visitor over predicates (so a
 * compiler that forgets a node kind fails to type-check), a generic depth-first walk, and a
 * bottom-up predicate rewriter.
 */
import type {
  AndNode,
  ArrayContainsNode,
  BetweenNode,
  CompareNode,
  ConstNode,
  ExistsNode,
  InNode,
  IsNullNode,
  LikeNode,
  Node,
  NotNode,
  OrNode,
  Predicate,
  QueryNode,
  StringMatchNode,
} from './ast.js';
import { deepFreeze } from './freeze.js';

/** One method per predicate kind; `visit` dispatches on `kind`. */
export interface PredicateVisitor<R> {
  /** Visits a comparison. */
  compare(node: CompareNode): R;
  /** Visits a membership test. */
  in(node: InNode): R;
  /** Visits a range test. */
  between(node: BetweenNode): R;
  /** Visits a null test. */
  isNull(node: IsNullNode): R;
  /** Visits a presence test. */
  exists(node: ExistsNode): R;
  /** Visits a substring test. */
  stringMatch(node: StringMatchNode): R;
  /** Visits a LIKE test. */
  like(node: LikeNode): R;
  /** Visits an array test. */
  arrayContains(node: ArrayContainsNode): R;
  /** Visits a conjunction. */
  and(node: AndNode): R;
  /** Visits a disjunction. */
  or(node: OrNode): R;
  /** Visits a negation. */
  not(node: NotNode): R;
  /** Visits a constant. */
  const(node: ConstNode): R;
}

/** Calls the visitor's method for the node's kind and returns its result. */
export function visit<R>(node: Predicate, visitor: PredicateVisitor<R>): R {
  switch (node.kind) {
    case 'compare':
      return visitor.compare(node);
    case 'in':
      return visitor.in(node);
    case 'between':
      return visitor.between(node);
    case 'isNull':
      return visitor.isNull(node);
    case 'exists':
      return visitor.exists(node);
    case 'stringMatch':
      return visitor.stringMatch(node);
    case 'like':
      return visitor.like(node);
    case 'arrayContains':
      return visitor.arrayContains(node);
    case 'and':
      return visitor.and(node);
    case 'or':
      return visitor.or(node);
    case 'not':
      return visitor.not(node);
    case 'const':
      return visitor.const(node);
    default: {
      const never: never = node;
      throw new TypeError(`unknown predicate kind ${(never as { kind: string }).kind}`);
    }
  }
}

/** The direct children of a node, in document order. */
export function children(node: Node): Node[] {
  switch (node.kind) {
    case 'query': {
      const q = node as QueryNode;
      const out: Node[] = [q.idField];
      if (q.where) out.push(q.where);
      out.push(...q.orderBy);
      if (q.after) out.push(q.after);
      if (q.select) out.push(...q.select);
      if (q.cache) out.push(q.cache);
      return out;
    }
    case 'compare':
      return [node.field, node.value];
    case 'in':
    case 'arrayContains':
      return [node.field, ...node.values];
    case 'between':
      return [node.field, node.low, node.high];
    case 'isNull':
    case 'exists':
    case 'stringMatch':
    case 'like':
    case 'order':
      return [node.field];
    case 'and':
    case 'or':
      return [...node.operands];
    case 'not':
      return [node.operand];
    case 'keyset':
      return node.values.filter((v) => v !== null);
    default:
      return [];
  }
}

/**
 * Depth-first pre-order walk. Return `false` from `enter` to skip a node's children.
 * `depth` is 0 for the node passed in.
 */
export function walk(node: Node, enter: (node: Node, depth: number) => unknown): void {
  const go = (n: Node, depth: number): void => {
    if (enter(n, depth) === false) return;
    for (const c of children(n)) go(c, depth + 1);
  };
  go(node, 0);
}

/**
 * Rebuilds a predicate bottom-up: `fn` sees each node after its operands were rewritten and
 * returns the replacement (or the node itself). Untouched subtrees keep their identity.
 */
export function transform(node: Predicate, fn: (node: Predicate) => Predicate): Predicate {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const ops = node.operands.map((o) => transform(o, fn));
      const same = ops.every((o, i) => o === node.operands[i]);
      return fn(same ? node : deepFreeze({ kind: node.kind, operands: ops }));
    }
    case 'not': {
      const op = transform(node.operand, fn);
      return fn(op === node.operand ? node : deepFreeze({ kind: 'not', operand: op }));
    }
    default:
      return fn(node);
  }
}
