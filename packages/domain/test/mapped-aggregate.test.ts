/**
 * The contract of aggregates through `mapped()` on the real entities: for any set of stored
 * documents — current, of an older generation, lacking properties, with any .NET date spelling —
 * and any aggregate the mapping accepts, the result equals `evaluateAggregate` over the decoded
 * items. Group keys are drawn from every groupable field (dates also bucketed), aggregates from
 * every field they apply to; what the mapping refuses must be refused with an
 * `UnmappableQueryError`, and most drawn aggregates must run.
 */
import {
  accounts,
  gameSessions,
  playerScenarioScores,
  scenarios,
  userProfiles,
} from '@mystira/domain';
import {
  type EntityCodec,
  type FieldCodec,
  mapped,
  memoryRepository,
  runAggregate,
  type StoredDocument,
} from '@mystira/repository';
import {
  type AggregateSource,
  type DateUnit,
  evaluateAggregate,
  spec,
} from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { docArb, json } from './stored-documents.js';

/** Scalar TypeScript paths with their codecs (nested objects' fields included). */
function scalars(
  fields: Readonly<Record<string, FieldCodec>>,
  prefix = '',
): [string, FieldCodec][] {
  return Object.entries(fields).flatMap(([name, c]): [string, FieldCodec][] => {
    const path = `${prefix}${name}`;
    if (c.kind === 'object') return scalars(c.fields!, `${path}.`);
    if (!c.domainField || c.domainField.type === 'array' || c.domainField.type === 'object')
      return [];
    if (c.kind === 'computed' || c.kind === 'json' || c.kind === 'jsonValue') return [];
    return [[path, c]];
  });
}

type Agg = { fn: 'count' | 'sum' | 'avg' | 'min' | 'max'; path: string | null };
type Key = string | [string, DateUnit];

function aggregateArb(codec: EntityCodec<object>): fc.Arbitrary<AggregateSource> {
  const fields = scalars(codec.fields);
  const keys: fc.Arbitrary<Key>[] = fields.flatMap(([path, c]): fc.Arbitrary<Key>[] =>
    c.kind === 'date'
      ? [fc.constant(path), fc.constantFrom<DateUnit>('day', 'hour').map((u): Key => [path, u])]
      : [fc.constant(path)],
  );
  const aggs: fc.Arbitrary<Agg>[] = [
    fc.constant<Agg>({ fn: 'count', path: null }),
    ...fields.flatMap(([path, c]): fc.Arbitrary<Agg>[] => {
      if (c.kind === 'number')
        return [fc.constantFrom('count', 'sum', 'avg', 'min', 'max').map((fn) => ({ fn, path }))];
      if (c.kind === 'string')
        return [fc.constantFrom('count', 'min', 'max').map((fn) => ({ fn, path }) as Agg)];
      return [fc.constant<Agg>({ fn: 'count', path })];
    }),
  ];
  return fc
    .tuple(
      fc.array(fc.oneof(...keys), { maxLength: 2 }),
      fc.array(fc.oneof(...aggs), { minLength: 1, maxLength: 3 }),
    )
    .map(([groupKeys, made]) => {
      // Built without the codec's check: what `mapped()` refuses when the call starts is part
      // of the property (a refusal must say why; a run must be exact).
      const s = spec({ ...codec.domain, checkQuery: undefined });
      // One key per field: a field and its bucket would write the same result property.
      const distinct = [
        ...new Map(groupKeys.map((k) => [typeof k === 'string' ? k : k[0], k])).values(),
      ];
      const build = (a: Record<string, (p?: string) => unknown>) =>
        Object.fromEntries(
          made.map((m, i) => [`a${i}`, m.path === null ? a.count!() : a[m.fn]!(m.path)]),
        );
      const grouped =
        distinct.length === 0
          ? s.aggregate(build as never)
          : (s.groupBy as (...k: Key[]) => { aggregate(f: unknown): unknown })(
              ...distinct,
            ).aggregate(build);
      return grouped as AggregateSource;
    });
}

describe.each([
  ['Accounts', accounts],
  ['GameSessions', gameSessions],
  ['UserProfiles', userProfiles],
  ['Scenarios', scenarios],
  ['PlayerScenarioScores', playerScenarioScores],
] as [string, EntityCodec<object>][])('%s: mapped aggregates are exact', (_name, codec) => {
  it('on every generation and spelling, with properties missing', async () => {
    let ran = 0;
    let drawn = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(docArb(codec), {
          maxLength: 8,
          selector: (d: StoredDocument) => d[codec.stored.id],
        }),
        aggregateArb(codec),
        async (docs, agg) => {
          drawn++;
          const expected = json(
            evaluateAggregate(
              agg,
              docs.map((d) => json(codec.decode(d))),
            ),
          );
          const repo = mapped(
            memoryRepository<StoredDocument>(codec.stored, { seed: docs }),
            codec,
          );
          let got: unknown;
          try {
            got = await runAggregate(repo, agg as AggregateSource<object>);
          } catch (err) {
            // Refusals are fine (they say why); silent wrong answers are not.
            expect((err as Error).name).toBe('UnmappableQueryError');
            return;
          }
          ran++;
          expect({ docs, got: json(got) }).toEqual({ docs, got: expected });
        },
      ),
      { numRuns: 300 },
    );
    expect(ran, `${ran} of ${drawn} drawn aggregates ran`).toBeGreaterThan(drawn / 3);
  });
});
