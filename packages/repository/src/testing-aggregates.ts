/**
 * The aggregate half of the conformance kit (`aggregateConformance`, exported by
 * `@mystira/repository/testing`): count, sum, avg, min, max, group by and distinct over the kit's
 * fixture, each answer compared with the specification's in-memory evaluator on the same rows
 * and, for the rules that are easiest to get wrong, with the value written out. Kept apart from
 * `repositoryConformance` because `aggregate` is optional on the port: an adapter opts in by
 * running these cases too.
 */
import assert from 'node:assert/strict';
import { runAggregate, ValidationError } from '@mystira/repository';
import {
  type AggregateQueryNode,
  type AggregateSource,
  evaluateAggregate,
  spec as specOf,
} from '@mystira/specification';
import {
  type ConformanceCase,
  ConformanceItem,
  type ConformanceItemT,
  type ConformanceOptions,
  fixture,
} from './testing.js';
import { caseList } from './testing-cases.js';

const S = () => specOf(ConformanceItem);

/** The aggregate specs of the kit, with the rule each one pins and, where useful, its answer. */
export const aggregateConformanceSpecs: readonly {
  /** What the case exercises. */
  readonly name: string;
  /** Builds the aggregate. */
  readonly spec: () => AggregateSource<ConformanceItemT, unknown>;
  /** The answer written out (besides agreeing with the evaluator). */
  readonly expected?: unknown;
}[] = [
  { name: 'count(*) counts rows', spec: () => S().count(), expected: 12 },
  { name: 'count(field) skips missing', spec: () => S().count('score'), expected: 10 },
  { name: 'count(field) skips null', spec: () => S().count('rank'), expected: 8 },
  {
    name: 'count(nested) skips missing and null',
    spec: () => S().count('profile.city'),
    expected: 7,
  },
  {
    name: 'sum of numbers is exact, rounded once',
    spec: () =>
      S()
        .where((w) => w.lt('score', 100))
        .sum('score'),
    expected: 40.25,
  },
  { name: 'sum of bigints is an exact string', spec: () => S().sum('amount'), expected: '42' },
  { name: 'avg of integers is a fraction', spec: () => S().avg('rank'), expected: 4.5 },
  { name: 'avg of bigints is a number', spec: () => S().avg('amount'), expected: 3.5 },
  {
    name: 'min/max: code point strings, bigints, dates',
    spec: () =>
      S().aggregate((a) => ({
        loName: a.min('name'),
        hiName: a.max('name'),
        loAmount: a.min('amount'),
        hiAmount: a.max('amount'),
        first: a.min('createdAt'),
        hiScore: a.max('score'),
      })),
    expected: {
      loName: '',
      hiName: '\u{1f600} smile',
      loAmount: '-99999999999999999999',
      hiAmount: '99999999999999999999',
      first: '1999-01-01T00:00:00.000Z',
      hiScore: 1e21,
    },
  },
  {
    name: 'of no rows: one ungrouped row, count 0, the rest null',
    spec: () =>
      S()
        .where((w) => w.eq('name', 'nobody'))
        .aggregate((a) => ({
          n: a.count(),
          c: a.count('score'),
          s: a.sum('score'),
          b: a.sum('amount'),
          m: a.avg('score'),
          lo: a.min('name'),
          hi: a.max('createdAt'),
        })),
    expected: { n: 0, c: 0, s: null, b: null, m: null, lo: null, hi: null },
  },
  {
    name: 'of no rows grouped: no groups',
    spec: () =>
      S()
        .where((w) => w.never())
        .groupBy('active')
        .count(),
    expected: [],
  },
  {
    name: 'of only absent values: null',
    spec: () =>
      S()
        .where((w) => w.isNull('score'))
        .aggregate((a) => ({ s: a.sum('score'), m: a.avg('score'), lo: a.min('score') })),
    expected: { s: null, m: null, lo: null },
  },
  {
    name: 'group by: missing and null are one null group, first',
    spec: () =>
      S()
        .groupBy('profile.city')
        .aggregate((a) => ({ n: a.count(), s: a.sum('score') })),
  },
  {
    name: 'group by two keys, every aggregate',
    spec: () =>
      S()
        .groupBy('active', 'profile.country')
        .aggregate((a) => ({
          n: a.count(),
          scored: a.count('score'),
          s: a.sum('score'),
          m: a.avg('rank'),
          lo: a.min('amount'),
          hi: a.max('name'),
          total: a.sum('amount'),
        })),
  },
  {
    name: 'group by a number with a filter',
    spec: () =>
      S()
        .where((w) => w.eq('active', true))
        .groupBy('score')
        .aggregate((a) => ({ n: a.count(), last: a.max('createdAt') })),
  },
  { name: 'group by a bigint', spec: () => S().groupBy('amount').count() },
  { name: 'group by a date', spec: () => S().groupBy('createdAt').count() },
  {
    name: 'group by date buckets (UTC year, month, day)',
    spec: () =>
      S()
        .groupBy(['createdAt', 'year'], 'active')
        .aggregate((a) => ({ n: a.count(), s: a.sum('score') })),
  },
  {
    name: 'group by day: the key is the bucket start',
    spec: () =>
      S()
        .where((w) => w.lt('createdAt', '2020-01-02T00:00:00.000Z'))
        .groupBy(['createdAt', 'day'])
        .count(),
    expected: [
      { createdAt: '1999-01-01T00:00:00.000Z', count: 1 },
      { createdAt: '2017-07-07T00:00:00.000Z', count: 1 },
      { createdAt: '2018-08-08T00:00:00.000Z', count: 1 },
      { createdAt: '2019-12-31T00:00:00.000Z', count: 1 },
      { createdAt: '2020-01-01T00:00:00.000Z', count: 3 },
    ],
  },
  {
    name: 'distinct months',
    spec: () => S().groupBy(['createdAt', 'month']).count(),
  },
  {
    name: 'distinct: each value once, null first, in order',
    spec: () => S().distinct('rank'),
    expected: [null, 1, 2, 3, 4, 5, 6, 7, 8],
  },
  { name: 'distinct strings in code point order', spec: () => S().distinct('profile.country') },
];

