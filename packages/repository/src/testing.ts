/**
 * `@mystira/repository/testing`: the conformance kit. One list of named async cases that any
 * adapter or decorator runs against itself, so "implements `Repository<T>`" means the same thing
 * everywhere: CRUD, optimistic concurrency, every specification feature (answers compared with
 * the specification's in-memory evaluator on the same data), keyset paging under concurrent
 * inserts, large results through `stream`, aborts, and bad input.
 *
 * Runner-agnostic by design: the kit returns plain `{ name, run }` cases and asserts with
 * `node:assert`, so it has no dependency on Vitest (or any runner). Register them yourself:
 *
 * ```ts
 * for (const c of repositoryConformance({ create: (entity) => memoryRepository(entity) })) {
 *   it(c.name, c.run, 30_000);
 * }
 * ```
 *
 * @packageDocumentation
 */
import assert from 'node:assert/strict';
// By package name, not './errors.js': the kit is a separate bundle and must throw/compare the
// very classes the main entry exports.
import {
  AbortedError,
  AlreadyExistsError,
  ConcurrencyError,
  NotFoundError,
  type Repository,
  type RepositoryError,
  ValidationError,
} from '@mystira/repository';
import {
  type EntityDef,
  entity,
  evaluate,
  field,
  type Infer,
  type QueryNode,
  type Specification,
  count as specCount,
  spec as specOf,
} from '@mystira/specification';
import { caseList } from './testing-cases.js';

/**
 * The entity every case uses. Top-level fields are optional or nullable, never both, so the kit
 * also runs against stores that keep fields in typed columns; the nested `profile.city` is both.
 */
export const ConformanceItem = entity(
  'conformance_items',
  {
    /** The item's id. */
    id: field.string(),
    /** The version the repository keeps. */
    version: field.number(),
    /** A required string (sort keys with duplicates, case and Unicode corner cases). */
    name: field.string(),
    /** An optional number. */
    score: field.number().optional(),
    /** A nullable number. */
    rank: field.number().nullable(),
    /** A boolean. */
    active: field.boolean(),
    /** A date. */
    createdAt: field.date(),
    /** A bigint, some beyond 2^53. */
    amount: field.bigint(),
    /** An array of strings. */
    tags: field.array(field.string()),
    /** A nested object. */
    profile: field.object({
      /** A required string inside it. */
      country: field.string(),
      /** A string inside it that can be missing or null. */
      city: field.string().optional().nullable(),
    }),
  },
  { id: 'id', version: 'version' },
);
/** The type of a {@link ConformanceItem}. */
export type ConformanceItemT = Infer<typeof ConformanceItem>;

/** Options of {@link repositoryConformance}. */
export interface ConformanceOptions {
  /**
   * Creates a fresh, EMPTY repository for `entity` (called once per case; cases never share
   * state). For a store, create a new table or clear it here.
   */
  create(entity: EntityDef): Repository<ConformanceItemT> | Promise<Repository<ConformanceItemT>>;
  /** Called after each case with the repository it used. */
  dispose?(repository: Repository<ConformanceItemT>): void | Promise<void>;
  /** Names of cases to leave out (say why in the adapter's README). */
  skip?: readonly string[];
  /** Items written for the `stream` case (default 1200). */
  largeCount?: number;
}

/** One named case of the kit: register `run` as a test under `name`. */
export interface ConformanceCase {
  /** What the case checks, e.g. `spec: keyset paging under concurrent inserts`. */
  readonly name: string;
  /** Runs the case against a fresh repository; rejects (an `AssertionError`) when it fails. */
  readonly run: () => Promise<void>;
}

/**
 * The kit's item type.
 *
 * @inline
 */
type Item = ConformanceItemT;

