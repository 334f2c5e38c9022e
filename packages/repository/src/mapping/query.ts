/**
 * Translates a specification written against an entity's TypeScript shape into one over its
 * stored documents, before the inner repository sees it: field paths become stored names, an
 * enum name becomes the stored integer (in every generation's numbering), a date becomes exact
 * tests on .NET text, `arrayContains` on a comma-joined list becomes an exact test on the joined
 * string. What has no correct stored equivalent is refused here, when the query is mapped, with
 * a message that says why; never by the database at run time.
 *
 * The contract, checked by a property test: for every stored document, the mapped filter
 * matches it exactly when the original filter matches the decoded item, whatever generation or
 * .NET spelling the document has and whether it lacks properties (which decode to defaults).
 * Ordering is by the stored values: a document that lacks a property sorts where absent values
 * sort, not where its default would, and .NET date text orders like its instants except within
 * one second when fractions of different lengths meet (the order the .NET App's own queries see).
 */
import {
  type FieldRef,
  isSatisfiedBy,
  type KeysetNode,
  type Literal,
  type OrderNode,
  type Predicate,
  type QueryNode,
  queryNode,
  walk,
} from '@mystira/specification';
import { brandErrors } from '../../../../shared/error-brand.js';
import { ValidationError } from '../errors.js';
import type { EntityCodec } from './codec.js';
import { dateAfter, dateAtLeast, dateAtMost, dateBefore, dateEquals } from './date-predicates.js';
import { dotnetDate } from './dates.js';
import { fieldChain } from './field-chain.js';
import type { FieldCodec } from './fields.js';
import type { Generation } from './generations.js';

/** A specification that has no correct translation to the stored documents. */
export class UnmappableQueryError extends ValidationError {
  /** The TypeScript field path the refusal is about. */
  readonly field: string;
  constructor(entity: string, field: string, reason: string) {
    super(`${entity}: cannot query "${field}": ${reason}`, {
      entity,
      issues: [{ field, message: reason }],
    });
    this.name = 'UnmappableQueryError';
    this.field = field;
  }
}

brandErrors('@mystira/repository', { UnmappableQueryError });

type Leaf = Exclude<Predicate, { kind: 'and' | 'or' | 'not' | 'const' }>;

/** A TypeScript field path resolved to its codecs and stored path. */
interface Resolved {
  /** The codec of the last segment. */
  readonly codec: FieldCodec;
  /** The codec of every segment, root first. */
  readonly chain: readonly FieldCodec[];
  /** The stored path (current names). */
  readonly path: readonly string[];
  /** The dotted TypeScript name. */
  readonly name: string;
}

/** How one generation stores a field: where, and which stored numbers an enum number is. */
interface Storage {
  /** The stored path. */
  readonly path: readonly string[];
  /** Other names of the last segment, read in order when the ones before are missing or null. */
  readonly fallbacks: readonly string[];
  /** The stored numbers of a current enum number. */
  readonly numbers: (current: number) => number[];
}

const TRUE: Predicate = { kind: 'const', value: true };
const FALSE: Predicate = { kind: 'const', value: false };

function lit(type: Literal['type'], value: string | number | boolean): Literal {
  return { kind: 'value', type, value };
}
function ref(path: readonly string[]): FieldRef {
  return { kind: 'field', path, type: null };
}
function and(...operands: Predicate[]): Predicate {
  const ops = operands.filter((o) => o !== TRUE);
  if (ops.some((o) => o === FALSE)) return FALSE;
  return ops.length === 0 ? TRUE : ops.length === 1 ? ops[0]! : { kind: 'and', operands: ops };
}
function or(...operands: Predicate[]): Predicate {
  const ops = operands.filter((o) => o !== FALSE);
  if (ops.some((o) => o === TRUE)) return TRUE;
  return ops.length === 0 ? FALSE : ops.length === 1 ? ops[0]! : { kind: 'or', operands: ops };
}
function not(operand: Predicate): Predicate {
  if (operand === TRUE) return FALSE;
  if (operand === FALSE) return TRUE;
  return { kind: 'not', operand };
}

/** Whether a predicate matches an item (the specification's own evaluator). */
function holds(where: Predicate, item: unknown): boolean {
  return isSatisfiedBy(queryNode(where), item);
}

