/**
 * The README semantics table, executed against the in-memory evaluator (the same cases the
 * PostgreSQL and Cosmos DB adapters run), plus the rules that only concern data a typed store
 * cannot hold (values that violate the schema).
 */
import {
  any,
  conformanceCases,
  count,
  entity,
  evaluate,
  field,
  first,
  isSatisfiedBy,
  MultipleResultsError,
  Probe,
  type ProbeT,
  page,
  probeRows,
  single,
  spec,
} from '@mystira/specification';
import { describe, expect, expectTypeOf, it } from 'vitest';

describe('semantics table (conformance cases)', () => {
  it('the probe rows fit their schema', () => {
    for (const row of probeRows) expect(Probe.validate(row)).toEqual([]);
  });

  for (const c of conformanceCases) {
    it(`${c.id}: ${c.rule}`, () => {
      const s = c.spec(spec(Probe));
      const e = c.expect;
      if ('ids' in e)
        expect(evaluate(s, probeRows).map((r) => (r as { id: string }).id)).toEqual(e.ids);
      if ('count' in e) expect(count(s, probeRows)).toBe(e.count);
      if ('any' in e) expect(any(s, probeRows)).toBe(e.any);
      if ('items' in e) expect(evaluate(s, probeRows)).toEqual(e.items);
    });
  }

  it('case ids are unique', () => {
    expect(new Set(conformanceCases.map((c) => c.id)).size).toBe(conformanceCases.length);
  });
});

describe('values that violate the schema (in-memory only)', () => {
  type Loose = { id: string; v?: unknown; o?: unknown };
  const data: Loose[] = [
    { id: 'a', v: 1 },
    { id: 'b', v: '1' },
    { id: 'c', v: true },
    { id: 'd', v: null },
    { id: 'e' },
    { id: 'f', v: [1] },
    { id: 'g', v: { x: 1 } },
    { id: 'h', v: Number.NaN },
    { id: 'i', o: 'not an object' },
  ];
  const ids = (r: Loose[]) => r.map((x) => x.id);

  it('a comparison against a value of another type is UNKNOWN: neither eq nor ne matches', () => {
    expect(
      ids(
        evaluate(
          spec<Loose>().where((w) => w.eq('v', 1)),
          data,
        ),
      ),
    ).toEqual(['a']);
    expect(
      ids(
        evaluate(
          spec<Loose>().where((w) => w.ne('v', 1)),
          data,
        ),
      ),
    ).toEqual([]);
    expect(
      ids(
        evaluate(
          spec<Loose>().where((w) => w.not(w.eq('v', 1))),
          data,
        ),
      ),
    ).toEqual([]);
    expect(
      ids(
        evaluate(
          spec<Loose>().where((w) => w.eq('v', '1')),
          data,
        ),
      ),
    ).toEqual(['b']);
  });

  it('NaN never compares (not even with itself)', () => {
    expect(
      ids(
        evaluate(
          spec<Loose>().where((w) => w.or(w.gte('v', -1e308), w.lt('v', -1e308))),
          data,
        ),
      ),
    ).toEqual(['a']);
  });

  it('the builder refuses non-finite numbers', () => {
    expect(() => spec<Loose>().where((w) => w.gte('v', Number.NEGATIVE_INFINITY))).toThrow(
      /finite/,
    );
  });

  it('order across types is deterministic: absent < boolean < number < string < others', () => {
    expect(ids(evaluate(spec<Loose>().orderBy('v'), data))).toEqual([
      'd',
      'e',
      'i',
      'c',
      'a',
      'b',
      'f',
      'g',
      'h',
    ]);
  });

  it('a path through a non-object is absent', () => {
    expect(
      ids(
        evaluate(
          spec<Loose>().where((w) => w.isNull('o.x' as never)),
          data,
        ),
      ),
    ).toEqual(ids(data));
  });

  it('inherited properties are not fields', () => {
    const rows = [{ id: 'a' }];
    expect(
      evaluate(
        spec<{ id: string; toString?: string }>().where((w) => w.exists('toString')),
        rows,
      ),
    ).toEqual([]);
  });

  it('Date objects and JS bigints stored in memory compare like their JSON forms', () => {
    const E = entity('e', { id: field.string(), at: field.date(), n: field.bigint() });
    const rows = [
      { id: 'x', at: new Date('2020-01-01T00:00:00.000Z'), n: 5n },
      { id: 'y', at: new Date('2021-01-01T00:00:00.000Z'), n: 50n },
    ] as unknown as { id: string; at: string; n: string }[];
    expect(
      evaluate(
        spec(E).where((w) => w.gt('at', '2020-06-01T00:00:00.000Z')),
        rows,
      ).map((r) => r.id),
    ).toEqual(['y']);
    expect(
      evaluate(
        spec(E).where((w) => w.lt('n', 10n)),
        rows,
      ).map((r) => r.id),
    ).toEqual(['x']);
    expect(evaluate(spec(E).orderBy('n', 'desc'), rows).map((r) => r.id)).toEqual(['y', 'x']);
  });
});

