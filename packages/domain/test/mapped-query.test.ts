/**
 * The contract of `mapQuery` on the real entities: for any stored document — current, of an
 * older generation (renamed and renumbered properties), or lacking properties — and any filter
 * on the TypeScript shape, the translated filter matches the stored document exactly when the
 * original matches the decoded item. Documents and filters are drawn from small value pools so
 * that filters do match; older documents are made from current ones by inverting the
 * generation's declared renames and renumberings.
 */
import {
  accounts,
  gameSessions,
  playerScenarioScores,
  scenarios,
  userProfiles,
} from '@mystira/domain';
import {
  dotnetDate,
  type EntityCodec,
  type FieldCodec,
  mapQuery,
  type StoredDocument,
} from '@mystira/repository';
import {
  AST_VERSION,
  isSatisfiedBy,
  type Predicate,
  predicates,
  type QueryNode,
  walk,
} from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const TEXT = ['a', 'b', 'A', ''];
const INSTANTS = [
  '2026-02-01T10:00:00.000Z',
  '2026-02-01T10:00:00.100Z',
  '2026-02-01T10:00:00.123Z',
];
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function valueArb(c: FieldCodec): fc.Arbitrary<unknown> {
  const inner = (): fc.Arbitrary<unknown> => {
    switch (c.kind) {
      case 'string':
        return c.domainField?.type === 'array' ? fc.subarray(['a', 'b']) : fc.constantFrom(...TEXT);
      case 'number':
        return fc.integer({ min: 0, max: 2 });
      case 'boolean':
        return fc.boolean();
      case 'date':
        return fc.constantFrom(...INSTANTS);
      case 'enum':
      case 'enumName':
        return fc.constantFrom(...[...c.names!.values()].slice(0, 3));
      case 'list':
        return fc.subarray(['a', 'b', 'ab']);
      case 'json':
        return fc.constant(c.decode(undefined));
      case 'jsonValue':
        return fc.constant({});
      case 'object':
        return itemArb(c.fields!);
      case 'objects':
        return fc.constant([]);
      default:
        throw new Error(c.kind);
    }
  };
  return c.isNullable ? fc.option(inner(), { nil: null, freq: 3 }) : inner();
}

function itemArb(
  fields: Readonly<Record<string, FieldCodec>>,
): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, c] of Object.entries(fields))
    if (c.kind !== 'computed') shape[name] = valueArb(c);
  return fc.record(shape);
}

/** Queryable TypeScript paths with their codecs. */
function queryable(
  fields: Readonly<Record<string, FieldCodec>>,
  prefix = '',
): [string, FieldCodec][] {
  return Object.entries(fields).flatMap(([name, c]): [string, FieldCodec][] => {
    if (!c.domainField || c.kind === 'computed' || c.kind === 'json' || c.kind === 'jsonValue')
      return [];
    const path = `${prefix}${name}`;
    return c.kind === 'object' ? [[path, c], ...queryable(c.fields!, `${path}.`)] : [[path, c]];
  });
}

function leafArb(codec: EntityCodec<object>): fc.Arbitrary<Predicate> {
  const w = predicates(codec.domain);
  const touched = new Set(codec.generations.flatMap((g) => g.touches));
  const leaves = queryable(codec.fields).flatMap(([path, c]): fc.Arbitrary<Predicate>[] => {
    if (c.stored && touched.has(c.stored)) return [];
    const nullTests = [fc.constant(w.isNull(path)), fc.constant(w.exists(path))];
    switch (c.kind) {
      case 'string':
        if (c.domainField?.type === 'array')
          return [fc.constantFrom('a', 'b').map((v) => w.arrayContains(path, v))];
        return [
          ...nullTests,
          fc
            .tuple(
              fc.constantFrom('eq', 'ne', 'gte') as fc.Arbitrary<'eq'>,
              fc.constantFrom(...TEXT),
            )
            .map(([op, v]) => w[op](path, v)),
          fc.constantFrom(...TEXT).map((v) => w.eq(path, v, { ignoreCase: true })),
          fc.constantFrom('a', 'A').map((v) => w.contains(path, v, { ignoreCase: true })),
        ];
      case 'number':
        return [
          ...nullTests,
          fc
            .tuple(
              fc.constantFrom('eq', 'ne', 'lt', 'gte') as fc.Arbitrary<'eq'>,
              fc.integer({ min: 0, max: 2 }),
            )
            .map(([op, v]) => w[op](path, v)),
        ];
      case 'boolean':
        return [fc.boolean().map((v) => w.eq(path, v)), fc.boolean().map((v) => w.ne(path, v))];
      case 'date':
        return [
          ...nullTests,
          fc
            .tuple(
              fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte') as fc.Arbitrary<'eq'>,
              fc.constantFrom(...INSTANTS),
            )
            .map(([op, v]) => w[op](path, v)),
        ];
      case 'enum':
      case 'enumName': {
        const names = [...c.names!.values()];
        return [
          fc.constantFrom(...names.slice(0, 4)).map((v) => w.eq(path, v)),
          fc.constantFrom(...names.slice(0, 4)).map((v) => w.ne(path, v)),
          fc.subarray(names.slice(0, 4)).map((vs) => w.in(path, vs)),
        ];
      }
      case 'list':
        return [
          fc
            .subarray(['a', 'b', 'ab', 'c'], { minLength: 1 })
            .map((vs) => w.arrayContainsAny(path, vs)),
        ];
      case 'object':
        return nullTests;
      default:
        return [];
    }
  });
  return fc.oneof(...leaves);
}