/** Fixture rows: duplicates in sort keys, unicode (astral, accented, fullwidth), absent values. */
export function fixture(): Item[] {
  const rows: Omit<Item, 'version'>[] = [
    {
      id: 'a01',
      name: 'alpha',
      score: 10,
      rank: 1,
      active: true,
      createdAt: '2020-01-01T00:00:00.000Z',
      amount: '5',
      tags: ['x', 'y'],
      profile: { country: 'NO', city: 'Oslo' },
    },
    {
      id: 'a02',
      name: 'Alpha',
      score: 2,
      rank: null,
      active: false,
      createdAt: '2021-06-01T00:00:00.000Z',
      amount: '10',
      tags: ['y'],
      profile: { country: 'no', city: null },
    },
    {
      id: 'a03',
      name: 'beta',
      rank: 3,
      active: true,
      createdAt: '2019-12-31T23:59:59.999Z',
      amount: '-3',
      tags: [],
      profile: { country: 'SE' },
    },
    {
      id: 'a04',
      name: 'é',
      score: -1.5,
      rank: null,
      active: false,
      createdAt: '2022-02-02T02:02:02.002Z',
      amount: '99999999999999999999',
      tags: ['%'],
      profile: { country: 'FR', city: 'Paris' },
    },
    {
      id: 'a05',
      name: 'É',
      score: 0,
      rank: 2,
      active: true,
      createdAt: '2020-01-01T00:00:00.000Z',
      amount: '0',
      tags: ['x'],
      profile: { country: 'FR', city: 'Lyon' },
    },
    {
      id: 'a06',
      name: '\uff21',
      score: 1e21,
      rank: 5,
      active: true,
      createdAt: '1999-01-01T00:00:00.000Z',
      amount: '-99999999999999999999',
      tags: ['z'],
      profile: { country: 'JP' },
    },
    {
      id: 'a07',
      name: '\u{1f600} smile',
      score: 10,
      rank: null,
      active: false,
      createdAt: '2023-03-03T03:03:03.003Z',
      amount: '7',
      tags: ['x', 'z'],
      profile: { country: 'US', city: 'Austin' },
    },
    {
      id: 'a08',
      name: 'a%b_c',
      score: 3.25,
      rank: 4,
      active: true,
      createdAt: '2020-01-01T00:00:00.001Z',
      amount: '5',
      tags: ['_'],
      profile: { country: 'US', city: null },
    },
    {
      id: 'a09',
      name: 'O\'Brien \\ "q"',
      rank: 6,
      active: false,
      createdAt: '2024-04-04T04:04:04.004Z',
      amount: '12',
      tags: [],
      profile: { country: 'IE', city: 'Cork' },
    },
    {
      id: 'a10',
      name: '',
      score: -0.5,
      rank: null,
      active: true,
      createdAt: '2018-08-08T08:08:08.008Z',
      amount: '1',
      tags: ['y', 'x'],
      profile: { country: 'NO', city: 'Bergen' },
    },
    {
      id: 'a11',
      name: '\ue000 private',
      score: 7,
      rank: 7,
      active: true,
      createdAt: '2021-01-01T00:00:00.000Z',
      amount: '3',
      tags: ['w'],
      profile: { country: 'DE' },
    },
    {
      id: 'a12',
      name: 'zeta',
      score: 10,
      rank: 8,
      active: false,
      createdAt: '2017-07-07T07:07:07.007Z',
      amount: '2',
      tags: ['x'],
      profile: { country: 'NO', city: 'Oslo' },
    },
  ];
  return rows.map((r) => ({ ...r, version: 1 }));
}

function item(id: string, patch: Partial<Item> = {}): Item {
  return {
    id,
    version: 1,
    name: `name ${id}`,
    rank: null,
    active: true,
    createdAt: '2020-01-01T00:00:00.000Z',
    amount: '1',
    tags: [],
    profile: { country: 'NO' },
    ...patch,
  };
}

const S = () => specOf(ConformanceItem);

