/**
 * Golden SQL: the exact Cosmos SQL the compiler emits for the `azure` profile's constructs (which
 * cosmosdb-server cannot run, so no server test covers their text), and the portable rewrites the
 * `cosmosdb-server` profile gets instead. Plus plan-level facts: splitting on absent order keys,
 * in-memory sorting, TOP pushdown, partition pinning, composite indexes.
 */
import { bindQuery } from '@mystira/repository';
import { ConformanceItem } from '@mystira/repository/testing';
import {
  absenceOf,
  compileQuery,
  compositeIndexesFor,
  docMapping,
  indexingPolicyFor,
  Params,
  propertyPath,
} from '@mystira/repository-cosmos';
import { entity, field, type Specification, spec } from '@mystira/specification';
import { describe, expect, it } from 'vitest';

const S = () => spec(ConformanceItem);
const plan = (
  s: Specification<never, unknown> | { build(): never },
  profile: 'azure' | 'cosmosdb-server' = 'azure',
) =>
  compileQuery(bindQuery(ConformanceItem, (s as { build(): never }).build()), {
    profile,
    entity: ConformanceItem,
    partitionKey: ['id'],
  });
const sql = (s: { build(): never }, profile: 'azure' | 'cosmosdb-server' = 'azure', top?: number) =>
  plan(s as never, profile).parts.map((p) => p.sql(top));

