import {
  entity,
  field,
  fromQuery,
  type Infer,
  InvalidSchemaError,
  InvalidValueError,
  predicates,
  SpecificationError,
  spec,
  UnknownFieldError,
  UnsupportedOperatorError,
} from '@mystira/specification';
import { describe, expect, expectTypeOf, it } from 'vitest';

const Account = entity(
  'accounts',
  {
    id: field.string(),
    name: field.string(),
    email: field.string().optional(),
    balance: field.bigint(),
    score: field.number().nullable(),
    active: field.boolean(),
    createdAt: field.date(),
    tags: field.array(field.string()),
    profile: field.object({
      country: field.string(),
      address: field.object({ city: field.string().optional() }).optional(),
    }),
    version: field.number(),
  },
  { id: 'id', version: 'version', partitionKey: 'profile.country' },
);
type AccountT = Infer<typeof Account>;

const w = predicates(Account);
const f = (path: string[], type: string | null, element?: string) =>
  element === undefined ? { kind: 'field', path, type } : { kind: 'field', path, type, element };

describe('entity schema', () => {
  it('infers the TypeScript type: optional keys, nullable values, dates and bigints as strings', () => {
    expectTypeOf<AccountT>().toEqualTypeOf<{
      id: string;
      name: string;
      balance: string;
      score: number | null;
      active: boolean;
      createdAt: string;
      tags: string[];
      profile: { country: string; address?: { city?: string } };
      version: number;
      email?: string;
    }>();
  });

  it('exposes entity-level options and a field map for compilers', () => {
    expect(Account).toMatchObject({
      kind: 'entity',
      name: 'accounts',
      id: 'id',
      version: 'version',
      partitionKey: 'profile.country',
    });
    expect(Account.fieldAt('profile.address.city')).toEqual({
      name: 'profile.address.city',
      path: ['profile', 'address', 'city'],
      type: 'string',
      element: null,
      maybeAbsent: true,
    });
    expect(Account.fieldAt(['tags'])).toMatchObject({
      type: 'array',
      element: 'string',
      maybeAbsent: false,
    });
    expect(Account.fieldAt('profile.country')?.maybeAbsent).toBe(false);
    expect(Account.fieldAt('nope')).toBeUndefined();
    expect([...Account.fields.keys()]).toContain('profile.address');
  });

  it('validates values at runtime', () => {
    const ok: AccountT = {
      id: 'a',
      name: 'n',
      balance: '12',
      score: null,
      active: true,
      createdAt: '2020-01-01T00:00:00.000Z',
      tags: [],
      profile: { country: 'NL' },
      version: 1,
    };
    expect(Account.validate(ok)).toEqual([]);
    const bad = {
      ...ok,
      balance: '012',
      createdAt: '2020-01-01',
      tags: [1],
      extra: 1,
      profile: {},
      score: undefined,
    };
    expect(Account.validate(bad).map((i) => i.field)).toEqual([
      'extra',
      'balance',
      'score',
      'createdAt',
      'tags[0]',
      'profile.country',
    ]);
    expect(Account.validate(null)).toEqual([{ field: '', message: 'expected an object' }]);
  });

  it('rejects unusable declarations', () => {
    expect(() => entity('x', { name: field.string() })).toThrow(InvalidSchemaError);
    expect(() => entity('x', { id: field.string().optional() })).toThrow(/id field/);
    expect(() => entity('x', { id: field.boolean() })).toThrow(/id field/);
    expect(() => entity('x', { id: field.string(), v: field.string() }, { version: 'v' })).toThrow(
      /version/,
    );
    expect(() =>
      entity('x', { id: field.string(), t: field.array(field.string()) }, { partitionKey: 't' }),
    ).toThrow(/partition/);
    expect(() =>
      entity('x', { id: field.string(), ['__proto__' as string]: field.string() }),
    ).toThrow(InvalidSchemaError);
    expect(() => entity('x', JSON.parse('{"id":{},"constructor":{}}'))).toThrow(InvalidSchemaError);
    expect(() => entity('x', { id: field.string(), 'a-b': field.string() })).toThrow(
      /invalid field name/,
    );
    expect(() => entity('', { id: field.string() })).toThrow(/name/);
    expect(() => field.array(field.object({}) as never)).toThrow(/scalar/);
    expect(() => field.array(field.string().optional() as never)).toThrow(/optional/);
    expect(() => entity('x', { key: field.number() }, { id: 'key' })).not.toThrow();
  });
});

