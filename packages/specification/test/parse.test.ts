import {
  ForbiddenKeyError,
  fromJSON,
  InvalidSpecificationError,
  InvalidValueError,
  LimitExceededError,
  Probe,
  SpecificationError,
  spec,
  UnknownFieldError,
  UnsupportedOperatorError,
  UnsupportedVersionError,
} from '@mystira/specification';
import { describe, expect, it } from 'vitest';

const good = spec(Probe)
  .where((w) =>
    w.and(
      w.eq('name', 'alpha', { ignoreCase: true }),
      w.or(w.gt('score', 1), w.isNull('score')),
      w.not(w.arrayContains('tags', 'x')),
      w.between('at', '2020-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'),
      w.in('amount', ['1', '2']),
      w.like('meta.city', 'O%'),
    ),
  )
  .orderBy('score', 'desc')
  .thenBy('name')
  .skip(10)
  .take(20)
  .select('id', 'name')
  .cache({ ttl: 1000, tags: ['probes'] });

/** The good spec as mutable JSON, for surgical corruption. */
// biome-ignore lint/suspicious/noExplicitAny: tests corrupt arbitrary nested parts of the JSON
function json(): Record<string, any> {
  return JSON.parse(JSON.stringify(good));
}

function rejects(
  input: unknown,
  type: new (...a: never[]) => SpecificationError,
  path?: string,
  options = {},
) {
  let caught: unknown;
  try {
    fromJSON(input, Probe, options);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  expect(caught).toBeInstanceOf(SpecificationError);
  if (path !== undefined) expect((caught as SpecificationError).path).toBe(path);
  return caught as SpecificationError;
}

describe('fromJSON accepts what the builder makes', () => {
  it('from a string or a parsed value, equal to the built AST', () => {
    expect(fromJSON(JSON.stringify(good), Probe)).toEqual(good.build());
    expect(fromJSON(json(), Probe)).toEqual(good.build());
    expect(Object.isFrozen(fromJSON(json(), Probe).where)).toBe(true);
  });

  it('fills optional parts: types, ignoreCase, paging', () => {
    /** The least JSON a client may send for `field op value`: no types, ignoreCase or paging. */
    const minimal = (op: string, field: string, value: unknown) => ({
      kind: 'query',
      version: 1,
      where: {
        kind: 'compare',
        op,
        field: { kind: 'field', path: [field] },
        value: { kind: 'value', value },
      },
    });
    expect(fromJSON(minimal('eq', 'name', 'x'), Probe)).toEqual(
      spec(Probe)
        .where((w) => w.eq('name', 'x'))
        .build(),
    );
    const bigint = minimal('gt', 'amount', '5');
    expect(fromJSON(bigint, Probe).where).toMatchObject({ value: { type: 'bigint', value: '5' } });
  });
});

describe('fromJSON rejects', () => {
  it('invalid JSON and non-objects', () => {
    rejects('{not json', InvalidSpecificationError, '');
    rejects(null, InvalidSpecificationError, '');
    rejects([], InvalidSpecificationError, '');
    rejects('"query"', InvalidSpecificationError, '');
  });

  it('other versions and kinds', () => {
    rejects({ ...json(), version: 2 }, UnsupportedVersionError, '/version');
    rejects({ ...json(), kind: 'mutation' }, InvalidSpecificationError, '/kind');
    rejects({ ...json(), entity: 'accounts' }, InvalidSpecificationError, '/entity');
  });

  it('unexpected and missing keys', () => {
    rejects({ ...json(), extra: 1 }, InvalidSpecificationError, '/extra');
    const j = json();
    j.where.operands[0].sql = 'DROP TABLE';
    rejects(j, InvalidSpecificationError, '/where/operands/0/sql');
    const k = json();
    delete k.where.operands[0].value;
    rejects(k, InvalidSpecificationError, '/where/operands/0');
  });

  it('unknown fields, with the field name', () => {
    const j = json();
    j.where.operands[0].field.path = ['password'];
    const e = rejects(j, UnknownFieldError, '/where/operands/0/field/path');
    expect(e.field).toBe('password');
    const k = json();
    k.orderBy[0].field.path = ['meta', 'secret'];
    rejects(k, UnknownFieldError, '/orderBy/0/field/path');
    const s = json();
    s.select[0].path = ['x y'];
    rejects(s, UnknownFieldError);
    const n = json();
    n.where.operands[0].field.path = [1];
    rejects(n, UnknownFieldError);
  });

  it('fields outside a whitelist', () => {
    rejects(json(), UnknownFieldError, undefined, { fields: ['name', 'score'] });
    expect(() =>
      fromJSON(
        JSON.stringify(
          spec(Probe)
            .where((w) => w.eq('name', 'x'))
            .orderBy('score'),
        ),
        Probe,
        { fields: ['id', 'name', 'score'] },
      ),
    ).not.toThrow();
    // The id tiebreaker travels in every serialized spec and is not subject to the whitelist.
    expect(() =>
      fromJSON(JSON.stringify(spec(Probe).where((w) => w.eq('name', 'x'))), Probe, {
        fields: ['name'],
      }),
    ).not.toThrow();
  });

  it('a declared type that does not match the schema', () => {
    const j = json();
    j.where.operands[0].field.type = 'number';
    rejects(j, InvalidSpecificationError, '/where/operands/0/field/type');
    const k = json();
    k.where.operands[0].value.type = 'number';
    rejects(k, InvalidValueError, '/where/operands/0/value/type');
  });

  it('unknown operators and kinds', () => {
    const j = json();
    j.where.operands[0].op = 'regex';
    rejects(j, UnsupportedOperatorError, '/where/operands/0/op');
    const k = json();
    k.where.operands[0].kind = 'eval';
    rejects(k, UnsupportedOperatorError, '/where/operands/0/kind');
    const o = json();
    o.orderBy[0].direction = 'random';
    rejects(o, InvalidSpecificationError, '/orderBy/0/direction');
  });

  it('operators outside a whitelist', () => {
    rejects(json(), UnsupportedOperatorError, undefined, {
      operators: ['eq', 'and', 'or', 'gt', 'isNull'],
    });
  });

  it('operators that do not fit the field type', () => {
    const j = json();
    j.where.operands[5] = {
      kind: 'like',
      field: { kind: 'field', path: ['score'] },
      pattern: '1%',
    };
    rejects(j, UnsupportedOperatorError, '/where/operands/5');
    const k = json();
    k.where.operands[0] = {
      kind: 'compare',
      op: 'lt',
      field: { kind: 'field', path: ['active'] },
      value: { kind: 'value', value: true },
    };
    rejects(k, UnsupportedOperatorError);
    const o = json();
    o.orderBy[0].field = { kind: 'field', path: ['tags'] };
    rejects(o, UnsupportedOperatorError, '/orderBy/0/field');
    const i = json();
    i.where.operands[1].operands[0].ignoreCase = true;
    rejects(i, UnsupportedOperatorError);
  });

  it('values that do not fit the field type', () => {
    const cases: [number, unknown][] = [
      [0, 5],
      [0, null],
      [0, { $gt: '' }],
    ];
    for (const [i, v] of cases) {
      const j = json();
      j.where.operands[i].value.value = v;
      rejects(j, InvalidValueError, `/where/operands/${i}/value/value`);
    }
    const d = json();
    d.where.operands[3].low.value = '2020-01-01';
    rejects(d, InvalidValueError, '/where/operands/3/low/value');
    const b = json();
    b.where.operands[4].values[0].value = '1e3';
    rejects(b, InvalidValueError);
    const m = json();
    m.where.operands[4].values[1] = { kind: 'value', value: 2 };
    rejects(m, InvalidValueError);
    const l = json();
    l.where.operands[5].pattern = 'abc\\';
    rejects(l, InvalidValueError, '/where/operands/5/pattern');
    const c = json();
    c.where.operands[0] = { kind: 'const', value: 'yes' };
    rejects(c, InvalidSpecificationError);
    for (const take of [-1, 1.5, '10']) rejects({ ...json(), take }, InvalidValueError, '/take');
  });

  it('oversize input', () => {
    rejects(JSON.stringify(good), LimitExceededError, '', { maxBytes: 100 });
    const j = json();
    j.where.operands[4].values = Array.from({ length: 101 }, (_, i) => ({
      kind: 'value',
      value: String(i),
    }));
    expect((rejects(j, LimitExceededError) as LimitExceededError).limit).toBe('maxListLength');
    const s = json();
    s.where.operands[0].value.value = 'x'.repeat(1025);
    rejects(s, LimitExceededError);
    rejects({ ...json(), take: 1001 }, LimitExceededError, '/take');
    rejects({ ...json(), skip: 100_001 }, LimitExceededError, '/skip');
    const wide = {
      kind: 'query',
      version: 1,
      where: {
        kind: 'or',
        operands: Array.from({ length: 300 }, () => ({ kind: 'const', value: false })),
      },
    };
    expect((rejects(wide, LimitExceededError) as LimitExceededError).limit).toBe('maxNodes');
    const o = json();
    o.orderBy = Array.from({ length: 9 }, () => o.orderBy[0]);
    rejects(o, LimitExceededError, '/orderBy');
  });

  it('deep trees, without overflowing the stack', () => {
    let deep: unknown = { kind: 'const', value: true };
    for (let i = 0; i < 100_000; i++) deep = { kind: 'not', operand: deep };
    const e = rejects(
      { kind: 'query', version: 1, where: deep },
      LimitExceededError,
    ) as LimitExceededError;
    expect(e.limit).toBe('maxDepth');
    let ok: unknown = { kind: 'const', value: true };
    for (let i = 0; i < 11; i++) ok = { kind: 'not', operand: ok };
    expect(() => fromJSON({ kind: 'query', version: 1, where: ok }, Probe)).not.toThrow();
    const deepString = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    rejects(deepString, LimitExceededError, '', {}); // over maxBytes before JSON.parse sees it
  });

  it('prototype-pollution keys anywhere', () => {
    const inputs = [
      '{"kind":"query","version":1,"__proto__":{"polluted":true}}',
      '{"kind":"query","version":1,"constructor":{"prototype":{"polluted":true}}}',
      '{"kind":"query","version":1,"where":{"kind":"isNull","field":{"kind":"field","path":["name"],"__proto__":{}}}}',
      '{"kind":"query","version":1,"where":{"kind":"isNull","field":{"kind":"field","path":["__proto__"]}}}',
      '{"kind":"query","version":1,"where":{"kind":"isNull","field":{"kind":"field","path":["prototype"]}}}',
      '{"kind":"query","version":1,"where":{"kind":"zzz","prototype":1}}',
      '{"kind":"query","version":1,"cache":{"kind":"cache","ttlMs":1,"tags":[],"__proto__":null}}',
    ];
    for (const input of inputs) {
      rejects(input, ForbiddenKeyError);
      rejects(JSON.parse(input), ForbiddenKeyError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('non-plain objects', () => {
    class Evil {
      kind = 'query';
      version = 1;
    }
    rejects(new Evil(), InvalidSpecificationError, '');
  });

  it('an empty projection', () => {
    rejects({ ...json(), select: [] }, InvalidSpecificationError, '/select');
  });

  it('cache hints when they are not allowed', () => {
    rejects(json(), UnsupportedOperatorError, '/cache', { allowCacheHint: false });
  });

  it('a keyset that does not fit the order', () => {
    const j = { ...json(), after: { kind: 'keyset', values: [null] } };
    rejects(j, InvalidSpecificationError, '/after/values');
    const ok = {
      ...json(),
      after: {
        kind: 'keyset',
        values: [{ kind: 'value', value: 1 }, null, { kind: 'value', value: 'p01' }],
      },
    };
    expect(fromJSON(ok, Probe).after?.values).toHaveLength(3);
    const bad = {
      ...json(),
      after: {
        kind: 'keyset',
        values: [{ kind: 'value', value: 'x' }, null, { kind: 'value', value: 'p01' }],
      },
    };
    rejects(bad, InvalidValueError);
  });
});
