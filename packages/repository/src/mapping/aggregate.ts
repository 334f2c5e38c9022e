/**
 * Aggregates through `mapped()`: an aggregate written against an entity's TypeScript shape, run
 * by the inner repository over the stored documents and finished here, so that it gives what
 * the same aggregate gives over the decoded items (`evaluateAggregate`).
 *
 * How: the source's filter is mapped as `mapQuery` maps it; the inner repository groups by the
 * stored values (an enum's stored number, a date's .NET text, every stored name a value can be
 * read from) and returns, per group, its row count and per aggregate the raw material (count of
 * present stored values, their sum, min or max). Each group's key is then decoded by the field's
 * codec (so a legacy status number and the current one, or a missing property and its default,
 * land in one group), dates are bucketed on the decoded instant, and `finishAggregate` merges the
 * groups that decode to the same key and applies the aggregate rules once.
 *
 * Decided, and refused with `UnmappableQueryError` where it does not hold:
 * - Computed, JSON-text, JSON-value and embedded-collection fields cannot be grouped or
 *   aggregated (the store keeps no queryable value); nor can fields an older generation stores
 *   with another type.
 * - `min`/`max` of a date: refused. The stored .NET text orders like its instants except within
 *   one second when fractions of different lengths meet (`.1Z` after `.15Z`), so the stored
 *   minimum is not always the earliest instant. Grouping by a date or bucketing one is exact:
 *   it groups by the stored text and decodes each group's text (more groups travel from the
 *   database than the result has: one per distinct stored instant).
 * - `min`/`max` of an enum: refused (stored numbers and names do not order like the TypeScript
 *   values). Grouping by an enum is exact, in every generation's numbering: the aggregate runs
 *   once per generation whose numbering differs, each group decoded with its own table.
 * - A value that may be read from several stored names (an alias, a renamed property) can be a
 *   group key (it groups by every name, then decodes the first that holds a value) but is not
 *   aggregated: no stored aggregate reads "this name, else that one".
 * - A missing (or null) stored value of a field that is not nullable decodes to the field's
 *   default: it is counted, summed, averaged and compared as that default. Below an object that
 *   may be null that is refused (missing means the default when the object is there and absent
 *   when it is not, and the group cannot tell them apart).
 * - Sums of numbers merged from several stored groups add each group's sum as the database
 *   rounded it (exact for integers; the last bit may differ for fractions).
 */
import {
  type AggregateNode,
  type AggregatePartial,
  type AggregateQueryNode,
  type AggregateSource,
  aggregateQuery,
  type FieldRef,
  finishAggregate,
  type GroupKey,
  groupKeyField,
  type NamedAggregate,
  type PartialGroup,
  type Predicate,
  type QueryNode,
  truncateDate,
} from '@mystira/specification';
import { bindAggregate } from '../aggregate.js';
import type { CallOptions, Repository } from '../port.js';
import type { EntityCodec } from './codec.js';
import { fieldChain } from './field-chain.js';
import type { FieldCodec } from './fields.js';
import type { Generation, StoredDocument } from './generations.js';
import { mapQuery, UnmappableQueryError } from './query.js';

/** A TypeScript field path resolved to its codec and stored names. */
interface Resolved {
  /** The codec of the last segment. */
  readonly codec: FieldCodec;
  /** The stored path of the parent object (current names). */
  readonly parent: readonly string[];
  /** The stored names the value is read from, in order. */
  readonly names: readonly string[];
  /** The dotted TypeScript name. */
  readonly name: string;
  /** Whether a parent object may be null. */
  readonly nullableParent: boolean;
}

function ref(path: readonly string[]): FieldRef {
  return { kind: 'field', path, type: null };
}

/** Reads a stored path from an inner result row (nested keys are nested objects). */
function read(row: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = row;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return null;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur ?? null;
}

/** Runs an aggregate written against the codec's TypeScript shape over `inner` (see the module doc). */
export async function mappedAggregate(
  inner: Repository<StoredDocument>,
  codec: EntityCodec<object>,
  source: AggregateSource<unknown, unknown>,
  options?: CallOptions,
): Promise<unknown> {
  if (typeof inner.aggregate !== 'function') {
    throw new UnmappableQueryError(
      codec.domain.name,
      '(aggregate)',
      'the inner repository does not run aggregates',
    );
  }
  const plan = planAggregate(codec, bindAggregate(codec.domain, source));
  const groups: PartialGroup[] = [];
  for (const run of plan.runs) {
    const conj = [...run.where, ...(plan.mappedSource.where ? [plan.mappedSource.where] : [])];
    const where: Predicate | null =
      conj.length === 0 ? null : conj.length === 1 ? conj[0]! : { kind: 'and', operands: conj };
    const storedNode = aggregateQuery(
      { ...plan.mappedSource, where },
      plan.storedKeys,
      plan.storedNamed,
      'rows',
    );
    const result = await inner.aggregate(storedNode, options);
    const rows = (Array.isArray(result) ? result : [result]) as Record<string, unknown>[];
    for (const row of rows) groups.push(...partialsOf(plan, row, run.g));
  }
  return finishAggregate(plan.node, groups);
}

