import { createHash } from 'node:crypto';
import {
  any,
  bigintSortKey,
  canonicalJson,
  codePointSortKey,
  compareBigintStrings,
  compareStrings,
  compileLike,
  count,
  evaluate,
  fromJSON,
  hashQuery,
  isIsoDate,
  normalize,
  type Predicate,
  type QueryNode,
  sha256Hex,
  spec,
} from '@mystira/specification';
import { createCursorCodec } from '@mystira/specification/cursor';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { items, num, predicate, specs, str, Thing, type ThingT } from './fixtures.js';
import { refEvaluate, refTest } from './reference.js';

// Property runs are CPU-bound; on a loaded 2-core CI box they need more than the 5 s default.
vi.setConfig({ testTimeout: 60_000 });

const RUNS = { numRuns: Number(process.env.SPEC_PROPERTY_RUNS ?? 300) };

describe('evaluate agrees with the independent reference', () => {
  it('on random entities x random specs (filter, order, paging, projection)', () => {
    fc.assert(
      fc.property(specs, items, (s, data) => {
        expect(evaluate(s, data)).toEqual(refEvaluate(s.build(), data));
      }),
      RUNS,
    );
  });

  it('on larger data with a small page (the bounded top-k path) as well as the full sort', () => {
    const many = fc
      .uniqueArray(
        fc.record({
          id: fc.string({ minLength: 1, maxLength: 6 }),
          s: fc.option(str, { nil: undefined }),
          n: fc.option(num, { nil: undefined }),
        }),
        {
          selector: (i) => i.id,
          minLength: 100,
          maxLength: 200,
        },
      )
      .map((arr) => arr.map((i) => JSON.parse(JSON.stringify(i)) as ThingT));
    const ordered = fc
      .tuple(specs, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 6 }))
      .map(([s, skip, take]) => s.skip(skip).take(take));
    fc.assert(
      fc.property(ordered, many, (s, data) => {
        expect(evaluate(s, data)).toEqual(refEvaluate(s.build(), data));
      }),
      { numRuns: 40 },
    );
  });

  it('count/any ignore order and paging and agree with the reference filter', () => {
    fc.assert(
      fc.property(specs, items, (s, data) => {
        const q = s.build();
        const expected = data.filter((i) =>
          q.where ? refTest(q.where, i) === 'TRUE' : true,
        ).length;
        expect(count(s, data)).toBe(expected);
        expect(any(s, data)).toBe(expected > 0);
      }),
      RUNS,
    );
  });

  it('normalize preserves meaning under the reference (three-valued, including under not)', () => {
    fc.assert(
      fc.property(predicate, items, (p, data) => {
        const q = { ...(blank() as QueryNode), where: p };
        const n = normalize(q);
        for (const item of data) {
          const raw = refTest(p, item);
          const norm = n.where ? refTest(n.where, item) : 'TRUE';
          expect(norm).toBe(raw);
        }
      }),
      RUNS,
    );
  });

  it('async iterables give the same answer as arrays', async () => {
    await fc.assert(
      fc.asyncProperty(specs, items, async (s, data) => {
        async function* gen() {
          yield* data;
        }
        expect(await evaluate(s, gen())).toEqual(evaluate(s, data));
        expect(await count(s, gen())).toBe(count(s, data));
      }),
      { numRuns: 50 },
    );
  });
});

/** The query of an empty specification of things: no filter, order, paging or projection. */
function blank(): QueryNode {
  return spec(Thing).build();
}