/** The specs compared against the evaluator; each exercises one or more semantics rules. */
export const conformanceSpecs: readonly {
  /** What the spec exercises. */
  readonly name: string;
  /** Builds the spec. */
  readonly spec: () => Specification<Item, unknown>;
}[] = [
  { name: 'all, id order', spec: () => S() },
  { name: 'eq string', spec: () => S().where((w) => w.eq('name', 'alpha')) },
  {
    name: 'eq ignoreCase (ASCII only)',
    spec: () => S().where((w) => w.eq('name', 'ALPHA', { ignoreCase: true })),
  },
  {
    name: 'eq ignoreCase does not fold é',
    spec: () => S().where((w) => w.eq('name', 'é', { ignoreCase: true })),
  },
  { name: 'ne excludes absent', spec: () => S().where((w) => w.ne('score', 10)) },
  {
    name: 'lt/gt numbers incl. negative and huge',
    spec: () => S().where((w) => w.and(w.gt('score', -1), w.lt('score', 1e22))),
  },
  {
    name: 'lte/gte dates',
    spec: () =>
      S().where((w) =>
        w.and(
          w.gte('createdAt', '2020-01-01T00:00:00.000Z'),
          w.lte('createdAt', '2022-01-01T00:00:00.000Z'),
        ),
      ),
  },
  { name: 'bigint compares numerically', spec: () => S().where((w) => w.gt('amount', '9')) },
  {
    name: 'string order is code point order',
    spec: () => S().where((w) => w.gt('name', '\ue000')),
  },
  {
    name: 'in / notIn',
    spec: () =>
      S().where((w) => w.or(w.in('name', ['alpha', 'beta', 'nope']), w.notIn('rank', [1, 2, 3]))),
  },
  {
    name: 'in ignoreCase',
    spec: () => S().where((w) => w.in('profile.country', ['no', 'fr'], { ignoreCase: true })),
  },
  { name: 'between inclusive', spec: () => S().where((w) => w.between('score', 0, 10)) },
  {
    name: 'isNull: missing and null',
    spec: () => S().where((w) => w.or(w.isNull('score'), w.isNull('rank'))),
  },
  {
    name: 'isNull nested: missing and null',
    spec: () => S().where((w) => w.isNull('profile.city')),
  },
  { name: 'exists nested', spec: () => S().where((w) => w.exists('profile.city')) },
  { name: 'not of unknown stays unknown', spec: () => S().where((w) => w.not(w.eq('rank', 1))) },
  {
    name: 'startsWith / endsWith / contains',
    spec: () =>
      S().where((w) =>
        w.or(w.startsWith('name', 'al'), w.endsWith('name', 'ta'), w.contains('name', '%')),
      ),
  },
  {
    name: 'contains ignoreCase',
    spec: () => S().where((w) => w.contains('name', 'LPH', { ignoreCase: true })),
  },
  {
    name: 'like wildcards and escapes',
    spec: () =>
      S().where((w) =>
        w.or(w.like('name', 'a\\%b\\_c'), w.like('name', '_eta'), w.like('name', '%\\\\%')),
      ),
  },
  {
    name: 'like _ is one code point (astral)',
    spec: () => S().where((w) => w.like('name', '_ smile')),
  },
  {
    name: 'like ignoreCase',
    spec: () => S().where((w) => w.like('name', 'A%', { ignoreCase: true })),
  },
  {
    name: 'arrayContains / arrayContainsAny',
    spec: () =>
      S().where((w) => w.or(w.arrayContains('tags', '%'), w.arrayContainsAny('tags', ['z', 'w']))),
  },
  { name: 'boolean eq', spec: () => S().where((w) => w.eq('active', false)) },
  {
    name: 'and/or/not nested',
    spec: () =>
      S().where((w) =>
        w.and(
          w.or(w.eq('active', true), w.gt('score', 5)),
          w.not(w.in('profile.country', ['US', 'JP'])),
        ),
      ),
  },
  { name: 'order by name asc (code points)', spec: () => S().orderBy('name') },
  { name: 'order by score desc, absent last', spec: () => S().orderByDescending('score') },
  { name: 'order by score asc, absent first', spec: () => S().orderBy('score') },
  {
    name: 'order by nested, then date desc',
    spec: () => S().orderBy('profile.city').thenByDescending('createdAt'),
  },
  { name: 'order by bigint', spec: () => S().orderBy('amount') },
  { name: 'order by boolean then rank', spec: () => S().orderBy('active').thenBy('rank', 'desc') },
  { name: 'skip and take', spec: () => S().orderBy('createdAt').skip(2).take(4) },
  { name: 'take 0', spec: () => S().take(0) },
  {
    name: 'select projection',
    spec: () =>
      S()
        .where((w) => w.exists('profile.city'))
        .orderBy('name')
        .select('name', 'profile.city') as Specification<Item, unknown>,
  },
  {
    name: 'always / never',
    spec: () => S().where((w) => w.or(w.never(), w.and(w.always(), w.eq('active', true)))),
  },
];