/** The aggregate conformance cases, bound to an adapter factory (the same options as the kit's). */
export function aggregateConformance(options: ConformanceOptions): ConformanceCase[] {
  const { cases, define } = caseList(options, ConformanceItem);

  define('aggregate: every kit aggregate agrees with the in-memory evaluator', async (repo) => {
    const rows = fixture();
    await repo.addMany(rows);
    for (const c of aggregateConformanceSpecs) {
      const agg = c.spec();
      const got = await runAggregate(repo, agg);
      assert.deepEqual(got, evaluateAggregate(agg, rows), `${c.name}: differs from memory`);
      if ('expected' in c) assert.deepEqual(got, c.expected, `${c.name}: the rule's answer`);
    }
  });

  define('aggregate: sums stay exact past 2^53 and across fractions', async (repo) => {
    const base = fixture()[0]!;
    const rows = [
      { ...base, id: 'x1', score: 0.1, amount: '9007199254740993' },
      { ...base, id: 'x2', score: 0.2, amount: '9007199254740993' },
      { ...base, id: 'x3', score: 2 ** 53, amount: '-1' },
      { ...base, id: 'x4', score: 1, amount: '0' },
    ];
    await repo.addMany(rows);
    const sums = await runAggregate(
      repo,
      S().aggregate((a) => ({ s: a.sum('score'), b: a.sum('amount'), m: a.avg('score') })),
    );
    // 2^53 + 1.3 rounds once to 2^53 + 2: adding in any order with doubles can give 2^53 too.
    assert.deepEqual(sums, { s: 2 ** 53 + 2, b: '18014398509481985', m: (2 ** 53 + 1.3) / 4 });
    assert.equal(
      await runAggregate(
        repo,
        S()
          .where((w) => w.lt('score', 1))
          .sum('score'),
      ),
      0.3,
    );
  });

  define('aggregate: bad aggregates are ValidationError', async (repo) => {
    await repo.addMany(fixture());
    const good = S().sum('score').build();
    const sumOfString: AggregateQueryNode = {
      ...good,
      aggregates: [
        {
          name: 'value',
          aggregate: {
            kind: 'aggregate',
            fn: 'sum',
            field: { kind: 'field', path: ['name'], type: null },
          },
        },
      ],
    };
    await assert.rejects(runAggregate(repo, sumOfString), ValidationError, 'sum of a string');
    const unknown: AggregateQueryNode = {
      ...good,
      groupBy: [{ kind: 'field', path: ['nope'], type: null }],
      shape: 'rows',
    };
    await assert.rejects(runAggregate(repo, unknown), ValidationError, 'unknown group key');
    const injected: AggregateQueryNode = {
      ...good,
      aggregates: [{ name: 'x"; DROP TABLE y; --', aggregate: good.aggregates[0]!.aggregate }],
    };
    await assert.rejects(runAggregate(repo, injected), ValidationError, 'hostile result name');
    await assert.rejects(
      runAggregate(repo, { ...good, source: { ...good.source, entity: 'other' } }),
      ValidationError,
      'aggregate of another entity',
    );
  });

  return cases;
}