describe('serialization and hashing', () => {
  it('fromJSON(toJSON(s)) is s', () => {
    fc.assert(
      fc.property(specs, (s) => {
        const q = s.build();
        const back = fromJSON(JSON.stringify(s), Thing, { maxTake: 10_000 });
        expect(back).toEqual(q);
        expect(hashQuery(back)).toBe(s.hash());
      }),
      RUNS,
    );
  });

  it('equal meaning hashes equal: operand order, duplicates, nesting and cache hints do not matter', () => {
    fc.assert(
      fc.property(
        fc.array(predicate, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (ps, useOr) => {
          const kind = useOr ? 'or' : 'and';
          const a: Predicate = { kind, operands: ps };
          const b: Predicate = { kind, operands: [{ kind, operands: [...ps].reverse() }, ps[0]!] };
          const qa = { ...blank(), where: a };
          const qb = {
            ...blank(),
            where: b,
            cache: { kind: 'cache' as const, ttlMs: 5, tags: ['t'] },
          };
          expect(hashQuery(qa)).toBe(hashQuery(qb));
        },
      ),
      RUNS,
    );
  });

  it('different meaning hashes differ (no collisions among distinct normalised specs)', () => {
    const seen = new Map<string, string>();
    fc.assert(
      fc.property(specs, (s) => {
        const canonical = canonicalJson({ ...normalize(s.build()), cache: null });
        const h = s.hash();
        const prev = seen.get(h);
        if (prev !== undefined) expect(prev).toBe(canonical);
        seen.set(h, canonical);
      }),
      { numRuns: 1000 },
    );
    expect(seen.size).toBeGreaterThan(500);
  });

  it('specs that select different rows on some data hash differently', () => {
    fc.assert(
      fc.property(specs, specs, items, (s1, s2, data) => {
        fc.pre(JSON.stringify(evaluate(s1, data)) !== JSON.stringify(evaluate(s2, data)));
        expect(s1.hash()).not.toBe(s2.hash());
      }),
      RUNS,
    );
  });
});

describe('keyset paging', () => {
  const codec = createCursorCodec({ secret: 'property-test-secret-0123456789' });
  it('following nextCursor visits exactly the rows of the unpaged query, in order', () => {
    fc.assert(
      fc.property(specs, items, fc.integer({ min: 1, max: 4 }), (s, dirtyData, size) => {
        // Keyset positions are defined for rows that fit the schema (see README); drop the others.
        const data = dirtyData.filter((i) => Thing.validate(i).length === 0);
        const unpaged = s.skip(0).take(size);
        const expected = evaluate(s.skip(0).take(10_000), data);
        const seen: unknown[] = [];
        let cursor: string | null = null;
        for (let i = 0; i < 100; i++) {
          const p: { items: unknown[]; nextCursor: string | null } = codec.page(
            unpaged,
            data,
            cursor,
          );
          seen.push(...p.items);
          cursor = p.nextCursor;
          if (!cursor) break;
        }
        expect(seen).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('value-level rules', () => {
  it('compareStrings is UTF-8 byte order (PostgreSQL COLLATE "C"), i.e. code point order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(compareStrings(a, b)).toBe(
          Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('canonicalJson is JSON with keys sorted', () => {
    // Objects cannot hold integer-like keys in sorted order, so the oracle serialises by hand.
    const ref = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(ref).join(',')}]`
        : v && typeof v === 'object'
          ? `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${ref((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(v);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.string({ unit: 'binary' }), (v, s) => {
        expect(canonicalJson(v)).toBe(ref(v));
        expect(canonicalJson({ [s]: s })).toBe(JSON.stringify({ [s]: s }));
      }),
      { numRuns: 1000 },
    );
  });

  it('codePointSortKey: UTF-16 order of the keys is code point order of the strings; prefixes kept', () => {
    const utf16 = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const unit = fc.oneof(
      fc.constantFrom('\uffff', '\ufffe', '\ue000', 'a', '\u4e00', '\u{10000}', '\u{10ffff}'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 6 }), fc.string({ unit, maxLength: 6 }), (a, b) => {
        expect(utf16(codePointSortKey(a), codePointSortKey(b))).toBe(compareStrings(a, b));
        expect(codePointSortKey(a + b).startsWith(codePointSortKey(a))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('bigintSortKey: code unit order of the keys is numeric order', () => {
    const big = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String);
    fc.assert(
      fc.property(big, big, (a, b) => {
        const ka = bigintSortKey(a);
        const kb = bigintSortKey(b);
        const c = Math.sign(Number(BigInt(a) - BigInt(b)));
        expect(ka < kb ? -1 : ka > kb ? 1 : 0).toBe(c);
        expect(compareBigintStrings(a, b)).toBe(c);
      }),
      { numRuns: 3000 },
    );
  });

  it('sha256Hex matches node:crypto, and @noble/hashes (what browsers run) matches both', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const expected = createHash('sha256').update(s, 'utf8').digest('hex');
        expect(bytesToHex(sha256(utf8ToBytes(s)))).toBe(expected);
        expect(sha256Hex(s)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('LIKE matches a RegExp translation of the pattern', () => {
    const alphabet = fc.constantFrom('a', 'b', '%', '_', '😀', 'A');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 6 }),
        fc.string({ unit: alphabet, maxLength: 8 }),
        (pattern, s) => {
          const src = [...pattern].map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c)).join('');
          expect(compileLike(pattern, false)(s)).toBe(new RegExp(`^${src}$`, 'su').test(s));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('isIsoDate', () => {
  /** The definition: what Date parses and formats back to the same text. */
  const roundTrips = (s: string) => {
    if (s.length !== 24 || s[10] !== 'T' || s[23] !== 'Z') return false;
    const t = Date.parse(s);
    return !Number.isNaN(t) && new Date(t).toISOString() === s;
  };
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  // Near-valid texts: every field drawn over and past its range, and any character swapped.
  const nearDate = fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(
      ([y, mo, d, h, mi, s, ms]) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`,
    );
  const mangled = fc
    .tuple(nearDate, fc.nat(23), fc.constantFrom('x', ' ', '-', ':', '.', 'Z', 'T', '+', '9'))
    .map(([text, at, c]) => text.slice(0, at) + c + text.slice(at + 1));

  it('accepts exactly what a Date round trip gives back', () => {
    fc.assert(
      fc.property(fc.oneof(nearDate, mangled, fc.string({ maxLength: 30 })), (s) => {
        expect(isIsoDate(s)).toBe(roundTrips(s));
      }),
      { numRuns: 20_000 },
    );
    for (const s of [
      '2024-02-29T23:59:59.999Z',
      '2000-02-29T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
    ])
      expect(isIsoDate(s)).toBe(true);
    for (const s of [
      '2023-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z',
    ])
      expect(isIsoDate(s)).toBe(false);
  });
});

// Keep the fixture type referenced so an accidental change to it is caught by tsc.
export type _T = ThingT;