/** The paged specifications the cursor-walk case walks. */
const walkedSpecs = () => [
  S().orderBy('score').take(5),
  S().orderByDescending('name').take(3),
  S()
    .where((w) => w.eq('active', true))
    .orderBy('createdAt')
    .take(2),
];

/**
 * Every specification the kit runs: {@link conformanceSpecs} and the paging cases' own. A store
 * that needs an index per ordering (Cosmos DB's composite indexes) creates its indexes from
 * these, and every case finds the one it needs.
 */
export function everyConformanceSpec(): Specification<Item, unknown>[] {
  return [
    ...conformanceSpecs.map((s) => s.spec()),
    ...walkedSpecs(),
    S().orderBy('name').take(3),
    S().orderBy('score').thenByDescending('name'),
  ];
}

async function rejects(
  p: Promise<unknown>,
  type: new (...args: never[]) => Error,
  what: string,
): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(
      err instanceof type,
      `${what}: expected ${type.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`,
    );
    return err;
  }
  assert.fail(`${what}: expected ${type.name}, but it resolved`);
}

const aborted = (): AbortSignal => AbortSignal.abort(new Error('test abort'));

/** The conformance cases, bound to an adapter factory. */
export function repositoryConformance(options: ConformanceOptions): ConformanceCase[] {
  const largeCount = options.largeCount ?? 1200;
  const { cases, define } = caseList(options, ConformanceItem);
  const seed = async (repo: Repository<Item>): Promise<Item[]> => {
    const rows = fixture();
    await repo.addMany(rows);
    return rows;
  };

  // ---- CRUD ------------------------------------------------------------------------------------
  define('crud: add returns version 1 and getById reads it back', async (repo) => {
    const added = await repo.add(item('c1', { version: 42, score: 5 }));
    assert.equal(added.version, 1);
    assert.deepEqual(await repo.getById('c1'), { ...item('c1', { score: 5 }), version: 1 });
    assert.equal(await repo.getById('missing'), undefined);
  });
  define('crud: missing stays missing and null stays null', async (repo) => {
    await repo.add(item('c1', { rank: null, profile: { country: 'NO', city: null } }));
    await repo.add(item('c2', { rank: 3, profile: { country: 'NO' } }));
    const c1 = await repo.getById('c1');
    const c2 = await repo.getById('c2');
    assert.ok(c1 && c2);
    assert.equal(Object.hasOwn(c1, 'score'), false);
    assert.equal(c1.rank, null);
    assert.equal(c1.profile.city, null);
    assert.equal(Object.hasOwn(c2.profile, 'city'), false);
  });
  define('crud: add of an existing id is AlreadyExistsError', async (repo) => {
    await repo.add(item('c1'));
    const err = await rejects(
      repo.add(item('c1', { name: 'other' })),
      AlreadyExistsError,
      'duplicate add',
    );
    assert.equal((err as RepositoryError).code, 'ALREADY_EXISTS');
    assert.equal((await repo.getById('c1'))?.name, 'name c1');
  });
  define('crud: invalid items are ValidationError and not stored', async (repo) => {
    const bad = { ...item('c1'), score: 'high' } as unknown as Item;
    const err = await rejects(repo.add(bad), ValidationError, 'invalid add');
    assert.ok((err as ValidationError).issues.some((i) => i.field === 'score'));
    await rejects(
      repo.add({ ...item('c2'), extra: 1 } as unknown as Item),
      ValidationError,
      'unknown field',
    );
    await rejects(repo.add({ ...item('c3'), createdAt: 'yesterday' }), ValidationError, 'bad date');
    assert.equal(await repo.count(S()), 0);
  });
  define(
    'crud: getMany keeps the order of ids, skips missing, collapses duplicates',
    async (repo) => {
      await seed(repo);
      const got = await repo.getMany(['a03', 'zz', 'a01', 'a03']);
      assert.deepEqual(
        got.map((i) => i.id),
        ['a03', 'a01'],
      );
      assert.deepEqual(await repo.getMany([]), []);
    },
  );
  define('crud: update increments the version', async (repo) => {
    const a = await repo.add(item('c1'));
    const b = await repo.update({ ...a, name: 'renamed' });
    assert.equal(b.version, 2);
    assert.deepEqual(await repo.getById('c1'), { ...a, name: 'renamed', version: 2 });
    const c = await repo.update({ ...b, score: 1 });
    assert.equal(c.version, 3);
  });
  define('crud: update of a missing id is NotFoundError', async (repo) => {
    await rejects(repo.update(item('nope')), NotFoundError, 'update missing');
  });
  define('crud: upsert inserts at version 1, then replaces and increments', async (repo) => {
    assert.equal((await repo.upsert(item('c1'))).version, 1);
    const v2 = await repo.upsert(item('c1', { name: 'again', version: 77 }));
    assert.equal(v2.version, 2);
    assert.equal((await repo.getById('c1'))?.name, 'again');
    assert.equal((await repo.getById('c1'))?.version, 2);
  });
  define('crud: delete removes; deleting a missing id is NotFoundError', async (repo) => {
    await repo.add(item('c1'));
    await repo.delete('c1');
    assert.equal(await repo.getById('c1'), undefined);
    await rejects(repo.delete('c1'), NotFoundError, 'delete missing');
  });
  define('crud: addMany is all or none', async (repo) => {
    await repo.add(item('c2'));
    await rejects(
      repo.addMany([item('c1'), item('c2'), item('c3')]),
      AlreadyExistsError,
      'addMany with existing id',
    );
    assert.equal(await repo.count(S()), 1);
    await rejects(
      repo.addMany([item('c4'), { ...item('c5'), amount: 'x' }]),
      ValidationError,
      'addMany with invalid',
    );
    assert.equal(await repo.count(S()), 1);
    const added = await repo.addMany([item('c6'), item('c7')]);
    assert.deepEqual(
      added.map((i) => i.version),
      [1, 1],
    );
  });
  define('crud: returned items are copies', async (repo) => {
    const a = await repo.add(item('c1', { tags: ['x'] }));
    a.tags.push('mutated');
    const b = await repo.getById('c1');
    assert.deepEqual(b?.tags, ['x']);
    b!.profile.country = 'XX';
    assert.equal((await repo.getById('c1'))?.profile.country, 'NO');
  });

  // ---- Concurrency ------------------------------------------------------------------------------
  define('concurrency: a stale version is ConcurrencyError and changes nothing', async (repo) => {
    const v1 = await repo.add(item('c1'));
    await repo.update({ ...v1, name: 'first' });
    const err = await rejects(
      repo.update({ ...v1, name: 'second' }),
      ConcurrencyError,
      'stale update',
    );
    assert.equal((err as ConcurrencyError).expectedVersion, 1);
    assert.equal((err as ConcurrencyError).actualVersion, 2);
    assert.equal((await repo.getById('c1'))?.name, 'first');
    await rejects(
      repo.update({ ...v1, name: 'third' }, { expectedVersion: 5 }),
      ConcurrencyError,
      'explicit stale',
    );
  });
  define('concurrency: expectedVersion null writes unconditionally', async (repo) => {
    const v1 = await repo.add(item('c1'));
    await repo.update({ ...v1, name: 'first' });
    const forced = await repo.update({ ...v1, name: 'forced' }, { expectedVersion: null });
    assert.equal(forced.version, 3);
  });
  define('concurrency: two writers with the same version, exactly one wins', async (repo) => {
    const v1 = await repo.add(item('c1'));
    const results = await Promise.allSettled(
      ['w1', 'w2', 'w3', 'w4'].map((name) => repo.update({ ...v1, name })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    for (const l of lost)
      assert.ok((l as PromiseRejectedResult).reason instanceof ConcurrencyError);
    const stored = await repo.getById('c1');
    assert.equal(stored?.version, 2);
    assert.equal(stored?.name, (won[0] as PromiseFulfilledResult<Item>).value.name);
  });
  define(
    'concurrency: racing adds of one id, exactly one wins; racing upserts all apply',
    async (repo) => {
      const adds = await Promise.allSettled(
        [1, 2, 3, 4].map((n) => repo.add(item('c1', { name: `a${n}` }))),
      );
      assert.equal(adds.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of adds.filter((x) => x.status === 'rejected') as PromiseRejectedResult[]) {
        assert.ok(r.reason instanceof AlreadyExistsError, `racing add: ${r.reason}`);
      }
      const ups = await Promise.all(
        [1, 2, 3, 4].map((n) => repo.upsert(item('c2', { name: `u${n}` }))),
      );
      assert.deepEqual(ups.map((u) => u.version).sort(), [1, 2, 3, 4]);
      assert.equal((await repo.getById('c2'))?.version, 4);
    },
  );
  define('concurrency: delete with a stale version is ConcurrencyError', async (repo) => {
    const v1 = await repo.add(item('c1'));
    await repo.update(v1);
    await rejects(repo.delete('c1', { expectedVersion: 1 }), ConcurrencyError, 'stale delete');
    await repo.delete('c1', { expectedVersion: 2 });
    assert.equal(await repo.getById('c1'), undefined);
  });

  // ---- Specification features (answers compared with the evaluator) ------------------------------
  define('spec: list, count, any, first agree with the in-memory evaluator', async (repo) => {
    const rows = await seed(repo);
    for (const { name, spec } of conformanceSpecs) {
      const s = spec();
      const expected = evaluate(s as Specification<Item, unknown>, rows);
      assert.deepEqual(await repo.list(s), expected, `list: ${name}`);
      assert.equal(await repo.count(s), specCount(s, rows), `count: ${name}`);
      assert.equal(await repo.any(s), specCount(s, rows) > 0, `any: ${name}`);
      assert.deepEqual(await repo.first(s), expected[0], `first: ${name}`);
    }
  });
  define(
    'spec: single returns the one match, undefined for none, throws for several',
    async (repo) => {
      await seed(repo);
      assert.equal((await repo.single(S().where((w) => w.eq('name', 'beta'))))?.id, 'a03');
      assert.equal(await repo.single(S().where((w) => w.eq('name', 'nobody'))), undefined);
      await assert.rejects(
        repo.single(S().where((w) => w.eq('active', true))),
        (e: Error) => e.name === 'MultipleResultsError',
      );
    },
  );

  // ---- Paging -------------------------------------------------------------------------------------
  define('page: walking the cursors yields list() exactly, with totals', async (repo) => {
    await seed(repo);
    for (const s of walkedSpecs()) {
      const all = await repo.list({ ...s.build(), take: null });
      const total = await repo.count(s);
      const seen: Item[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page: Awaited<ReturnType<typeof repo.page<Item>>> = await repo.page<Item>(s, {
          cursor,
        });
        assert.equal(page.total, total);
        seen.push(...page.items);
        cursor = page.cursor;
        if (cursor === null) break;
      }
      assert.equal(cursor, null);
      assert.deepEqual(seen, all);
    }
  });
  define('page: concurrent inserts never duplicate or skip existing rows', async (repo) => {
    const rows = await seed(repo);
    const s = S().orderBy('name').take(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const page: Awaited<ReturnType<typeof repo.page<Item>>> = await repo.page<Item>(s, {
        cursor,
      });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.cursor;
      // Insert rows that sort before, between and after the current position.
      await repo.add(item(`n${n}a`, { name: '' }));
      await repo.add(item(`n${n}b`, { name: 'm' }));
      await repo.add(item(`n${n}c`, { name: '\u{10ffff}' }));
      n++;
    } while (cursor !== null && n < 30);
    assert.equal(new Set(seen).size, seen.length, 'no row twice');
    for (const r of rows) assert.ok(seen.includes(r.id), `existing row ${r.id} seen`);
  });
  define('page: bad, foreign and missing-take cursors are ValidationError', async (repo) => {
    await seed(repo);
    const s = S().orderBy('name').take(2);
    const first = await repo.page(s);
    assert.ok(first.cursor);
    await rejects(
      repo.page(S().orderBy('score').take(2), { cursor: first.cursor }),
      ValidationError,
      'foreign cursor',
    );
    await rejects(repo.page(s, { cursor: 'garbage' }), ValidationError, 'garbage cursor');
    // One character in the middle changed (the last ones may only carry base64 padding bits, and
    // a fixed replacement can equal the original).
    const at = Math.floor(first.cursor.length / 2);
    const tampered = `${first.cursor.slice(0, at)}${first.cursor[at] === 'A' ? 'B' : 'A'}${first.cursor.slice(at + 1)}`;
    await rejects(repo.page(s, { cursor: tampered }), ValidationError, 'tampered cursor');
    await rejects(repo.page(S().orderBy('name')), ValidationError, 'no take');
    // Same filter and order but a different page size: the cursor still applies.
    const next = await repo.page(S().orderBy('name').take(4), { cursor: first.cursor });
    assert.equal(next.items.length, 4);
  });

  // ---- Large results ------------------------------------------------------------------------------
  define('stream: large results arrive complete and in order', async (repo) => {
    const many = Array.from({ length: largeCount }, (_, i) =>
      item(`s${String(i).padStart(5, '0')}`, {
        score: i % 97,
        name: `n${(i * 7919) % largeCount}`,
      }),
    );
    await repo.addMany(many);
    const s = S().orderBy('score').thenByDescending('name');
    const expected = evaluate(s, many);
    const got: Item[] = [];
    for await (const x of repo.stream(s, { batchSize: 100 })) got.push(x);
    assert.equal(got.length, largeCount);
    assert.deepEqual(got, expected);
    const windowed: Item[] = [];
    for await (const x of repo.stream(s.skip(5).take(250), { batchSize: 64 })) windowed.push(x);
    assert.deepEqual(windowed, expected.slice(5, 255));
  });

  // ---- Aborts -------------------------------------------------------------------------------------
  define('abort: an aborted signal rejects every method with AbortedError', async (repo) => {
    await repo.add(item('c1'));
    const signal = aborted();
    const s = S().take(2);
    await rejects(repo.getById('c1', { signal }), AbortedError, 'getById');
    await rejects(repo.getMany(['c1'], { signal }), AbortedError, 'getMany');
    await rejects(repo.list(s, { signal }), AbortedError, 'list');
    await rejects(repo.first(s, { signal }), AbortedError, 'first');
    await rejects(repo.single(s, { signal }), AbortedError, 'single');
    await rejects(repo.count(s, { signal }), AbortedError, 'count');
    await rejects(repo.any(s, { signal }), AbortedError, 'any');
    await rejects(repo.page(s, { signal }), AbortedError, 'page');
    await rejects(repo.add(item('c2'), { signal }), AbortedError, 'add');
    await rejects(repo.addMany([item('c3')], { signal }), AbortedError, 'addMany');
    await rejects(repo.update(item('c1'), { signal }), AbortedError, 'update');
    await rejects(repo.upsert(item('c1'), { signal }), AbortedError, 'upsert');
    await rejects(repo.delete('c1', { signal }), AbortedError, 'delete');
    const it = repo.stream(s, { signal })[Symbol.asyncIterator]();
    await rejects(it.next(), AbortedError, 'stream');
    assert.deepEqual(
      await repo.getMany(['c1', 'c2', 'c3']).then((r) => r.map((i) => i.version)),
      [1],
    );
  });
  define('abort: aborting mid-stream stops the iteration', async (repo) => {
    await repo.addMany(
      Array.from({ length: 300 }, (_, i) => item(`m${String(i).padStart(4, '0')}`)),
    );
    const ctl = new AbortController();
    let n = 0;
    await rejects(
      (async () => {
        for await (const _ of repo.stream(S(), { batchSize: 50, signal: ctl.signal })) {
          if (++n === 60) ctl.abort(new Error('enough'));
        }
      })(),
      AbortedError,
      'mid-stream abort',
    );
    assert.equal(n, 60);
  });

  // ---- Bad input ----------------------------------------------------------------------------------
  define(
    'bad input: unknown fields, wrong types, foreign entities, bad ids are ValidationError',
    async (repo) => {
      await seed(repo);
      const base = S().build();
      const field = (path: string[]) => ({ kind: 'field' as const, path, type: null });
      const unknownField: QueryNode = {
        ...base,
        where: {
          kind: 'compare',
          op: 'eq',
          field: field(['nope']),
          value: { kind: 'value', type: 'string', value: 'x' },
          ignoreCase: false,
        },
      };
      await rejects(repo.list(unknownField), ValidationError, 'unknown field');
      await rejects(repo.count(unknownField), ValidationError, 'unknown field (count)');
      const injected: QueryNode = {
        ...base,
        orderBy: [{ kind: 'order', field: field(['name"; DROP TABLE x; --']), direction: 'asc' }],
      };
      await rejects(repo.list(injected), ValidationError, 'hostile field name');
      const wrongType: QueryNode = {
        ...base,
        where: {
          kind: 'compare',
          op: 'gt',
          field: field(['score']),
          value: { kind: 'value', type: 'string', value: '1' },
          ignoreCase: false,
        },
      };
      await rejects(repo.list(wrongType), ValidationError, 'string literal on a number field');
      await rejects(
        repo.list({ ...base, entity: 'other' }),
        ValidationError,
        'spec for another entity',
      );
      await rejects(
        repo.getById(42 as unknown as string),
        ValidationError,
        'numeric id on a string-id entity',
      );
      const badLike: QueryNode = {
        ...base,
        where: { kind: 'like', field: field(['name']), pattern: 'abc\\', ignoreCase: false },
      };
      await rejects(
        repo.list(badLike),
        ValidationError,
        'unfinished LIKE escape (raw AST; the builder rejects it earlier)',
      );
      // A schemaless spec with date/bigint strings binds to the declared types.
      const loose = specOf<Item>()
        .where((w) => w.gt('amount' as never, '9' as never))
        .build();
      assert.deepEqual(
        (await repo.list(loose)).map((i) => i.id),
        (await repo.list(S().where((w) => w.gt('amount', '9')))).map((i) => i.id),
      );
    },
  );

  return cases;
}

export { aggregateConformance, aggregateConformanceSpecs } from './testing-aggregates.js';