function predicateArb(codec: EntityCodec<object>): fc.Arbitrary<Predicate> {
  const w = predicates(codec.domain);
  const leaf = leafArb(codec);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => w.and(a, b)) },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => w.or(a, b)) },
    { weight: 1, arbitrary: leaf.map((a) => w.not(a)) },
  );
}

/** A current document written the way an older generation would have stored it. */
function downgrade(codec: EntityCodec<object>, doc: StoredDocument): StoredDocument {
  const g = codec.generations[0];
  if (!g) return doc;
  let out: StoredDocument = { ...doc };
  // The generation's marker (an isNull test) holds once the properties it names are gone.
  walk(g.where, (n) => {
    if (n.kind === 'field') delete out[n.path[0]!];
  });
  for (const [from, to] of Object.entries(g.renamed)) {
    if (Object.hasOwn(out, to)) {
      const { [to]: v, ...rest } = out;
      out = { ...rest, [from]: v };
    }
  }
  for (const [key, table] of Object.entries(g.renumbered)) {
    const v = out[key];
    const old = Object.entries(table).find(([, cur]) => cur === v)?.[0];
    if (old !== undefined) out[key] = Number(old);
    else if (typeof v === 'number' && table[v] !== undefined) out[key] = 99; // no old spelling: unnamed
  }
  return out;
}

/** Re-spells .NET dates (trimmed fraction, with or without `Z`, 7 digits). */
function respell(doc: StoredDocument, how: number): StoredDocument {
  const out: StoredDocument = {};
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) {
      const d = dotnetDate(new Date(Date.parse(v)).toISOString());
      out[k] =
        how === 0
          ? d
          : how === 1
            ? d.slice(0, -1)
            : `${d.slice(0, 19)}.${new Date(Date.parse(v)).toISOString().slice(20, 23)}4567Z`;
    } else out[k] = v;
  }
  return out;
}

function docArb(codec: EntityCodec<object>): fc.Arbitrary<StoredDocument> {
  const idName = codec.stored.id;
  const pk = codec.stored.partitionKey;
  return fc
    .tuple(itemArb(codec.fields), fc.boolean(), fc.subarray(Object.keys(codec.fields)), fc.nat(2))
    .map(([item, legacy, drop, how]) => {
      let doc = json(codec.encode(item)) as StoredDocument;
      for (const name of drop.slice(0, 3)) {
        const stored = codec.fields[name]?.stored;
        if (stored && stored !== idName && stored !== pk) delete doc[stored];
      }
      if (legacy) doc = downgrade(codec, doc);
      return respell(doc, how);
    });
}

function query(codec: EntityCodec<object>, where: Predicate): QueryNode {
  return {
    kind: 'query',
    version: AST_VERSION,
    entity: codec.domain.name,
    idField: { kind: 'field', path: [codec.domain.id], type: null },
    where,
    orderBy: [],
    after: null,
    skip: 0,
    take: null,
    select: null,
    cache: null,
  };
}

describe.each([
  ['Accounts', accounts],
  ['GameSessions', gameSessions],
  ['UserProfiles', userProfiles],
  ['Scenarios', scenarios],
  ['PlayerScenarioScores', playerScenarioScores],
] as [string, EntityCodec<object>][])('%s: mapped filters are exact', (_name, codec) => {
  it('on every generation and spelling, with properties missing', () => {
    fc.assert(
      fc.property(docArb(codec), predicateArb(codec), (doc, p) => {
        const q = query(codec, p);
        let mapped: QueryNode;
        try {
          mapped = mapQuery(codec, q);
        } catch (err) {
          // Refusals are fine (they say why); silent wrong answers are not.
          expect((err as Error).name).toBe('UnmappableQueryError');
          return;
        }
        const item = json(codec.decode(doc));
        expect({ doc, got: isSatisfiedBy(mapped, doc) }).toEqual({
          doc,
          got: isSatisfiedBy(q, item),
        });
      }),
      { numRuns: 1500 },
    );
  });
});