/** How an aggregate runs over the stored documents, decided before anything runs. */
interface AggregatePlan {
  /** The aggregate over the TypeScript shape. */
  readonly node: AggregateQueryNode;
  /** Its group keys, resolved. */
  readonly keys: readonly { key: GroupKey; r: Resolved }[];
  /** Its aggregates, resolved (`r` null for `count()`). */
  readonly aggs: readonly { n: NamedAggregate; r: Resolved | null }[];
  /** The inner aggregate's group keys: every stored name of every key. */
  readonly storedKeys: readonly FieldRef[];
  /** The inner aggregate's aggregates: the raw material each aggregate needs. */
  readonly storedNamed: readonly NamedAggregate[];
  /** The source query, mapped. */
  readonly mappedSource: QueryNode;
  /** One inner run per enum numbering a key is stored in (`g` null: the current one). */
  readonly runs: readonly { where: Predicate[]; g: Generation | null }[];
}

/**
 * Plans an aggregate over the codec's stored documents, or refuses it with
 * `UnmappableQueryError` when it has no faithful stored translation (see the module doc).
 * `entityCodec` runs it as a specification is built, so the refusal comes where it is written.
 */
export function planAggregate(codec: EntityCodec<object>, node: AggregateQueryNode): AggregatePlan {
  const entityName = codec.domain.name;
  const refuse = (field: string, reason: string): never => {
    throw new UnmappableQueryError(entityName, field, reason);
  };

  const resolve = (field: FieldRef): Resolved => {
    const name = field.path.join('.');
    const chain = fieldChain(codec.fields, field.path, (reason) => refuse(name, reason));
    const c = chain.at(-1)!;
    if (c.kind === 'json' || c.kind === 'jsonValue')
      refuse(name, 'it is stored as JSON (text), which the store cannot group or aggregate');
    if (c.kind === 'objects' || c.kind === 'object')
      refuse(name, 'it is an embedded object or collection, which cannot be grouped or aggregated');
    const path = chain.map((x) => x.stored!);
    if (codec.generations.some((g) => g.touches.includes(path[0]!)))
      refuse(name, 'documents of an older generation store it with another type');
    const last = path.at(-1)!;
    // A renamed top-level property is read under its current name, else the old one.
    const renamedFrom =
      path.length === 1
        ? codec.generations.flatMap((g) =>
            Object.entries(g.renamed)
              .filter(([, to]) => to === last)
              .map(([from]) => from),
          )
        : [];
    if (
      path.length > 1 &&
      codec.generations.some((g) => Object.values(g.renamed).includes(path[0]!))
    )
      refuse(name, 'older documents store its parent object under another name');
    return {
      codec: c,
      parent: path.slice(0, -1),
      names: [...new Set([last, ...renamedFrom, ...(c.aliases ?? [])])],
      name,
      nullableParent: chain.slice(0, -1).some((x) => x.isNullable),
    };
  };
  const checkDefaulted = (r: Resolved) => {
    if (!r.codec.isNullable && r.nullableParent)
      refuse(
        r.name,
        'it has a default below an object that may be null: a missing value is the default when the object is there and absent when it is not, which a stored group cannot tell apart',
      );
  };

  const keys = node.groupBy.map((key) => {
    const r = resolve(groupKeyField(key));
    checkDefaulted(r);
    return { key, r };
  });
  const aggs = node.aggregates.map((n) => {
    const a = n.aggregate;
    if (!a.field) return { n, r: null };
    const r = resolve(a.field);
    checkDefaulted(r);
    if (r.names.length > 1)
      refuse(
        r.name,
        'its value is read from several stored names, which no stored aggregate can combine',
      );
    if ((a.fn === 'min' || a.fn === 'max') && r.codec.kind === 'date')
      refuse(
        r.name,
        `${a.fn} of a date is not taken: its stored .NET text orders like the instants except within one second when fractions of different lengths meet`,
      );
    if (
      (a.fn === 'min' || a.fn === 'max') &&
      (r.codec.kind === 'enum' || r.codec.kind === 'enumName')
    )
      refuse(
        r.name,
        `${a.fn} of an enum has no stored equivalent: stored values do not order like the TypeScript values`,
      );
    if (
      (a.fn === 'min' || a.fn === 'max' || a.fn === 'sum' || a.fn === 'avg') &&
      r.codec.kind === 'list'
    )
      refuse(r.name, `${a.fn} does not apply to a comma-joined list`);
    return { n, r };
  });

  // The inner aggregate: group by every stored name of every key; per aggregate, what finishing
  // needs. Names are positional (`k…` never collides: stored names are the .NET ones).
  const storedKeys: FieldRef[] = keys.flatMap(({ r }) =>
    r.names.map((nm) => ref([...r.parent, nm])),
  );
  const storedNamed: NamedAggregate[] = [
    { name: 'k_rows', aggregate: { kind: 'aggregate', fn: 'count', field: null } },
  ];
  aggs.forEach(({ n, r }, i) => {
    if (!r) return;
    const f = ref([...r.parent, r.names[0]!]);
    storedNamed.push({ name: `k_n${i}`, aggregate: { kind: 'aggregate', fn: 'count', field: f } });
    const fn = n.aggregate.fn;
    if (fn === 'sum' || fn === 'avg')
      storedNamed.push({ name: `k_v${i}`, aggregate: { kind: 'aggregate', fn: 'sum', field: f } });
    if (fn === 'min' || fn === 'max')
      storedNamed.push({ name: `k_v${i}`, aggregate: { kind: 'aggregate', fn, field: f } });
  });

  const mappedSource = mapQuery(codec, node.source);
  // One run per generation whose enum numbering a key differs in (each decoded with its table).
  const renumbering = codec.generations.filter((g) =>
    keys.some(({ r }) => r.parent.length === 0 && g.renumbered[r.names[0]!] !== undefined),
  );
  const runs: { where: Predicate[]; g: Generation | null }[] = [];
  const earlier: Predicate[] = [];
  for (const g of renumbering) {
    runs.push({ where: [g.where, ...earlier.map(not)], g });
    earlier.push(g.where);
  }
  runs.push({ where: earlier.map(not), g: null });

  return { node, keys, aggs, storedKeys, storedNamed, mappedSource, runs };
}

