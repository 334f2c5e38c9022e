import { type EntityCodec, type FieldCodec, mapQuery } from '@mystira/repository';
import {
  isSatisfiedBy,
  type Predicate,
  predicates,
  type QueryNode,
  queryNode,
} from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_CODECS } from './all-codecs.js';
import { docArb, INSTANTS, json, TEXT } from './stored-documents.js';

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

function query(codec: EntityCodec<object>, where: Predicate): QueryNode {
  return queryNode(where, {
    entity: codec.domain.name,
    idField: { kind: 'field', path: [codec.domain.id], type: null },
  });
}

describe.each(ALL_CODECS)('%s: mapped filters are exact', (_name, codec) => {
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