describe('golden SQL, azure profile', () => {
  it('equality binds a parameter and needs no type guard; the id tiebreaker orders', () => {
    expect(sql(S().where((w) => w.eq('name', 'alpha')) as never)).toEqual([
      {
        query: 'SELECT * FROM c WHERE c["name"] = @p0 ORDER BY c["id"] ASC',
        parameters: [{ name: '@p0', value: 'alpha' }],
      },
    ]);
  });

  it('ne and not(eq) guard the type, so absent rows stay UNKNOWN', () => {
    const expected = [
      {
        query:
          'SELECT * FROM c WHERE (IS_NUMBER(c["rank"]) AND c["rank"] != @p0) ORDER BY c["id"] ASC',
        parameters: [{ name: '@p0', value: 1 }],
      },
    ];
    expect(sql(S().where((w) => w.ne('rank', 1)) as never)).toEqual(expected);
    expect(sql(S().where((w) => w.not(w.eq('rank', 1))) as never)).toEqual(expected);
  });

  it('in / notIn use ARRAY_CONTAINS over one array parameter', () => {
    expect(sql(S().where((w) => w.in('name', ['b', 'a'])) as never)[0]).toEqual({
      query: 'SELECT * FROM c WHERE ARRAY_CONTAINS(@p0, c["name"]) ORDER BY c["id"] ASC',
      parameters: [{ name: '@p0', value: ['a', 'b'] }],
    });
    expect(sql(S().where((w) => w.notIn('rank', [1, 2])) as never)[0]!.query).toBe(
      'SELECT * FROM c WHERE (IS_NUMBER(c["rank"]) AND NOT ARRAY_CONTAINS(@p0, c["rank"])) ORDER BY c["id"] ASC',
    );
  });

  it('LIKE runs natively with `[` escaped and ESCAPE "\\\\"', () => {
    const p = plan(S().where((w) => w.like('name', 'a\\%b[c%')) as never);
    expect(p.exact).toBe(true);
    expect(p.parts[0]!.sql()).toEqual({
      query: 'SELECT * FROM c WHERE c["name"] LIKE @p0 ESCAPE "\\\\" ORDER BY c["id"] ASC',
      parameters: [{ name: '@p0', value: 'a\\%b\\[c%' }],
    });
  });

  it('LIKE with `_` widens it to `%` and re-checks in memory (one code point may be two UTF-16 units)', () => {
    const p = plan(S().where((w) => w.like('name', '_eta')) as never);
    expect(p.exact).toBe(false);
    expect(p.residual).not.toBeNull();
    expect(p.parts[0]!.sql().parameters).toEqual([{ name: '@p0', value: '%eta' }]);
  });

  it('ignore-case uses the three-argument functions and STRINGEQUALS, re-checked (ASCII-only folding)', () => {
    expect(
      sql(S().where((w) => w.eq('name', 'ALPHA', { ignoreCase: true })) as never)[0]!.query,
    ).toBe('SELECT * FROM c WHERE STRINGEQUALS(c["name"], @p0, true) ORDER BY c["id"] ASC');
    expect(
      sql(S().where((w) => w.startsWith('name', 'Al', { ignoreCase: true })) as never)[0]!.query,
    ).toBe('SELECT * FROM c WHERE STARTSWITH(c["name"], @p0, true) ORDER BY c["id"] ASC');
    expect(
      sql(S().where((w) => w.contains('name', 'LP', { ignoreCase: true })) as never)[0]!.query,
    ).toBe('SELECT * FROM c WHERE CONTAINS(c["name"], @p0, true) ORDER BY c["id"] ASC');
    expect(
      plan(S().where((w) => w.endsWith('name', 'A', { ignoreCase: true })) as never).exact,
    ).toBe(false);
  });

  it('bigint comparisons are sign and length tests on the canonical strings', () => {
    expect(sql(S().where((w) => w.gt('amount', '9')) as never)[0]).toEqual({
      query:
        'SELECT * FROM c WHERE (IS_STRING(c["amount"]) AND NOT STARTSWITH(c["amount"], "-") AND (LENGTH(c["amount"]) > 1 OR (LENGTH(c["amount"]) = 1 AND c["amount"] > @p0))) ORDER BY c["id"] ASC',
      parameters: [{ name: '@p0', value: '9' }],
    });
    expect(sql(S().where((w) => w.lte('amount', '-12')) as never)[0]!.query).toBe(
      'SELECT * FROM c WHERE (IS_STRING(c["amount"]) AND STARTSWITH(c["amount"], "-") AND (LENGTH(c["amount"]) > 3 OR (LENGTH(c["amount"]) = 3 AND c["amount"] >= @p0))) ORDER BY c["id"] ASC',
    );
  });

  it('isNull / exists test IS_DEFINED and IS_NULL on nested paths', () => {
    expect(sql(S().where((w) => w.isNull('profile.city')) as never)[0]!.query).toBe(
      'SELECT * FROM c WHERE (NOT IS_DEFINED(c["profile"]["city"]) OR IS_NULL(c["profile"]["city"])) ORDER BY c["id"] ASC',
    );
  });

  it('arrayContainsAny is an OR of ARRAY_CONTAINS; its negation requires an array', () => {
    expect(
      sql(S().where((w) => w.not(w.arrayContainsAny('tags', ['x', 'y']))) as never)[0]!.query,
    ).toBe(
      'SELECT * FROM c WHERE (IS_ARRAY(c["tags"]) AND NOT ARRAY_CONTAINS(c["tags"], @p0) AND NOT ARRAY_CONTAINS(c["tags"], @p1)) ORDER BY c["id"] ASC',
    );
  });

  it('a key that may be absent splits the query: present rows first for desc, TOP pushed down', () => {
    expect(sql(S().orderByDescending('score').take(3) as never, 'azure', 3)).toEqual([
      {
        query:
          'SELECT TOP @top * FROM c WHERE (IS_DEFINED(c["score"]) AND NOT IS_NULL(c["score"])) ORDER BY c["score"] DESC, c["id"] ASC',
        parameters: [{ name: '@top', value: 3 }],
      },
      {
        query:
          'SELECT TOP @top * FROM c WHERE (NOT IS_DEFINED(c["score"]) OR IS_NULL(c["score"])) ORDER BY c["id"] ASC',
        parameters: [{ name: '@top', value: 3 }],
      },
    ]);
  });

  it('a later key that can be missing splits into parts merged in one group, none ordered by it', () => {
    const p = plan(S().orderBy('name').thenBy('score', 'desc') as never);
    expect(p.memorySort).toBe(false);
    expect(p.parts.map((x) => [x.group, x.sql().query])).toEqual([
      [
        0,
        'SELECT * FROM c WHERE (NOT IS_DEFINED(c["score"]) OR IS_NULL(c["score"])) ORDER BY c["name"] ASC, c["id"] ASC',
      ],
      [
        0,
        'SELECT * FROM c WHERE (IS_DEFINED(c["score"]) AND NOT IS_NULL(c["score"])) ORDER BY c["name"] ASC, c["score"] DESC, c["id"] ASC',
      ],
    ]);
    // A leading key that can be absent still splits into groups run one after the other (and
    // where it is absent, the next key leads); a nullable (never missing) later key stays in the
    // ORDER BY: null survives a continuation.
    const q = plan(S().orderBy('score').thenBy('rank') as never);
    expect(q.parts.map((x) => [x.group, x.orderBy.map((k) => k.path.join('.'))])).toEqual([
      [0, ['id']],
      [1, ['rank', 'id']],
      [2, ['score', 'rank', 'id']],
    ]);
  });

  it('a string range with a code unit >= U+D800 is relaxed to IS_STRING and re-checked', () => {
    const p = plan(S().where((w) => w.gt('name', '\ue000')) as never);
    expect(p.exact).toBe(false);
    expect(p.pushTop).toBe(false);
    expect(p.parts[0]!.where).toBe('IS_STRING(c["name"])');
  });

  it('bigint order keys sort in memory after an unordered query', () => {
    const p = plan(S().orderBy('amount') as never);
    expect(p.memorySort).toBe(true);
    expect(p.parts.map((x) => x.sql().query)).toEqual(['SELECT * FROM c']);
  });

  it('an eq on the partition key pins the query to one partition', () => {
    expect(
      plan(S().where((w) => w.and(w.eq('id', 'a1'), w.gt('score', 1))) as never).partitionKey,
    ).toBe('a1');
    expect(
      plan(S().where((w) => w.or(w.eq('id', 'a1'), w.gt('score', 1))) as never).partitionKey,
    ).toBeUndefined();
  });

  it('count ignores order and keyset; constant filters fold', () => {
    const p = plan(
      S()
        .where((w) => w.eq('active', true))
        .orderBy('name') as never,
    );
    expect(p.count).toEqual({
      query: 'SELECT VALUE COUNT(1) FROM c WHERE c["active"] = @p0',
      parameters: [{ name: '@p0', value: true }],
    });
    expect(plan(S().where((w) => w.never()) as never).parts).toEqual([]);
  });
});

