/** Shared entity, data and spec generators for the property tests. */
import {
  entity,
  field,
  type Infer,
  type Predicate,
  predicates,
  type Specification,
  spec,
} from '@mystira/specification';
import fc from 'fast-check';

export const Thing = entity(
  'things',
  {
    id: field.string(),
    s: field.string().optional().nullable(),
    n: field.number().optional().nullable(),
    b: field.boolean().optional(),
    d: field.date().optional(),
    big: field.bigint().optional(),
    tags: field.array(field.string()).optional(),
    o: field
      .object({ x: field.string().optional(), k: field.number().optional() })
      .optional()
      .nullable(),
  },
  { id: 'id' },
);
export type ThingT = Infer<typeof Thing>;

/** Characters chosen to hit every trap: case, non-ASCII case, BMP above surrogates, astral, wildcards. */
const CHARS = ['a', 'A', 'b', 'B', 'é', 'É', '\uFF21', '\uE000', '😀', '𝔸', '%', '_', '\\', ' '];
export const str = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 4 });
export const num = fc.constantFrom(-1, 0, 0.5, 1, 2, 1e21, -1e-7);
export const dates = fc.constantFrom(
  '1999-12-31T23:59:59.999Z',
  '2020-01-01T00:00:00.000Z',
  '2020-01-01T00:00:00.001Z',
  '2024-02-29T12:00:00.000Z',
);
export const bigs = fc.constantFrom(
  '-100',
  '-5',
  '0',
  '5',
  '10',
  '99',
  '100',
  '99999999999999999999',
  '-99999999999999999999',
);

/** A value that violates the schema, to exercise cross-type rules. */
const dirty = fc.constantFrom<unknown>(7, 'x', true, ['a'], { y: 1 }, Number.NaN);

function maybe<T>(arb: fc.Arbitrary<T>, nullable = true): fc.Arbitrary<T | null | undefined> {
  return fc.oneof(
    { arbitrary: arb, weight: 6 },
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.constant(nullable ? null : undefined), weight: 1 },
    { arbitrary: dirty as fc.Arbitrary<T>, weight: 1 },
  );
}

const rawItem = fc.record(
  {
    id: fc.string({
      unit: fc.constantFrom('a', 'B', '😀', '\uFF21', '1'),
      minLength: 1,
      maxLength: 4,
    }),
    s: maybe(str),
    n: maybe(num),
    b: maybe(fc.boolean(), false),
    d: maybe(dates, false),
    big: maybe(bigs, false),
    tags: maybe(fc.array(str, { maxLength: 3 }), false),
    o: maybe(fc.record({ x: maybe(str, false), k: maybe(num, false) }, { requiredKeys: [] })),
  },
  { requiredKeys: ['id'] },
);

/** Items with unique ids; `undefined` properties removed so "missing" really is missing. */
export const items = fc
  .uniqueArray(rawItem, { selector: (i) => i.id, maxLength: 25 })
  .map((arr) => arr.map((i) => JSON.parse(JSON.stringify(i)) as ThingT));

const w = predicates(Thing);
const ic = fc.record({ ignoreCase: fc.boolean() });

const leaf: fc.Arbitrary<Predicate> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte'),
      fc.constantFrom('s', 'o.x', 'id'),
      str,
      ic,
    )
    .map(([op, p, v, o]) => (op === 'eq' || op === 'ne' ? w[op](p, v, o) : w[op as 'lt'](p, v))),
  fc
    .tuple(fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte'), fc.constantFrom('n', 'o.k'), num)
    .map(([op, p, v]) => w[op as 'eq'](p, v)),
  fc.tuple(fc.constantFrom('eq', 'ne'), fc.boolean()).map(([op, v]) => w[op as 'eq']('b', v)),
  fc.tuple(fc.constantFrom('eq', 'ne', 'lt', 'gte'), dates).map(([op, v]) => w[op as 'eq']('d', v)),
  fc
    .tuple(fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte'), bigs)
    .map(([op, v]) => w[op as 'eq']('big', v)),
  fc
    .tuple(fc.constantFrom('in', 'notIn'), fc.array(str, { maxLength: 3 }), ic)
    .map(([op, vs, o]) => w[op as 'in']('s', vs, o)),
  fc
    .tuple(fc.constantFrom('in', 'notIn'), fc.array(num, { maxLength: 3 }))
    .map(([op, vs]) => w[op as 'in']('n', vs)),
  fc
    .tuple(fc.constantFrom('in', 'notIn'), fc.array(bigs, { maxLength: 3 }))
    .map(([op, vs]) => w[op as 'in']('big', vs)),
  fc.tuple(num, num).map(([a, b]) => w.between('n', a, b)),
  fc.tuple(bigs, bigs).map(([a, b]) => w.between('big', a, b)),
  fc.tuple(str, str).map(([a, b]) => w.between('s', a, b)),
  fc
    .tuple(
      fc.constantFrom('isNull', 'exists'),
      fc.constantFrom('s', 'n', 'b', 'o', 'o.x', 'tags', 'big'),
    )
    .map(([op, p]) => w[op as 'isNull'](p as never)),
  fc
    .tuple(
      fc.constantFrom('startsWith', 'endsWith', 'contains', 'like'),
      fc.constantFrom('s', 'o.x'),
      str,
      ic,
    )
    .map(([op, p, v, o]) => {
      if (op !== 'like') return w[op as 'contains'](p, v, o);
      try {
        return w.like(p, v, o);
      } catch {
        return w.like(p, `${v}_`, o); // completes a trailing unfinished escape
      }
    }),
  fc.array(str, { maxLength: 3 }).map((vs) => w.arrayContainsAny('tags', vs)),
  str.map((v) => w.arrayContains('tags', v)),
  fc.constantFrom(w.always(), w.never()),
);

export const predicate: fc.Arbitrary<Predicate> = fc.letrec<{ p: Predicate }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('p'), { maxLength: 3 }).map((ps) => w.and(...ps)),
    fc.array(tie('p'), { maxLength: 3 }).map((ps) => w.or(...ps)),
    tie('p').map((p) => w.not(p)),
  ),
})).p;

const orderKey = fc.tuple(
  fc.constantFrom('s', 'n', 'b', 'd', 'big', 'o.x', 'o.k', 'id'),
  fc.constantFrom('asc', 'desc'),
);

export const specs: fc.Arbitrary<Specification<ThingT>> = fc
  .record({
    where: fc.option(predicate, { nil: undefined }),
    orders: fc.array(orderKey, { maxLength: 3 }),
    skip: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    take: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    select: fc.option(fc.subarray(['id', 's', 'o.x', 'tags'] as const, { minLength: 1 }), {
      nil: undefined,
    }),
  })
  .map((r) => {
    let s = spec(Thing);
    if (r.where) s = s.where(r.where);
    r.orders.forEach(([p, dir], i) => {
      s = i === 0 ? s.orderByField(p, dir) : s.orderByField(p, dir, true);
    });
    if (r.skip !== undefined) s = s.skip(r.skip);
    if (r.take !== undefined) s = s.take(r.take);
    if (r.select) s = s.select(...r.select) as unknown as Specification<ThingT>;
    return s;
  });
