import {
  decimalToNumber,
  divideToNumber,
  ExactSum,
  entity,
  evaluateAggregate,
  field,
  finishAggregate,
  fromAggregateJSON,
  InvalidSpecificationError,
  InvalidValueError,
  LimitExceededError,
  parseDecimal,
  SpecificationError,
  spec,
  UnknownFieldError,
  UnsupportedOperatorError,
} from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';

const Item = entity(
  'items',
  {
    id: field.string(),
    status: field.string().optional().nullable(),
    score: field.number().optional().nullable(),
    amount: field.bigint().optional(),
    at: field.date().optional(),
    ok: field.boolean(),
    tags: field.array(field.string()).optional(),
    p: field.object({ country: field.string().optional() }).optional(),
  },
  { id: 'id' },
);

const rows = [
  {
    id: '1',
    status: 'open',
    score: 1,
    amount: '9007199254740993',
    at: '2020-01-01T00:00:00.000Z',
    ok: true,
    p: { country: 'NO' },
  },
  { id: '2', status: 'open', score: 2, amount: '1', ok: false },
  { id: '3', status: null, score: 0.1, ok: true, p: {} },
  { id: '4', score: 0.2, amount: '-5', at: '2019-01-01T00:00:00.000Z', ok: true },
  { id: '5', status: 'closed', score: null, ok: false, tags: ['a'] },
  { id: '6', status: '\u{1f600}', ok: true },
  { id: '7', status: '\ue000', score: 4, ok: true },
];