describe('predicate builders produce the documented nodes', () => {
  it('compare operators, with typed literals', () => {
    expect(w.eq('name', 'x')).toEqual({
      kind: 'compare',
      op: 'eq',
      field: f(['name'], 'string'),
      value: { kind: 'value', type: 'string', value: 'x' },
      ignoreCase: false,
    });
    expect(w.ne('name', 'X', { ignoreCase: true })).toMatchObject({ op: 'ne', ignoreCase: true });
    for (const op of ['lt', 'lte', 'gt', 'gte'] as const)
      expect(w[op]('score', 1)).toMatchObject({
        kind: 'compare',
        op,
        value: { type: 'number', value: 1 },
      });
    expect(w.eq('profile.country', 'NL').kind).toBe('compare');
    expect(w.eq('active', false)).toMatchObject({ value: { type: 'boolean', value: false } });
  });

  it('dates accept Date or ISO strings; bigints accept bigint or canonical strings', () => {
    const d = new Date('2020-01-02T03:04:05.006Z');
    expect(w.gt('createdAt', d)).toMatchObject({
      value: { type: 'date', value: '2020-01-02T03:04:05.006Z' },
    });
    expect(w.gt('createdAt', '2020-01-02T03:04:05.006Z')).toEqual(w.gt('createdAt', d));
    expect(w.gt('balance', 10n)).toMatchObject({ value: { type: 'bigint', value: '10' } });
    expect(w.gt('balance', '-10')).toMatchObject({ value: { type: 'bigint', value: '-10' } });
    expect(() => w.gt('createdAt', '2020-01-02')).toThrow(InvalidValueError);
    expect(() => w.gt('createdAt', '2020-02-30T00:00:00.000Z')).toThrow(InvalidValueError);
    expect(() => w.gt('createdAt', new Date(Number.NaN))).toThrow(InvalidValueError);
    expect(() => w.gt('balance', '007')).toThrow(InvalidValueError);
    expect(() => w.gt('balance', '-0')).toThrow(InvalidValueError);
    expect(() => w.eq('name', 1 as never)).toThrow(/expected a string/);
    expect(() => w.eq('score', Number.NaN)).toThrow(/finite/);
    expect(() => w.eq('name', null as never)).toThrow(/isNull/);
    expect(w.eq('score', -0)).toMatchObject({ value: { value: 0 } });
    expect(Object.is((w.eq('score', -0) as { value: { value: number } }).value.value, 0)).toBe(
      true,
    );
  });

  it('list, range, null and string operators', () => {
    expect(w.in('name', ['a', 'b'])).toMatchObject({
      kind: 'in',
      op: 'in',
      values: [{ value: 'a' }, { value: 'b' }],
    });
    expect(w.notIn('name', ['a'], { ignoreCase: true })).toMatchObject({
      kind: 'in',
      op: 'notIn',
      ignoreCase: true,
    });
    expect(w.between('score', 1, 2)).toMatchObject({
      kind: 'between',
      low: { value: 1 },
      high: { value: 2 },
    });
    expect(w.isNull('email')).toEqual({ kind: 'isNull', field: f(['email'], 'string') });
    expect(w.exists('profile.address')).toEqual({
      kind: 'exists',
      field: f(['profile', 'address'], 'object'),
    });
    expect(w.isDefined('email')).toEqual(w.exists('email'));
    for (const op of ['startsWith', 'endsWith', 'contains'] as const) {
      expect(w[op]('name', 'x', { ignoreCase: true })).toEqual({
        kind: 'stringMatch',
        op,
        field: f(['name'], 'string'),
        value: 'x',
        ignoreCase: true,
      });
    }
    expect(w.like('name', 'a%\\_')).toEqual({
      kind: 'like',
      field: f(['name'], 'string'),
      pattern: 'a%\\_',
      ignoreCase: false,
    });
    expect(w.arrayContains('tags', 't')).toEqual({
      kind: 'arrayContains',
      field: f(['tags'], 'array', 'string'),
      values: [{ kind: 'value', type: 'string', value: 't' }],
    });
    expect(w.arrayContainsAny('tags', ['a', 'b'])).toMatchObject({
      values: [{ value: 'a' }, { value: 'b' }],
    });
  });

  it('composition: and, or, not, constants', () => {
    const a = w.eq('name', 'a');
    const b = w.eq('name', 'b');
    expect(w.and(a, b)).toEqual({ kind: 'and', operands: [a, b] });
    expect(w.or(a, w.not(b))).toEqual({ kind: 'or', operands: [a, { kind: 'not', operand: b }] });
    expect(w.always()).toEqual({ kind: 'const', value: true });
    expect(w.never()).toEqual({ kind: 'const', value: false });
    expect(() => w.and({} as never)).toThrow(InvalidValueError);
  });

  it('rejects operators that do not fit the field type', () => {
    expect(() => w.lt('active', true as never)).toThrow(UnsupportedOperatorError);
    expect(() => w.startsWith('score' as never, 'x')).toThrow(UnsupportedOperatorError);
    expect(() => w.startsWith('createdAt' as never, '2020')).toThrow(UnsupportedOperatorError);
    expect(() => w.arrayContains('name' as never, 'x' as never)).toThrow(UnsupportedOperatorError);
    expect(() => w.eq('tags' as never, 'x' as never)).toThrow(UnsupportedOperatorError);
    expect(() => w.eq('profile' as never, 'x' as never)).toThrow(UnsupportedOperatorError);
    expect(() => w.eq('score', 1, { ignoreCase: true })).toThrow(/ignoreCase/);
    expect(() => w.like('name', 'abc\\')).toThrow(/escape/);
    expect(() => w.arrayContains('tags', 1 as never)).toThrow(InvalidValueError);
  });

  it('rejects unknown and malformed paths with the field name', () => {
    const err = (() => {
      try {
        w.eq('nope' as never, 'x' as never);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UnknownFieldError);
    expect(err).toBeInstanceOf(SpecificationError);
    expect(err).toMatchObject({ code: 'UNKNOWN_FIELD', field: 'nope' });
    expect(() => w.eq('profile.nope' as never, 'x' as never)).toThrow(UnknownFieldError);
    expect(() => w.isNull('a..b' as never)).toThrow(UnknownFieldError);
    expect(() => w.isNull('constructor' as never)).toThrow(/forbidden/);
    expect(() => w.isNull('__proto__.x' as never)).toThrow(/forbidden/);
  });

  it('without a schema, paths are only syntax-checked and values typed by their JS type', () => {
    const u = predicates<{ id: string; n: number; nested: { s: string } }>();
    expect(u.eq('n', 1)).toMatchObject({ field: { type: null }, value: { type: 'number' } });
    expect(u.eq('nested.s', new Date(0))).toMatchObject({
      value: { type: 'date', value: '1970-01-01T00:00:00.000Z' },
    });
    expect(u.eq('nested.s', 5n)).toMatchObject({ value: { type: 'bigint', value: '5' } });
    expect(() => u.in('n', [1, 'x' as never])).toThrow(/same type/);
    expect(() => u.between('n', 1, 'x' as never)).toThrow(/same type/);
  });
});

describe('Specification builder', () => {
  const base = spec(Account);

  it('an empty spec', () => {
    expect(base.build()).toEqual({
      kind: 'query',
      version: 1,
      entity: 'accounts',
      idField: f(['id'], 'string'),
      where: null,
      orderBy: [],
      after: null,
      skip: 0,
      take: null,
      select: null,
      cache: null,
    });
    expect(spec<{ key: string }>({ id: 'key' }).build()).toMatchObject({
      entity: null,
      idField: f(['key'], null),
    });
  });

  it('is immutable: each method returns a new spec and the AST is frozen', () => {
    const a = base.where((x) => x.eq('name', 'a'));
    const b = a.take(5);
    expect(a.build().take).toBeNull();
    expect(b.build().take).toBe(5);
    expect(base.build().where).toBeNull();
    expect(Object.isFrozen(b.build())).toBe(true);
    expect(Object.isFrozen(a.build().where)).toBe(true);
    expect(a.build()).toBe(a.build()); // memoised
  });

  it('several where calls are ANDed', () => {
    const s = base.where((x) => x.eq('name', 'a')).where(w.gt('score', 1));
    expect(s.build().where).toEqual({
      kind: 'and',
      operands: [w.eq('name', 'a'), w.gt('score', 1)],
    });
  });

  it('orderBy starts an ordering, thenBy extends it', () => {
    const s = base.orderBy('name').thenByDescending('profile.country').thenBy('score', 'asc');
    expect(s.build().orderBy.map((o) => [o.field.path.join('.'), o.direction])).toEqual([
      ['name', 'asc'],
      ['profile.country', 'desc'],
      ['score', 'asc'],
    ]);
    expect(s.orderByDescending('createdAt').build().orderBy).toHaveLength(1);
  });

  it('orderByField validates a field name given as a string', () => {
    const sortParam: string = 'profile.country';
    expect(base.orderByField(sortParam, 'desc').build().orderBy[0]).toMatchObject({
      field: { path: ['profile', 'country'] },
      direction: 'desc',
    });
    expect(base.orderBy('name').orderByField('score', 'asc', true).build().orderBy).toHaveLength(2);
    expect(() => base.orderByField('password')).toThrow(UnknownFieldError);
    expect(() => base.orderByField('tags')).toThrow(UnsupportedOperatorError);
    expect(() => base.orderByField('profile')).toThrow(UnsupportedOperatorError);
    expect(() => base.orderByField('name', 'sideways' as never)).toThrow(InvalidValueError);
  });

  it('skip, take and page', () => {
    expect(base.skip(3).take(4).build()).toMatchObject({ skip: 3, take: 4 });
    expect(base.page(3, 20).build()).toMatchObject({ skip: 40, take: 20 });
    expect(base.take(0).build().take).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => base.skip(bad)).toThrow(InvalidValueError);
      expect(() => base.take(bad)).toThrow(InvalidValueError);
    }
    expect(() => base.page(0, 10)).toThrow(InvalidValueError);
    expect(() => base.page(1, 0)).toThrow(InvalidValueError);
  });

  it('select projects to a subset of fields, typed', () => {
    const s = base.select('id', 'profile.country');
    expect(s.build().select).toEqual([f(['id'], 'string'), f(['profile', 'country'], 'string')]);
    expectTypeOf(s).toEqualTypeOf<ReturnType<typeof base.select<'id' | 'profile.country'>>>();
    expect(() => base.select('nope' as never)).toThrow(UnknownFieldError);
    expect(() => base.select()).toThrow(InvalidValueError);
  });

  it('search groups: terms ORed within a group, groups ANDed, after where', () => {
    const s = base
      .where((x) => x.eq('active', true))
      .search('name', '%ann%', 2)
      .search('name', '%bob%', 1, { ignoreCase: true })
      .search('profile.country', 'N%', 2);
    const where = s.build().where as { kind: string; operands: unknown[] };
    expect(where.kind).toBe('and');
    expect(where.operands).toEqual([
      w.eq('active', true),
      { kind: 'or', operands: [w.like('name', '%bob%', { ignoreCase: true })] },
      { kind: 'or', operands: [w.like('name', '%ann%'), w.like('profile.country', 'N%')] },
    ]);
  });

  it('cache hint is carried but not hashed', () => {
    const s = base.cache({ ttl: 30_000, tags: ['accounts'] });
    expect(s.build().cache).toEqual({ kind: 'cache', ttlMs: 30_000, tags: ['accounts'] });
    expect(s.hash()).toBe(base.hash());
    expect(() => base.cache({ ttl: 0 })).toThrow(InvalidValueError);
    expect(() => base.cache({ ttl: 1, tags: [''] })).toThrow(InvalidValueError);
  });

  it('after sets and clears a keyset', () => {
    const k = {
      kind: 'keyset' as const,
      values: [{ kind: 'value' as const, type: 'string' as const, value: 'a' }],
    };
    expect(base.after(k).build().after).toEqual(k);
    expect(base.after(k).after(null).build().after).toBeNull();
    expect(() => base.after({ kind: 'nope' } as never)).toThrow(InvalidValueError);
  });

  it('toJSON is the AST; fromQuery wraps an AST back into a builder', () => {
    const s = base
      .where((x) => x.eq('name', 'a'))
      .orderBy('name')
      .take(2);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s.build());
    const again = fromQuery<AccountT>(s.build(), Account);
    expect(again.build()).toEqual(s.build());
    expect(again.skip(1).build().skip).toBe(1);
    expect(again.entity).toBe(Account);
  });

  it('type-checks paths and operand types', () => {
    // These lines only need to compile (or fail to): the assertions are the @ts-expect-error markers.
    const t = () => {
      base.where((x) => x.eq('profile.country', 'NL'));
      base.where((x) => x.gt('createdAt', new Date()));
      base.where((x) => x.gt('balance', 10n));
      base.where((x) => x.arrayContains('tags', 'x'));
      // @ts-expect-error unknown path
      base.where((x) => x.eq('profile.nope', 'NL'));
      // @ts-expect-error number operand on a string field
      base.where((x) => x.eq('name', 1));
      // @ts-expect-error string operator on a number field
      base.where((x) => x.startsWith('score', 'x'));
      // @ts-expect-error arrays are not orderable
      base.orderBy('tags');
      // @ts-expect-error objects are not comparable
      base.where((x) => x.eq('profile', 'x'));
      // @ts-expect-error element type
      base.where((x) => x.arrayContains('tags', 1));
    };
    expect(typeof t).toBe('function');
  });
});