/** The partial groups of one inner row: its own, and one for its missing defaulted values. */
function partialsOf(
  { keys, aggs }: AggregatePlan,
  row: Record<string, unknown>,
  g: Generation | null,
): PartialGroup[] {
  const decodedKeys = keys.map(({ key, r }) => {
    let raw: unknown = null;
    for (const nm of r.names) {
      raw = read(row, [...r.parent, nm]);
      if (raw !== null) break;
    }
    if (g && typeof raw === 'number' && r.parent.length === 0) {
      const table = g.renumbered[r.names[0]!];
      if (table && table[raw] !== undefined) raw = table[raw];
    }
    const value = r.codec.decode(raw ?? undefined);
    if (value === null || value === undefined) return null;
    return key.kind === 'dateBucket' ? truncateDate(String(value), key.unit) : value;
  });
  const rowsCount = Number(row.k_rows ?? 0);
  const own: AggregatePartial[] = [];
  const missing: AggregatePartial[] = [];
  let anyMissing = false;
  aggs.forEach(({ n, r }, i) => {
    const a: AggregateNode = n.aggregate;
    if (!r) {
      own.push(rowsCount);
      missing.push(0);
      return;
    }
    const present = Number(row[`k_n${i}`] ?? 0);
    const absent = r.codec.isNullable ? 0 : rowsCount - present;
    const fallback = absent > 0 ? r.codec.decode(undefined) : null;
    if (absent > 0) anyMissing = true;
    switch (a.fn) {
      case 'count':
        own.push(present);
        missing.push(absent);
        break;
      case 'sum':
      case 'avg':
        own.push({ n: present, sum: (row[`k_v${i}`] as number | string | null) ?? null });
        missing.push({
          n: absent,
          sum: absent > 0 && typeof fallback === 'number' ? fallback * absent : null,
        });
        break;
      default: {
        const v = row[`k_v${i}`];
        own.push(v === null || v === undefined ? null : r.codec.decode(v));
        missing.push(absent > 0 ? fallback : null);
      }
    }
  });
  return anyMissing
    ? [
        { keys: decodedKeys, partials: own },
        { keys: decodedKeys, partials: missing },
      ]
    : [{ keys: decodedKeys, partials: own }];
}

function not(operand: Predicate): Predicate {
  return { kind: 'not', operand };
}
