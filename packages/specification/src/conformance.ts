/**
 * The semantics table as executable data. Each case is one row of the README table: a spec over
 * the `Probe` entity and the answer every backend must give on `probeRows`. The in-memory evaluator
 * is tested against it here; the PostgreSQL and Cosmos DB adapters load `probeRows`, run each case
 * through their compiler and compare. Rows only hold schema-valid data, which is all a typed store
 * can hold.
 */
import type { Specification } from './builder.js';
import { entity, field, type Infer } from './schema.js';

/**
 * The entity every conformance case queries: every field type, optional and nullable fields, and a
 * nested object.
 */
export const Probe = entity(
  'probes',
  {
    /** The row id (`p01` ...). */
    id: field.string(),
    /**
     * A string that can be missing or null; the rows hold case, accent and code point corner cases.
     */
    name: field.string().optional().nullable(),
    /** A number that can be missing or null. */
    score: field.number().optional().nullable(),
    /** A boolean that can be missing. */
    active: field.boolean().optional(),
    /** A date that can be missing. */
    at: field.date().optional(),
    /** A bigint that can be missing, some beyond 2^53. */
    amount: field.bigint().optional(),
    /** An array of strings that can be missing. */
    tags: field.array(field.string()).optional(),
    /** A nested object that can be missing or null. */
    meta: field
      .object({
        /** A string inside the object, which can be missing. */
        city: field.string().optional(),
      })
      .optional()
      .nullable(),
  },
  { id: 'id' },
);
/** The type of a {@link Probe} row. */
export type ProbeT = Infer<typeof Probe>;

/** Missing properties are really missing (not `undefined`-valued). */
export const probeRows: readonly ProbeT[] = Object.freeze([
  {
    id: 'p01',
    name: 'alpha',
    score: 10,
    active: true,
    at: '2020-01-01T00:00:00.000Z',
    amount: '5',
    tags: ['a', 'b'],
    meta: { city: 'Oslo' },
  },
  {
    id: 'p02',
    name: 'Alpha',
    score: 2,
    active: false,
    at: '2021-06-01T00:00:00.000Z',
    amount: '10',
    tags: ['b'],
    meta: { city: 'oslo' },
  },
  { id: 'p03', name: 'beta', score: null, amount: '-3', tags: [], meta: null },
  { id: 'p04', score: 10, active: true, amount: '99999999999999999999', meta: {} },
  { id: 'p05', name: null, score: -1.5, at: '2019-12-31T23:59:59.999Z' },
  { id: 'p06', name: '\u00e9', score: 0 },
  { id: 'p07', name: '\u00c9' },
  { id: 'p08', name: '\uff21' },
  { id: 'p09', name: '\u{1f600}' },
  { id: 'p10', name: 'a%b_c', tags: ['%'] },
  { id: 'p11', name: 'zeta', score: 10 },
  { id: 'p12', name: '', score: 3 },
]);

/** The answer a conformance case expects: result ids, a count, an `any`, or projected items. */
export type ConformanceExpectation =
  | {
      /** Ids of the result rows, in result order. */
      readonly ids: readonly string[];
    }
  | {
      /** `count(spec)`. */
      readonly count: number;
    }
  | {
      /** `any(spec)`. */
      readonly any: boolean;
    }
  | {
      /** The projected result items, in order. */
      readonly items: readonly unknown[];
    };

/**
 * One row of the semantics table: a spec over {@link Probe} and the answer every backend must give
 * on {@link probeRows}.
 */
export interface ConformanceCase {
  /** Stable id, referenced by the README table (S1, S2, ...). */
  readonly id: string;
  /** The rule the case checks, in words. */
  readonly rule: string;
  /** Builds the case's spec from a base spec over {@link Probe}. */
  readonly spec: (base: Specification<ProbeT>) => Specification<ProbeT, unknown>;
  /** The answer. */
  readonly expect: ConformanceExpectation;
}

const ALL = probeRows.map((r) => r.id);
const without = (...ids: string[]): string[] => ALL.filter((id) => !ids.includes(id));

/**
 * Every case of the semantics table (S1, S2, ...), for backends to run against {@link probeRows}.
 */