describe('aggregates in memory: the rules of aggregate.ts', () => {
  it('count(*) counts rows, count(field) present values', () => {
    expect(evaluateAggregate(spec(Item).count(), rows)).toBe(7);
    expect(evaluateAggregate(spec(Item).count('status'), rows)).toBe(5);
    expect(evaluateAggregate(spec(Item).count('tags'), rows)).toBe(1);
    expect(
      evaluateAggregate(
        spec(Item)
          .where((w) => w.eq('ok', false))
          .count(),
        rows,
      ),
    ).toBe(2);
  });

  it('of no values: sum/avg/min/max null, count 0; no rows still gives one ungrouped row', () => {
    const none = spec(Item).where((w) => w.never());
    expect(evaluateAggregate(none.sum('score'), rows)).toBeNull();
    expect(evaluateAggregate(none.avg('score'), rows)).toBeNull();
    expect(evaluateAggregate(none.min('status'), rows)).toBeNull();
    expect(evaluateAggregate(none.count(), rows)).toBe(0);
    expect(
      evaluateAggregate(
        none.aggregate((a) => ({ n: a.count(), s: a.sum('score') })),
        rows,
      ),
    ).toEqual({ n: 0, s: null });
    expect(evaluateAggregate(none.groupBy('status').count(), rows)).toEqual([]);
    expect(
      evaluateAggregate(
        spec(Item)
          .where((w) => w.eq('id', '5'))
          .sum('score'),
        rows,
      ),
    ).toBeNull();
  });

  it('sum is exact, rounded once; avg of integers is fractional; bigint sums are exact strings', () => {
    expect(evaluateAggregate(spec(Item).sum('score'), rows)).toBe(7.3);
    expect(
      evaluateAggregate(
        spec(Item)
          .where((w) => w.lt('score', 1))
          .sum('score'),
        rows,
      ),
    ).toBe(0.3);
    expect(
      evaluateAggregate(
        spec(Item)
          .where((w) => w.gte('score', 1))
          .avg('score'),
        rows,
      ),
    ).toBe(7 / 3);
    expect(evaluateAggregate(spec(Item).sum('amount'), rows)).toBe('9007199254740989');
    expect(evaluateAggregate(spec(Item).avg('amount'), rows)).toBe(9007199254740989 / 3);
  });

  it('min/max by the order rules: code points, numeric bigints, dates', () => {
    expect(evaluateAggregate(spec(Item).max('status'), rows)).toBe('\u{1f600}');
    expect(evaluateAggregate(spec(Item).min('status'), rows)).toBe('closed');
    expect(evaluateAggregate(spec(Item).min('amount'), rows)).toBe('-5');
    expect(evaluateAggregate(spec(Item).max('amount'), rows)).toBe('9007199254740993');
    expect(evaluateAggregate(spec(Item).min('at'), rows)).toBe('2019-01-01T00:00:00.000Z');
  });

  it('group by: missing and null are one null group, first; keys in code point order', () => {
    const result = evaluateAggregate(
      spec(Item)
        .groupBy('status')
        .aggregate((a) => ({ n: a.count(), total: a.sum('score'), best: a.max('score') })),
      rows,
    );
    expect(result).toEqual([
      { status: null, n: 2, total: 0.3 /* not 0.1 + 0.2 */, best: 0.2 },
      { status: 'closed', n: 1, total: null, best: null },
      { status: 'open', n: 2, total: 3, best: 2 },
      { status: '\ue000', n: 1, total: 4, best: 4 },
      { status: '\u{1f600}', n: 1, total: null, best: null },
    ]);
    expectTypeOf(result).toEqualTypeOf<
      ({ status: string | null } & { n: number; total: number | null; best: number | null })[]
    >();
  });

  it('group by several keys, nested, and distinct', () => {
    expect(evaluateAggregate(spec(Item).groupBy('ok', 'p.country').count(), rows)).toEqual([
      { ok: false, p: { country: null }, count: 2 },
      { ok: true, p: { country: null }, count: 4 },
      { ok: true, p: { country: 'NO' }, count: 1 },
    ]);
    expect(evaluateAggregate(spec(Item).distinct('status'), rows)).toEqual([
      null,
      'closed',
      'open',
      '\ue000',
      '\u{1f600}',
    ]);
  });

  it('group by a date bucket: UTC year, month, day, hour; absent dates in the null group', () => {
    const at = (iso: string, id: string) => ({ id, ok: true, at: iso });
    const items = [
      at('2024-05-01T23:59:59.999Z', 'a'),
      at('2024-05-01T00:00:00.000Z', 'b'),
      at('2024-05-02T10:30:00.000Z', 'c'),
      at('2023-12-31T23:00:00.000Z', 'd'),
      { id: 'e', ok: false },
    ];
    expect(evaluateAggregate(spec(Item).groupBy(['at', 'day']).count(), items)).toEqual([
      { at: null, count: 1 },
      { at: '2023-12-31T00:00:00.000Z', count: 1 },
      { at: '2024-05-01T00:00:00.000Z', count: 2 },
      { at: '2024-05-02T00:00:00.000Z', count: 1 },
    ]);
    expect(
      evaluateAggregate(spec(Item).groupBy('ok', ['at', 'year']).count(), items).map((r) => [
        r.ok,
        r.at,
        r.count,
      ]),
    ).toEqual([
      [false, null, 1],
      [true, '2023-01-01T00:00:00.000Z', 1],
      [true, '2024-01-01T00:00:00.000Z', 3],
    ]);
    expect(evaluateAggregate(spec(Item).groupBy(['at', 'month']).count(), items)[2]).toEqual({
      at: '2024-05-01T00:00:00.000Z',
      count: 3,
    });
    expect(evaluateAggregate(spec(Item).groupBy(['at', 'hour']).count(), items)[4]).toEqual({
      at: '2024-05-02T10:00:00.000Z',
      count: 1,
    });
    expect(() => spec(Item).groupBy(['status', 'day'] as never)).toThrow(UnsupportedOperatorError);
    expect(() => spec(Item).groupBy(['at', 'week'] as never)).toThrow(InvalidValueError);
  });

  it('the builder refuses what has no meaning', () => {
    expect(() => spec(Item).sum('status' as never)).toThrow(UnsupportedOperatorError);
    expect(() => spec(Item).min('ok' as never)).toThrow(UnsupportedOperatorError);
    expect(() => spec(Item).groupBy('tags' as never)).toThrow(UnsupportedOperatorError);
    expect(() => spec(Item).orderBy('status').count()).toThrow(InvalidValueError);
    expect(() => spec(Item).take(3).count()).toThrow(InvalidValueError);
    // A field and its bucket would write the same property of a result row.
    expect(() => spec(Item).groupBy('at', ['at', 'day']).count()).toThrow(
      /group keys "at" and "at" would write the same result property/,
    );
    expect(() =>
      spec(Item)
        .groupBy('status')
        .aggregate(() => ({ status: undefined as never })),
    ).toThrow(InvalidValueError);
    expect(() =>
      spec(Item)
        .groupBy('status')
        .aggregate((a) => ({ status: a.count() })),
    ).toThrow(InvalidValueError);
  });

  it('async sources', async () => {
    async function* gen() {
      yield* rows;
    }
    expect(await evaluateAggregate(spec(Item).count('score'), gen())).toBe(5);
  });

  it('finishAggregate merges groups a backend keeps apart (null and missing) and reads SQL text', () => {
    const q = spec(Item)
      .groupBy('status')
      .aggregate((a) => ({
        n: a.count(),
        s: a.sum('score'),
        m: a.avg('amount'),
        lo: a.min('amount'),
      }))
      .build();
    expect(
      finishAggregate(q, [
        { keys: ['b'], partials: ['2', { n: '2', sum: '0.30' }, { n: 1, sum: '3' }, '3.0'] },
        { keys: [undefined], partials: [1, { n: 1, sum: 0.1 }, { n: 0, sum: null }, null] },
        { keys: [null], partials: [3, { n: 1, sum: '0.2' }, { n: 2, sum: '4' }, '-1'] },
      ]),
    ).toEqual([
      { status: null, n: 4, s: 0.3, m: 2, lo: '-1' },
      { status: 'b', n: 2, s: 0.3, m: 3, lo: '3' },
    ]);
  });
});