/** A comparison with a .NET date field, decided exactly on its stored text (see date-predicates). */
function mapDate(
  p: Extract<Leaf, { kind: 'compare' | 'in' | 'between' }>,
  field: FieldRef,
): Predicate {
  const v = (l: Literal) => String(l.value);
  if (p.kind === 'between') return and(dateAtLeast(field, v(p.low)), dateAtMost(field, v(p.high)));
  if (p.kind === 'in') {
    const any = or(...p.values.map((l) => dateEquals(field, v(l))));
    return p.op === 'in' ? any : not(any);
  }
  const x = v(p.value);
  switch (p.op) {
    case 'eq':
      return dateEquals(field, x);
    case 'ne':
      return not(dateEquals(field, x));
    case 'lt':
      return dateBefore(field, x);
    case 'lte':
      return dateAtMost(field, x);
    case 'gt':
      return dateAfter(field, x);
    case 'gte':
      return dateAtLeast(field, x);
  }
}

/** Maps a query over the TypeScript shape to one over the stored documents (see the module doc). */
export function mapQuery(codec: EntityCodec<object>, query: QueryNode): QueryNode {
  const entityName = codec.domain.name;
  const generations = codec.generations;
  const refuse = (field: string, reason: string): never => {
    throw new UnmappableQueryError(entityName, field, reason);
  };
  if (query.entity !== null && query.entity !== entityName && query.entity !== codec.stored.name) {
    throw new ValidationError(
      `the specification is for entity "${query.entity}", not "${entityName}"`,
      {
        entity: entityName,
      },
    );
  }

  const resolve = (field: FieldRef): Resolved => {
    const name = field.path.join('.');
    const chain = fieldChain(codec.fields, field.path, (reason) => refuse(name, reason));
    const r = { codec: chain.at(-1)!, chain, path: chain.map((c) => c.stored!), name };
    if (r.codec.kind === 'json')
      refuse(name, 'it is stored as JSON text inside a string, which cannot be queried');
    if (r.codec.kind === 'jsonValue')
      refuse(name, 'it is a JSON value whose keys the data chooses, which cannot be queried');
    if (r.codec.kind === 'objects')
      refuse(name, 'it is an embedded collection, which cannot be queried');
    for (const g of generations) {
      if (g.touches.includes(r.path[0]!)) {
        refuse(
          name,
          `documents of the generation "${g.name}" store it differently, and the difference has no stored query`,
        );
      }
    }
    return r;
  };

  /** Where a generation stores a field (current documents: `g` null). */
  const storageOf = (r: Resolved, g: Generation | null): Storage => {
    if (!g) return { path: r.path, fallbacks: [], numbers: (n) => [n] };
    const [top, ...rest] = r.path as [string, ...string[]];
    const old = Object.entries(g.renamed).find(([, to]) => to === top)?.[0];
    const table = r.path.length === 1 ? g.renumbered[top] : undefined;
    // A renamed top-level property is read under its current name when that holds a value,
    // else under the old one (see renameProperty); below a renamed object, under the old one.
    const topLevel = rest.length === 0;
    return {
      path: topLevel || old === undefined ? r.path : [old, ...rest],
      fallbacks: topLevel && old !== undefined ? [old] : [],
      numbers: (n) => {
        if (!table) return [n];
        const olds = Object.entries(table)
          .filter(([, cur]) => cur === n)
          .map(([o]) => Number(o));
        return table[n] === undefined ? [...olds, n] : olds;
      },
    };
  };
  const affects = (r: Resolved, g: Generation): boolean => {
    const top = r.path[0]!;
    return (
      Object.values(g.renamed).includes(top) ||
      (r.path.length === 1 && g.renumbered[top] !== undefined)
    );
  };

  /** The stored numbers or strings that decode to a value equal to `v`. */
  const equalLiterals = (r: Resolved, s: Storage, v: Literal, ignoreCase: boolean): Literal[] => {
    if (r.codec.kind !== 'enum') return [v];
    const text = String(v.value);
    const matching: number[] = [];
    for (const [n, name] of r.codec.names!) {
      if (ignoreCase ? name.toLowerCase() === text.toLowerCase() : name === text)
        matching.push(n as number);
    }
    // An integer with no name decodes as its decimal text.
    if (/^-?\d+$/.test(text) && !r.codec.names!.has(Number(text))) matching.push(Number(text));
    return matching.flatMap((n) => s.numbers(n)).map((n) => lit('number', n));
  };

  const listContains = (r: Resolved, field: FieldRef, values: readonly Literal[]): Predicate => {
    const operands: Predicate[] = [];
    for (const v of values) {
      const s = String(v.value);
      if (s.includes(',')) {
        refuse(
          r.name,
          `"${s}" contains a comma, and the list is stored as one comma-joined string, so no stored item can equal it`,
        );
      }
      if (s.length === 0) continue; // empty items are dropped when the list is read
      operands.push(
        { kind: 'compare', op: 'eq', field, value: lit('string', s), ignoreCase: false },
        { kind: 'stringMatch', op: 'startsWith', field, value: `${s},`, ignoreCase: false },
        { kind: 'stringMatch', op: 'endsWith', field, value: `,${s}`, ignoreCase: false },
        { kind: 'stringMatch', op: 'contains', field, value: `,${s},`, ignoreCase: false },
      );
    }
    return or(...operands);
  };

  /** The leaf over one generation's stored document, for documents that have the property. */
  const storedLeaf = (p: Leaf, r: Resolved, s: Storage): Predicate => {
    const kind = r.codec.kind;
    const field = ref(s.path);
    switch (p.kind) {
      case 'isNull':
      case 'exists':
        if (kind === 'list') {
          return refuse(
            r.name,
            'a comma-joined list reads as an empty list when it is missing, so null tests have no stored equivalent',
          );
        }
        return { ...p, field };
      case 'arrayContains':
        return kind === 'list' ? listContains(r, field, p.values) : { ...p, field };
      case 'stringMatch':
      case 'like':
        if (kind === 'date' || kind === 'enum' || kind === 'enumName') {
          return refuse(
            r.name,
            `the stored text of ${kind === 'date' ? 'a date is .NET text, not ISO text' : 'an enum is not its TypeScript value'}, so text matching has no stored equivalent`,
          );
        }
        return { ...p, field };
      case 'between':
      case 'compare':
      case 'in': {
        if (kind === 'date') return mapDate(p, field);
        const op =
          p.kind === 'in'
            ? p.op
            : p.kind === 'compare' && p.op === 'eq'
              ? 'in'
              : p.kind === 'compare' && p.op === 'ne'
                ? 'notIn'
                : null;
        if (op === null) {
          if (kind === 'enum' || kind === 'enumName') {
            return refuse(
              r.name,
              'enums are stored as numbers or names whose order is not the order of their TypeScript values; compare with eq/ne/in',
            );
          }
          return { ...p, field } as Predicate;
        }
        const values = p.kind === 'in' ? p.values : [(p as { value: Literal }).value];
        const caseless = (p as { ignoreCase?: boolean }).ignoreCase === true;
        const ignoreCase = caseless || kind === 'enumName';
        const stored = values.flatMap((v) => equalLiterals(r, s, v, caseless));
        if (stored.length === 0) return op === 'in' ? FALSE : { kind: 'exists', field };
        const textual = ignoreCase && stored.every((x) => x.type === 'string');
        if (stored.length === 1) {
          return {
            kind: 'compare',
            op: op === 'in' ? 'eq' : 'ne',
            field,
            value: stored[0]!,
            ignoreCase: textual,
          };
        }
        return { kind: 'in', op, field, values: stored, ignoreCase: textual };
      }
      default:
        return refuse('', `unsupported predicate kind "${(p as { kind: string }).kind}"`);
    }
  };

  /**
   * The leaf over one generation's documents, including those that lack the property (or hold
   * null where the TypeScript value is not nullable): those decode to the field's default, so
   * they match exactly when the default does.
   */
  const generationLeaf = (p: Leaf, r: Resolved, s: Storage): Predicate => {
    // The stored names a value is read from, in order: the main one, then its aliases (read when
    // the ones before are missing or null, as decoding does).
    const last = s.path.at(-1)!;
    const names = [...new Set([last, ...s.fallbacks, ...(r.codec.aliases ?? [])])];
    const at = (name: string): Storage => ({ ...s, path: [...s.path.slice(0, -1), name] });
    const isNull = (name: string): Predicate => ({ kind: 'isNull', field: ref(at(name).path) });
    const chain = (i: number): Predicate =>
      i === names.length - 1
        ? storedLeaf(p, r, at(names[i]!))
        : or(
            and(not(isNull(names[i]!)), storedLeaf(p, r, at(names[i]!))),
            and(isNull(names[i]!), chain(i + 1)),
          );
    const present = chain(0);
    if (r.codec.isNullable) return present;
    const fallback = r.codec.decode(undefined);
    const item: Record<string, unknown> = {};
    let cur = item;
    p.field.path.forEach((seg, i) => {
      if (i === p.field.path.length - 1) cur[seg] = fallback;
      else cur = cur[seg] = {} as Record<string, unknown>;
    });
    // Missing here, and every nullable parent present (a null parent makes the field absent).
    const parents = r.chain
      .slice(0, -1)
      .map((c, i) =>
        c.isNullable ? ({ kind: 'exists', field: ref(s.path.slice(0, i + 1)) } as Predicate) : TRUE,
      );
    const missing = and(...names.map(isNull), ...parents);
    // Either way the answer for a missing property is definite, never unknown: it is the
    // default's, so a NOT above this leaf flips it as it flips the TypeScript one.
    return holds(p, JSON.parse(JSON.stringify(item)))
      ? or(missing, present)
      : and(not(missing), present);
  };

  const mapLeaf = (p: Leaf): Predicate => {
    const r = resolve(p.field);
    const current = generationLeaf(p, r, storageOf(r, null));
    if (!generations.some((g) => affects(r, g))) return current;
    // Documents belong to the first generation that matches them; the current ones match none.
    const branches: Predicate[] = [];
    const earlier: Predicate[] = [];
    for (const g of generations) {
      branches.push(and(g.where, ...earlier.map(not), generationLeaf(p, r, storageOf(r, g))));
      earlier.push(g.where);
    }
    branches.push(and(...earlier.map(not), current));
    return or(...branches);
  };

  const mapPredicate = (p: Predicate): Predicate => {
    switch (p.kind) {
      case 'const':
        return p;
      case 'and':
        return { kind: 'and', operands: p.operands.map(mapPredicate) };
      case 'or':
        return { kind: 'or', operands: p.operands.map(mapPredicate) };
      case 'not':
        return { kind: 'not', operand: mapPredicate(p.operand) };
      default:
        return mapLeaf(p);
    }
  };

  const mapOrder = (o: OrderNode): { order: OrderNode; r: Resolved } => {
    const r = resolve(o.field);
    if (r.codec.kind === 'enum' || r.codec.kind === 'enumName') {
      refuse(
        r.name,
        'enums are stored as numbers or names whose order is not the order of their TypeScript values, so ordering by one has no stored equivalent',
      );
    }
    if (generations.some((g) => affects(r, g))) {
      refuse(
        r.name,
        'older documents store it under another name or numbering, so one stored order cannot sort them all',
      );
    }
    return { order: { ...o, field: ref(r.path) }, r };
  };

  /**
   * The stored paths a projection reads: the selected ones under every generation's name, and
   * what recognises the generations (a projected document must still decode as its own).
   */
  const storedSelect = (selected: readonly Resolved[]): FieldRef[] => {
    const paths = new Map<string, readonly string[]>();
    const add = (path: readonly string[]) => paths.set(path.join('.'), path);
    for (const r of selected) {
      for (const st of [storageOf(r, null), ...generations.map((g) => storageOf(r, g))]) {
        const parent = st.path.slice(0, -1);
        for (const name of [st.path.at(-1)!, ...st.fallbacks, ...(r.codec.aliases ?? [])]) {
          add([...parent, name]);
        }
      }
    }
    for (const g of generations) {
      walk(g.where, (node) => {
        if (node.kind === 'field') add(node.path);
      });
    }
    return [...paths.values()].map(ref);
  };

  const idResolved = resolve(query.idField);
  const orders = query.orderBy.map(mapOrder);
  const keyOrder = [...orders.map((o) => o.r), idResolved];
  const keysetValue = (r: Resolved | undefined, v: Literal): Literal =>
    r?.codec.kind === 'date' ? lit('string', dotnetDate(String(v.value))) : v;
  const after: KeysetNode | null = query.after
    ? {
        kind: 'keyset',
        values: query.after.values.map((v, i) => (v === null ? v : keysetValue(keyOrder[i], v))),
      }
    : null;

  return {
    ...query,
    entity: codec.stored.name,
    idField: ref(idResolved.path),
    where: query.where ? mapPredicate(query.where) : null,
    orderBy: orders.map((o) => o.order),
    after,
    select: query.select ? storedSelect(query.select.map(resolve)) : null,
  };
}
