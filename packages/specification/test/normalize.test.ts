import {
  canonicalJson,
  children,
  effectiveOrder,
  featuresOf,
  flatten,
  foldConstants,
  foldIgnoreCase,
  hashQuery,
  keysetPredicate,
  type Node,
  normalize,
  normalizePredicate,
  type Predicate,
  type PredicateVisitor,
  Probe,
  predicates,
  simplifyLists,
  sortOperands,
  spec,
  transform,
  visit,
  walk,
} from '@mystira/specification';
import { describe, expect, it } from 'vitest';

const w = predicates(Probe);
const a = w.eq('name', 'a');
const b = w.gt('score', 1);
const c = w.isNull('tags');
const T: Predicate = { kind: 'const', value: true };
const F: Predicate = { kind: 'const', value: false };

describe('normalising passes', () => {
  it('flatten merges nested and/or, unwraps singletons and double negation', () => {
    expect(flatten(w.and(a, w.and(b, c)))).toEqual(w.and(a, b, c));
    expect(flatten(w.or(w.or(a), w.and(b)))).toEqual(w.or(a, b));
    expect(flatten(w.not(w.not(a)))).toEqual(a);
    expect(flatten(w.and(a, w.or(b, c)))).toEqual(w.and(a, w.or(b, c)));
  });

  it('foldConstants applies identities and absorbing elements', () => {
    expect(foldConstants(w.and(a, T))).toEqual(a);
    expect(foldConstants(w.and(a, F))).toEqual(F);
    expect(foldConstants(w.or(a, T))).toEqual(T);
    expect(foldConstants(w.or(a, F, b))).toEqual(w.or(a, b));
    expect(foldConstants(w.not(T))).toEqual(F);
    expect(foldConstants(w.and())).toEqual(T);
    expect(foldConstants(w.or())).toEqual(F);
    // Never folds a leaf that can be UNKNOWN: not(between 5..1) is not TRUE for absent rows.
    expect(foldConstants(w.not(w.between('score', 5, 1)))).toEqual(w.not(w.between('score', 5, 1)));
  });

  it('simplifyLists handles empty, duplicate and single-value lists', () => {
    expect(simplifyLists(w.in('name', []))).toEqual(F);
    expect(simplifyLists(w.notIn('name', []))).toEqual(T);
    expect(simplifyLists(w.arrayContainsAny('tags', []))).toEqual(F);
    expect(simplifyLists(w.in('name', ['b', 'a', 'b']))).toEqual(w.in('name', ['a', 'b']));
    expect(simplifyLists(w.in('name', ['a', 'a']))).toEqual(w.eq('name', 'a'));
    expect(simplifyLists(w.notIn('name', ['a'], { ignoreCase: true }))).toEqual(
      w.ne('name', 'a', { ignoreCase: true }),
    );
    expect(simplifyLists(w.between('score', 3, 3))).toEqual(w.eq('score', 3));
    expect(simplifyLists(w.arrayContainsAny('tags', ['y', 'x', 'y']))).toEqual(
      w.arrayContainsAny('tags', ['x', 'y']),
    );
  });

  it('foldIgnoreCase folds the operands of case-insensitive predicates only', () => {
    expect(foldIgnoreCase(w.eq('name', 'AnN', { ignoreCase: true }))).toEqual(
      w.eq('name', 'ann', { ignoreCase: true }),
    );
    expect(foldIgnoreCase(w.in('name', ['A', 'b'], { ignoreCase: true }))).toEqual(
      w.in('name', ['a', 'b'], { ignoreCase: true }),
    );
    expect(foldIgnoreCase(w.startsWith('name', 'ÉA', { ignoreCase: true }))).toEqual(
      w.startsWith('name', 'Éa', { ignoreCase: true }),
    );
    expect(foldIgnoreCase(w.like('name', '\\A%', { ignoreCase: true }))).toEqual(
      w.like('name', '\\a%', { ignoreCase: true }),
    );
    const exact = w.eq('name', 'AnN');
    expect(foldIgnoreCase(exact)).toBe(exact);
    expect(
      spec(Probe)
        .where((x) => x.eq('name', 'ANN', { ignoreCase: true }))
        .hash(),
    ).toBe(
      spec(Probe)
        .where((x) => x.eq('name', 'ann', { ignoreCase: true }))
        .hash(),
    );
  });

  it('sortOperands orders and deduplicates commutative operands', () => {
    expect(sortOperands(w.and(b, a, b))).toEqual(sortOperands(w.and(a, b)));
    expect(sortOperands(w.or(a, a))).toEqual(a);
  });

  it('normalizePredicate runs all passes to a fixed point', () => {
    expect(normalizePredicate(w.and(a, w.or(w.in('name', []), w.never()), b))).toEqual(F);
    expect(normalizePredicate(w.or(w.and(a, w.always()), w.and(b, w.notIn('name', []))))).toEqual(
      sortOperands(w.or(a, b)),
    );
  });

  it('normalize appends the id tiebreaker, drops redundant keys and folds true filters away', () => {
    const n = normalize(
      spec(Probe)
        .where((x) => x.always())
        .orderBy('score')
        .thenBy('score', 'desc')
        .build(),
    );
    expect(n.where).toBeNull();
    expect(n.orderBy.map((o) => [o.field.path.join('.'), o.direction])).toEqual([
      ['score', 'asc'],
      ['id', 'asc'],
    ]);
    const byId = spec(Probe).orderBy('id', 'desc').thenBy('name').build();
    expect(effectiveOrder(byId).map((o) => [o.field.path.join('.'), o.direction])).toEqual([
      ['id', 'desc'],
    ]);
    expect(
      normalize(spec(Probe).select('name', 'id', 'name').build()).select?.map((f) =>
        f.path.join('.'),
      ),
    ).toEqual(['id', 'name']);
    expect(Object.isFrozen(n.orderBy[1])).toBe(true);
  });

  it('normalize turns the keyset into an ordinary predicate', () => {
    const q = spec(Probe)
      .orderBy('score', 'desc')
      .after({ kind: 'keyset', values: [null, { kind: 'value', type: 'string', value: 'p03' }] })
      .build();
    const n = normalize(q);
    expect(n.after).toBeNull();
    // desc key absent: nothing sorts after it on that key, so only the id disjunct remains.
    expect(n.where).toEqual(normalizePredicate(w.and(w.isNull('score'), w.gt('id', 'p03'))));
    expect(() => normalize({ ...q, after: { kind: 'keyset', values: [] } })).toThrow(
      /keyset has 0 values/,
    );
  });

  it('keysetPredicate spells out the seek condition', () => {
    const orders = effectiveOrder(spec(Probe).orderBy('name').build());
    const v = { kind: 'value' as const, type: 'string' as const, value: 'x' };
    expect(keysetPredicate(orders, { kind: 'keyset', values: [v, v] })).toEqual({
      kind: 'or',
      operands: [
        { kind: 'and', operands: [w.gt('name', 'x')] },
        { kind: 'and', operands: [w.eq('name', 'x'), w.gt('id', 'x')] },
      ],
    });
    expect(
      (
        keysetPredicate(orders, { kind: 'keyset', values: [null, v] }) as unknown as {
          operands: Predicate[];
        }
      ).operands[0],
    ).toEqual({ kind: 'and', operands: [w.exists('name')] });
  });
});