describe('portable rewrites, cosmosdb-server profile', () => {
  it('ignore-case becomes LOWER() against the ASCII-folded operand', () => {
    expect(
      sql(
        S().where((w) => w.startsWith('name', 'Al', { ignoreCase: true })) as never,
        'cosmosdb-server',
      )[0],
    ).toEqual({
      query: 'SELECT * FROM c WHERE STARTSWITH(LOWER(c["name"]), @p0) ORDER BY c["id"] ASC',
      parameters: [{ name: '@p0', value: 'al' }],
    });
  });

  it('LIKE becomes STARTSWITH/ENDSWITH/CONTAINS: exact for prefix%suffix, a superset otherwise', () => {
    const exact = plan(S().where((w) => w.like('name', 'ab%yz')) as never, 'cosmosdb-server');
    expect(exact.exact).toBe(true);
    expect(exact.parts[0]!.where).toBe(
      'IS_STRING(c["name"]) AND STARTSWITH(c["name"], @p0) AND ENDSWITH(c["name"], @p1) AND LENGTH(c["name"]) >= 4',
    );
    const loose = plan(S().where((w) => w.like('name', 'a_c%d')) as never, 'cosmosdb-server');
    expect(loose.exact).toBe(false);
    expect(loose.parts[0]!.where).toContain('STARTSWITH(c["name"], @p0)');
  });
});