describe('result helpers', () => {
  const s = spec(Probe).where((w) => w.eq('score', 10));

  it('first returns the first in order, after skip', () => {
    expect(first(s, probeRows)?.id).toBe('p01');
    expect(first(s.orderBy('id', 'desc'), probeRows)?.id).toBe('p11');
    expect(first(s.skip(1), probeRows)?.id).toBe('p04');
    expect(
      first(
        s.where((w) => w.never()),
        probeRows,
      ),
    ).toBeUndefined();
  });

  it('single returns the only match, undefined for none, and throws for several', () => {
    expect(
      single(
        spec(Probe).where((w) => w.eq('id', 'p03')),
        probeRows,
      )?.name,
    ).toBe('beta');
    expect(
      single(
        spec(Probe).where((w) => w.eq('id', 'nope')),
        probeRows,
      ),
    ).toBeUndefined();
    expect(() => single(s, probeRows)).toThrow(MultipleResultsError);
    expect(() => single(s.take(1), probeRows)).toThrow(MultipleResultsError);
  });

  it('page returns the page and the total ignoring paging', () => {
    const p = page(spec(Probe).orderBy('id').page(2, 5), probeRows);
    expect(p.items.map((r) => r.id)).toEqual(['p06', 'p07', 'p08', 'p09', 'p10']);
    expect(p).toMatchObject({ total: 12, skip: 5, take: 5, page: 2, pageSize: 5 });
    const last = page(spec(Probe).page(3, 5), probeRows);
    expect(last.items.map((r) => r.id)).toEqual(['p11', 'p12']);
    expect(page(spec(Probe), probeRows)).toMatchObject({ total: 12, page: null, pageSize: null });
  });

  it('isSatisfiedBy tests one entity against the filter only', () => {
    expect(isSatisfiedBy(s.take(0), probeRows[0]!)).toBe(true);
    expect(s.isSatisfiedBy(probeRows[1]!)).toBe(false);
  });

  it('evaluates async iterables and honours AbortSignal', async () => {
    async function* rows() {
      yield* probeRows;
    }
    expect((await evaluate(s, rows())).map((r) => r.id)).toEqual(['p01', 'p04', 'p11']);
    expect(await count(s, rows())).toBe(3);
    expect(await any(s, rows())).toBe(true);
    expect((await first(s, rows()))?.id).toBe('p01');
    expect((await page(s.take(1), rows())).total).toBe(3);
    await expect(single(s, rows())).rejects.toThrow(MultipleResultsError);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(evaluate(s, rows(), { signal: ac.signal })).rejects.toThrow('stop');
    await expect(count(s, rows(), { signal: ac.signal })).rejects.toThrow('stop');
  });

  it('aborts a long async source part-way', async () => {
    const ac = new AbortController();
    let produced = 0;
    async function* endless() {
      for (;;) {
        produced++;
        if (produced === 1000) ac.abort(new Error('enough'));
        yield { id: String(produced) };
      }
    }
    await expect(
      any(
        spec().where((w) => w.eq('id', 'never')),
        endless(),
        { signal: ac.signal },
      ),
    ).rejects.toThrow('enough');
    expect(produced).toBeLessThan(2000);
  });

  it('any stops at the first match of an endless async source', async () => {
    let produced = 0;
    async function* endless() {
      for (;;) yield { id: String(++produced) };
    }
    expect(
      await any(
        spec().where((w) => w.eq('id', '10')),
        endless(),
      ),
    ).toBe(true);
    expect(produced).toBe(10);
  });

  it('result types follow the projection', () => {
    const rows = evaluate(spec(Probe).select('id', 'name'), probeRows);
    expectTypeOf(rows).toEqualTypeOf<Pick<ProbeT, 'id' | 'name'>[]>();
    expect(rows[0]).toEqual({ id: 'p01', name: 'alpha' });
    expectTypeOf(first(spec(Probe), probeRows)).toEqualTypeOf<ProbeT | undefined>();
  });

  it('evaluates any iterable, not only arrays', () => {
    const set = new Set(probeRows);
    expect(count(s, set)).toBe(3);
    expect(evaluate(s, set.values()).length).toBe(3);
  });
});