describe('stable hash', () => {
  const typical = spec(Probe)
    .where((x) => x.and(x.eq('meta.city', 'Oslo'), x.gte('score', 5), x.in('name', ['b', 'a'])))
    .orderBy('score', 'desc')
    .thenBy('name')
    .page(2, 20);

  it('is a 64-hex SHA-256 that does not change across releases of AST v1', () => {
    // Golden value: if this changes, every cache keyed by spec hashes is invalidated. Only change
    // it together with AST_VERSION.
    expect(typical.hash()).toBe('0fd54d6660bd389f3cfe138f7325cda47464f7d06e0e4d55087d80810fcaa28a');
  });

  it('ignores operand order, duplicates, nesting, list order and cache hints', () => {
    const same = spec(Probe)
      .where((x) => x.gte('score', 5))
      .where((x) => x.and(x.in('name', ['a', 'b', 'a']), x.eq('meta.city', 'Oslo')))
      .orderBy('score', 'desc')
      .thenBy('name')
      .thenBy('id')
      .skip(20)
      .take(20)
      .cache({ ttl: 10, tags: ['x'] });
    expect(same.hash()).toBe(typical.hash());
  });

  it('changes with anything that changes the answer', () => {
    const variants = [
      typical.take(21),
      typical.skip(0),
      typical.orderBy('score'),
      typical.where((x) => x.exists('name')),
      typical.select('id'),
      spec(Probe).where((x) => x.eq('meta.city', 'oslo')),
      spec(Probe).where((x) => x.eq('meta.city', 'Oslo', { ignoreCase: true })),
      spec(Probe).where((x) => x.eq('meta.city', 'Oslo')),
    ];
    const hashes = new Set([typical.hash(), ...variants.map((v) => v.hash())]);
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('hashQuery of the AST equals the builder hash; canonicalJson sorts keys', () => {
    expect(hashQuery(typical.build())).toBe(typical.hash());
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });
});

describe('walk, visit, transform', () => {
  const q = spec(Probe)
    .where((x) => x.or(x.eq('name', 'a'), x.not(x.between('score', 1, 2))))
    .orderBy('name')
    .select('id')
    .cache({ ttl: 1 })
    .build();

  it('walk visits every node depth-first with depths, and can prune', () => {
    const kinds: string[] = [];
    walk(q, (n, depth) => {
      kinds.push(`${depth}:${n.kind}`);
    });
    expect(kinds).toEqual([
      '0:query',
      '1:field',
      '1:or',
      '2:compare',
      '3:field',
      '3:value',
      '2:not',
      '3:between',
      '4:field',
      '4:value',
      '4:value',
      '1:order',
      '2:field',
      '1:field',
      '1:cache',
    ]);
    const pruned: string[] = [];
    walk(q, (n) => {
      pruned.push(n.kind);
      return n.kind !== 'or';
    });
    expect(pruned).not.toContain('compare');
    expect(children({ kind: 'keyset', values: [null] } as Node)).toEqual([]);
  });

  it('visit dispatches on kind (a compiler sketch)', () => {
    const sql: PredicateVisitor<string> = {
      compare: (n) => `${n.field.path.join('.')} ${n.op} ?`,
      in: () => 'in',
      between: (n) => `${n.field.path.join('.')} between ? and ?`,
      isNull: () => 'isNull',
      exists: () => 'exists',
      stringMatch: () => 'stringMatch',
      like: () => 'like',
      arrayContains: () => 'arrayContains',
      and: (n) => `(${n.operands.map((o) => visit(o, sql)).join(' and ')})`,
      or: (n) => `(${n.operands.map((o) => visit(o, sql)).join(' or ')})`,
      not: (n) => `not ${visit(n.operand, sql)}`,
      const: (n) => String(n.value),
    };
    expect(visit(q.where!, sql)).toBe('(name eq ? or not score between ? and ?)');
    expect(() => visit({ kind: 'bogus' } as never, sql)).toThrow(/unknown predicate kind/);
  });

  it('transform rewrites bottom-up and keeps untouched subtrees', () => {
    const p = q.where!;
    expect(transform(p, (n) => n)).toBe(p);
    const swapped = transform(p, (n) => (n.kind === 'compare' ? w.eq('name', 'z') : n));
    expect(swapped).toEqual(w.or(w.eq('name', 'z'), w.not(w.between('score', 1, 2))));
    expect((swapped as unknown as { operands: Predicate[] }).operands[1]).toBe(
      (p as unknown as { operands: Predicate[] }).operands[1],
    );
  });
});

describe('featuresOf', () => {
  it('lists what a backend must support', () => {
    expect(featuresOf(spec(Probe).build())).toEqual(new Set());
    const q = spec(Probe)
      .where((x) =>
        x.or(
          x.not(x.eq('name', 'a', { ignoreCase: true })),
          x.gt('amount', 5n),
          x.like('meta.city', 'O%'),
        ),
      )
      .orderBy('name', 'desc')
      .skip(1)
      .take(2)
      .select('id')
      .build();
    expect([...featuresOf(q)].sort()).toEqual(
      [
        'bigintOrder',
        'descending',
        'ignoreCase',
        'like',
        'multiOrder',
        'nestedFields',
        'not',
        'or',
        'select',
        'skip',
        'stringOrder',
        'take',
      ].sort(),
    );
    expect(
      featuresOf(
        spec(Probe)
          .where((x) => x.arrayContains('tags', 'a'))
          .orderBy('id')
          .build(),
      ),
    ).toEqual(new Set(['arrayContains', 'stringOrder']));
  });
});