export const conformanceCases: readonly ConformanceCase[] = [
  {
    id: 'S1',
    rule: 'isNull is true for missing and for null',
    spec: (s) => s.where((w) => w.isNull('name')),
    expect: { ids: ['p04', 'p05'] },
  },
  {
    id: 'S2',
    rule: 'exists/isDefined is true only when present and not null',
    spec: (s) => s.where((w) => w.exists('name')),
    expect: { ids: without('p04', 'p05') },
  },
  {
    id: 'S3',
    rule: 'a comparison with an absent value is UNKNOWN, so ne excludes absent rows',
    spec: (s) => s.where((w) => w.ne('name', 'alpha')),
    expect: { ids: without('p01', 'p04', 'p05') },
  },
  {
    id: 'S4',
    rule: 'not(UNKNOWN) is UNKNOWN (three-valued logic), so not(eq) equals ne',
    spec: (s) => s.where((w) => w.not(w.eq('name', 'alpha'))),
    expect: { ids: without('p01', 'p04', 'p05') },
  },
  {
    id: 'S5',
    rule: 'TRUE or UNKNOWN is TRUE; absent rows are reached with isNull',
    spec: (s) => s.where((w) => w.or(w.eq('name', 'alpha'), w.isNull('name'))),
    expect: { ids: ['p01', 'p04', 'p05'] },
  },
  {
    id: 'S6',
    rule: 'FALSE and UNKNOWN is FALSE, so not(and(...)) of it is TRUE',
    spec: (s) => s.where((w) => w.not(w.and(w.eq('score', 999), w.eq('name', 'x')))),
    expect: { ids: ALL },
  },
  {
    id: 'S7',
    rule: 'strings order by Unicode code point (UTF-8 bytes); absent sorts first ascending',
    spec: (s) => s.orderBy('name'),
    expect: {
      ids: ['p04', 'p05', 'p12', 'p02', 'p10', 'p01', 'p03', 'p11', 'p07', 'p06', 'p08', 'p09'],
    },
  },
  {
    id: 'S8',
    rule: 'descending reverses values; absent sorts last descending; ties still by id ascending',
    spec: (s) => s.orderBy('name', 'desc'),
    expect: {
      ids: ['p09', 'p08', 'p06', 'p07', 'p11', 'p03', 'p01', 'p10', 'p02', 'p12', 'p04', 'p05'],
    },
  },
  {
    id: 'S9',
    rule: 'range comparisons on strings use code point order (U+1F600 > U+FF21, unlike UTF-16)',
    spec: (s) => s.where((w) => w.gt('name', '\uff21')),
    expect: { ids: ['p09'] },
  },
  {
    id: 'S10',
    rule: 'id ascending breaks ties after every order, in both directions',
    spec: (s) => s.orderBy('score', 'desc'),
    expect: {
      ids: ['p01', 'p04', 'p11', 'p12', 'p02', 'p06', 'p05', 'p03', 'p07', 'p08', 'p09', 'p10'],
    },
  },
  {
    id: 'S11',
    rule: 'numbers order numerically; absent first ascending',
    spec: (s) => s.orderBy('score'),
    expect: {
      ids: ['p03', 'p07', 'p08', 'p09', 'p10', 'p05', 'p06', 'p02', 'p12', 'p01', 'p04', 'p11'],
    },
  },
  {
    id: 'S12',
    rule: 'bigint fields compare numerically, not as strings',
    spec: (s) => s.where((w) => w.gt('amount', 9n)),
    expect: { ids: ['p02', 'p04'] },
  },
  {
    id: 'S13',
    rule: 'bigint fields order numerically',
    spec: (s) => s.where((w) => w.exists('amount')).orderBy('amount'),
    expect: { ids: ['p03', 'p01', 'p02', 'p04'] },
  },
  {
    id: 'S14',
    rule: 'dates are ISO strings compared chronologically',
    spec: (s) => s.where((w) => w.lt('at', new Date('2020-01-01T00:00:00.000Z'))),
    expect: { ids: ['p05'] },
  },
  {
    id: 'S15',
    rule: 'dates order chronologically',
    spec: (s) => s.where((w) => w.exists('at')).orderBy('at', 'desc'),
    expect: { ids: ['p02', 'p01', 'p05'] },
  },
  {
    id: 'S16',
    rule: 'ignoreCase folds ASCII letters only',
    spec: (s) => s.where((w) => w.eq('name', 'ALPHA', { ignoreCase: true })),
    expect: { ids: ['p01', 'p02'] },
  },
  {
    id: 'S17',
    rule: 'ignoreCase does not fold non-ASCII letters (é is not É)',
    spec: (s) => s.where((w) => w.eq('name', '\u00e9', { ignoreCase: true })),
    expect: { ids: ['p06'] },
  },
  {
    id: 'S18',
    rule: 'startsWith with ignoreCase',
    spec: (s) => s.where((w) => w.startsWith('name', 'a', { ignoreCase: true })),
    expect: { ids: ['p01', 'p02', 'p10'] },
  },
  {
    id: 'S19',
    rule: 'string comparisons are case-sensitive by default',
    spec: (s) => s.where((w) => w.startsWith('name', 'a')),
    expect: { ids: ['p01', 'p10'] },
  },
  {
    id: 'S20',
    rule: 'contains and endsWith are substring tests',
    spec: (s) => s.where((w) => w.or(w.contains('name', 'ph'), w.endsWith('name', 'ta'))),
    expect: { ids: ['p01', 'p02', 'p03', 'p11'] },
  },
  {
    id: 'S21',
    rule: 'LIKE: _ matches exactly one code point (an astral character counts once)',
    spec: (s) => s.where((w) => w.like('name', '_')),
    expect: { ids: ['p06', 'p07', 'p08', 'p09'] },
  },
  {
    id: 'S22',
    rule: 'LIKE: backslash escapes % and _',
    spec: (s) => s.where((w) => w.like('name', 'a\\%b\\_%')),
    expect: { ids: ['p10'] },
  },
  {
    id: 'S23',
    rule: 'LIKE: % matches any run, including empty; case-sensitive',
    spec: (s) => s.where((w) => w.like('name', '%lph%')),
    expect: { ids: ['p01', 'p02'] },
  },
  {
    id: 'S24',
    rule: 'in [] is FALSE for every row',
    spec: (s) => s.where((w) => w.in('name', [])),
    expect: { ids: [] },
  },
  {
    id: 'S25',
    rule: 'notIn [] is TRUE for every row, absent ones included',
    spec: (s) => s.where((w) => w.notIn('name', [])),
    expect: { ids: ALL },
  },
  {
    id: 'S26',
    rule: 'notIn is the AND of ne, so it excludes absent rows',
    spec: (s) => s.where((w) => w.notIn('name', ['alpha', 'beta'])),
    expect: { ids: without('p01', 'p03', 'p04', 'p05') },
  },
  {
    id: 'S27',
    rule: 'between is inclusive at both ends',
    spec: (s) => s.where((w) => w.between('score', 2, 10)),
    expect: { ids: ['p01', 'p02', 'p04', 'p11', 'p12'] },
  },
  {
    id: 'S28',
    rule: 'arrayContains tests membership',
    spec: (s) => s.where((w) => w.arrayContains('tags', 'b')),
    expect: { ids: ['p01', 'p02'] },
  },
  {
    id: 'S29',
    rule: 'arrayContainsAny is TRUE when any value is an element',
    spec: (s) => s.where((w) => w.arrayContainsAny('tags', ['a', '%'])),
    expect: { ids: ['p01', 'p10'] },
  },
  {
    id: 'S30',
    rule: 'arrayContainsAny [] is FALSE for every row',
    spec: (s) => s.where((w) => w.not(w.arrayContainsAny('tags', []))),
    expect: { ids: ALL },
  },
  {
    id: 'S41',
    rule: 'not(arrayContains) is UNKNOWN, so excluded, where the array is absent',
    spec: (s) => s.where((w) => w.not(w.arrayContains('tags', 'b'))),
    expect: { ids: ['p03', 'p10'] },
  },
  {
    id: 'S31',
    rule: 'a nested field is absent when it or any parent is missing or null',
    spec: (s) => s.where((w) => w.isNull('meta.city')),
    expect: { ids: without('p01', 'p02') },
  },
  {
    id: 'S32',
    rule: 'an empty object is present',
    spec: (s) => s.where((w) => w.exists('meta')),
    expect: { ids: ['p01', 'p02', 'p04'] },
  },
  {
    id: 'S33',
    rule: 'ne on booleans excludes absent rows',
    spec: (s) => s.where((w) => w.ne('active', true)),
    expect: { ids: ['p02'] },
  },
  {
    id: 'S34',
    rule: 'skip/take apply after ordering',
    spec: (s) => s.orderBy('score', 'desc').skip(1).take(2),
    expect: { ids: ['p04', 'p11'] },
  },
  {
    id: 'S35',
    rule: 'count ignores ordering, skip and take',
    spec: (s) =>
      s
        .where((w) => w.eq('score', 10))
        .orderBy('name')
        .skip(2)
        .take(1),
    expect: { count: 3 },
  },
  {
    id: 'S36',
    rule: 'any ignores skip and take',
    spec: (s) =>
      s
        .where((w) => w.eq('score', 10))
        .skip(5)
        .take(0),
    expect: { any: true },
  },
  {
    id: 'S37',
    rule: 'projection keeps only the selected paths (with their parents); missing stays missing, null stays null',
    spec: (s) =>
      s.where((w) => w.in('id', ['p01', 'p03', 'p05'])).select('id', 'meta.city', 'name'),
    expect: {
      items: [
        { id: 'p01', name: 'alpha', meta: { city: 'Oslo' } },
        { id: 'p03', name: 'beta' },
        { id: 'p05', name: null },
      ],
    },
  },
  {
    id: 'S38',
    rule: 'search: terms in a group are ORed, groups are ANDed',
    spec: (s) =>
      s.search('name', '%lpha', 1).search('name', 'zeta', 1).search('meta.city', 'O%', 2),
    expect: { ids: ['p01'] },
  },
  {
    id: 'S39',
    rule: 'the empty string is a present value, not absent',
    spec: (s) => s.where((w) => w.eq('name', '')),
    expect: { ids: ['p12'] },
  },
  {
    id: 'S40',
    rule: 'ordering by several keys, mixed directions',
    spec: (s) =>
      s
        .where((w) => w.exists('score'))
        .orderBy('score', 'desc')
        .thenBy('name', 'desc'),
    expect: { ids: ['p11', 'p01', 'p04', 'p12', 'p02', 'p06', 'p05'] },
  },
];