describe('flat filters, cosmosdb-server profile (its parser is exponential in parenthesis depth)', () => {
  it('renders OR-of-ANDs without parentheses', () => {
    const p = plan(
      S().where((w) => w.and(w.or(w.eq('name', 'a'), w.gt('score', 1)), w.isNull('rank'))) as never,
      'cosmosdb-server',
    );
    expect(p.exact).toBe(true);
    expect(p.parts[0]!.where).toBe(
      'NOT IS_DEFINED(c["rank"]) AND c["name"] = @p0 OR NOT IS_DEFINED(c["rank"]) AND IS_NUMBER(c["score"]) AND c["score"] > @p1 OR IS_NULL(c["rank"]) AND c["name"] = @p0 OR IS_NULL(c["rank"]) AND IS_NUMBER(c["score"]) AND c["score"] > @p1',
    );
    // The only parentheses left are function calls.
    expect(p.parts[0]!.where.replace(/[A-Z_]+\(/g, '')).not.toContain('(');
  });

  it('a filter too large to flatten is relaxed to a superset and re-checked in memory', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const p = plan(
      S().where((w) =>
        w.and(...names.map((n) => w.or(w.eq('name', n), w.eq('profile.country', n)))),
      ) as never,
      'cosmosdb-server',
    );
    expect(p.exact).toBe(false);
    expect(p.residual).not.toBeNull();
    expect(p.parts[0]!.where.split(' OR ').length).toBeLessThanOrEqual(48);
  });
});

describe('helpers', () => {
  it('propertyPath quotes every segment', () => {
    expect(propertyPath(['profile', 'city'])).toBe('c["profile"]["city"]');
  });

  it('Params shares equal values and prunes unused ones', () => {
    const p = new Params();
    expect(p.add('x')).toBe('@p0');
    expect(p.add(1)).toBe('@p1');
    expect(p.add('x')).toBe('@p0');
    for (let i = 0; i < 9; i++) p.add(i + 10);
    expect(p.usedIn('a = @p1 AND b = @p10')).toEqual([
      { name: '@p1', value: 1 },
      { name: '@p10', value: 18 },
    ]);
  });

  it('absenceOf reads missing/null from the schema (a null parent makes a child missing)', () => {
    const E = entity('e', {
      id: field.string(),
      a: field.string().optional(),
      b: field.number().nullable(),
      o: field.object({ c: field.string() }).nullable(),
    });
    expect(absenceOf(E, ['a'])).toEqual({ missing: true, null: false });
    expect(absenceOf(E, ['b'])).toEqual({ missing: false, null: true });
    expect(absenceOf(E, ['o', 'c'])).toEqual({ missing: true, null: false });
    expect(absenceOf(E, ['id'])).toEqual({ missing: false, null: false });
  });

  it('composite indexes cover every multi-key ORDER BY a spec needs', () => {
    expect(
      compositeIndexesFor(ConformanceItem, {
        specs: [S().orderByDescending('score'), S().orderBy('name')],
      }),
    ).toEqual([
      [
        { path: '/score', order: 'descending' },
        { path: '/id', order: 'ascending' },
      ],
      [
        { path: '/name', order: 'ascending' },
        { path: '/id', order: 'ascending' },
      ],
    ]);
    expect(indexingPolicyFor(ConformanceItem).includedPaths).toEqual([{ path: '/*' }]);
  });

  it('the document mapping hides system properties and the hidden version', () => {
    const E = entity('things', { key: field.number(), name: field.string() }, { id: 'key' });
    const m = docMapping(E);
    const doc = m.toDoc({ key: 7, name: 'x' }, 3);
    expect(doc).toEqual({ id: '7', key: 7, name: 'x', __v: 3 });
    expect(m.fromDoc({ ...doc, _etag: '"e"', _rid: 'r', _ts: 1, _self: 's' })).toEqual({
      item: { key: 7, name: 'x' },
      version: 3,
      etag: '"e"',
    });
    expect(() => docMapping(entity('bad', { id: field.string(), _ts: field.number() }))).toThrow(
      /reserved/,
    );
  });
});