describe('exact arithmetic', () => {
  it('sums exactly and rounds once, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 })),
        (xs) => {
          const a = new ExactSum();
          const b = new ExactSum();
          for (const x of xs) a.add(x);
          for (const x of [...xs].reverse()) b.add(x);
          expect(decimalToNumber(a.value)).toBe(decimalToNumber(b.value));
        },
      ),
    );
  });

  it('divides with one rounding', () => {
    expect(divideToNumber(parseDecimal('1'), 3)).toBe(1 / 3);
    expect(divideToNumber(parseDecimal('-2'), 3)).toBe(-2 / 3);
    expect(divideToNumber(parseDecimal('0.3'), 1)).toBe(0.3);
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), (a, n) => {
        // a / n of integers: JS division is already correctly rounded.
        expect(divideToNumber(parseDecimal(String(a)), n)).toBe(a / n || 0);
      }),
    );
  });

  it('the fast paths agree with the exact paths', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }),
        fc.integer({ min: -25, max: 25 }),
        fc.integer({ min: 1, max: 1e7 }),
        (coef, exp, n) => {
          const d = { coef, exp };
          // The same value with a coefficient past 2^53 takes the exact path.
          const wide = { coef: coef * 10n ** 30n, exp: exp - 30 };
          expect(decimalToNumber(d)).toBe(Number(`${coef}e${exp}`));
          expect(decimalToNumber(d)).toBe(decimalToNumber(wide));
          expect(divideToNumber(d, n)).toBe(divideToNumber(wide, n));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('parses numeric text', () => {
    expect(parseDecimal('-12.50')).toEqual({ coef: -125n, exp: -1 });
    expect(parseDecimal('100.000')).toEqual({ coef: 100n, exp: 0 });
    expect(parseDecimal('.5')).toEqual({ coef: 5n, exp: -1 });
    expect(parseDecimal('1e+21')).toEqual({ coef: 1n, exp: 21 });
    expect(() => parseDecimal('NaN')).toThrow(RangeError);
  });
});

describe('fromAggregateJSON', () => {
  const built = spec(Item)
    .where((w) => w.gt('score', 1))
    .groupBy('status', ['at', 'day'])
    .aggregate((a) => ({ n: a.count(), s: a.sum('score'), hi: a.max('amount') }))
    .build();

  it('reads back what the builder writes', () => {
    expect(fromAggregateJSON(JSON.stringify(built), Item)).toEqual(built);
    const scalar = spec(Item).distinct('status').build();
    expect(fromAggregateJSON(JSON.parse(JSON.stringify(scalar)), Item)).toEqual(scalar);
  });

  it('hashes by meaning: operand order and cache hints do not count, aggregates do', () => {
    const a = spec(Item)
      .where((w) => w.and(w.gt('score', 1), w.eq('ok', true)))
      .groupBy('status')
      .count();
    const b = spec(Item)
      .where((w) => w.and(w.eq('ok', true), w.gt('score', 1)))
      .cache({ ttl: 1000 })
      .groupBy('status')
      .count();
    expect(a.hash()).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash()).toBe(b.hash());
    expect(a.hash()).not.toBe(
      spec(Item)
        .where((w) => w.gt('score', 1))
        .groupBy('status')
        .count()
        .hash(),
    );
    expect(spec(Item).sum('score').hash()).not.toBe(spec(Item).avg('score').hash());
  });

  it('refuses what the builder could not make', () => {
    const json = JSON.parse(JSON.stringify(built));
    const edit = (f: (j: typeof json) => void) => {
      const j = structuredClone(json);
      f(j);
      return () => fromAggregateJSON(j, Item);
    };
    expect(edit((j) => (j.aggregates[1].aggregate.fn = 'toString'))).toThrow(InvalidValueError);
    expect(edit((j) => (j.groupBy[1].unit = 'constructor'))).toThrow(InvalidValueError);
    expect(edit((j) => (j.shape = 'everything'))).toThrow(InvalidValueError);
    expect(
      edit((j) => (j.aggregates[1].aggregate.field = { kind: 'field', path: ['status'] })),
    ).toThrow(UnsupportedOperatorError);
    expect(edit((j) => (j.aggregates[1].aggregate.field.type = 'string'))).toThrow(
      InvalidSpecificationError,
    );
    expect(edit((j) => (j.groupBy[0].path = ['nope']))).toThrow(UnknownFieldError);
    expect(edit((j) => (j.groupBy[0].path = ['__proto__']))).toThrow(SpecificationError);
    expect(edit((j) => (j.aggregates[0].name = '__proto__'))).toThrow(InvalidValueError);
    expect(edit((j) => (j.extra = 1))).toThrow(InvalidSpecificationError);
    expect(edit((j) => (j.version = 2))).toThrow(SpecificationError);
    expect(edit((j) => (j.source.take = 3))).toThrow(InvalidValueError);
    expect(() => fromAggregateJSON(built, Item, { fields: ['score', 'amount'] })).toThrow(
      UnknownFieldError,
    );
    expect(() => fromAggregateJSON(built, Item, { maxAggregates: 2 })).toThrow(LimitExceededError);
  });
});
