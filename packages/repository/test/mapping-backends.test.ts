/**
 * `mapped` over the memory, PostgreSQL and Cosmos DB (in-process server) repositories: the same
 * golden documents (both generations, several .NET date spellings, properties the SDK does not
 * know) and the same mapped specifications give the same items, in the same order, as the
 * specification's own evaluator over the decoded items.
 */
import {
  mapped,
  type Repository,
  runAggregate,
  type StoredDocument,
  UnmappableQueryError,
} from '@mystira/repository';
import { type AggregateSource, type QueryNode, spec } from '@mystira/specification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentDoc, legacyDoc, type Session, Sessions } from './mapping-fixtures.js';
import { type MappingStores, openMappingStores, plain, variantsOf } from './mapping-stores.js';

const current = variantsOf(currentDoc);
const legacy = variantsOf(legacyDoc);

/** Golden documents: what the .NET App wrote, in both generations. */
const golden: StoredDocument[] = [
  current('s01', {}),
  current('s02', {
    Status: 4,
    StartedAt: '2026-02-01T10:00:00.1Z',
    PlayerNames: 'Sam',
    SceneCount: 0,
  }),
  current('s03', {
    Status: 3,
    StartedAt: '2026-02-01T10:00:01Z',
    PlayerNames: 'Samantha,Robin',
    Settings: { Theme: 'dark' },
  }),
  current('s04', { Status: 9, StartedAt: null, PlayerNames: '', Settings: null, IsDeleted: true }),
  current('s05', {
    Status: 1,
    StartedAt: '2026-02-02T08:00:00',
    PlayerNames: 'Ada,Sam,Bo',
    SceneCount: 7,
  }),
  legacy('s06', {}), // legacy 1 = InProgress = Active
  legacy('s07', { Status: 3, StartedAt: '2026-01-15T09:00:00.5Z', Players: 'Sam,Ada' }), // Completed
  legacy('s08', { Status: 4, StartedAt: '2026-02-01T10:00:00.15Z', Players: '' }), // Abandoned
  legacy('s09', {
    Status: 0,
    StartedAt: '2026-02-01T10:00:00.1234567Z',
    Players: 'Robin',
    Settings: { Theme: 'Dark' },
  }),
];

const S = () => spec(Sessions.domain);
const specs: [string, QueryNode][] = [
  ['everything, by scenario descending', S().orderByDescending('scenarioId').build()],
  [
    'status = Active (both numberings)',
    S()
      .where((w) => w.eq('status', 'Active'))
      .build(),
  ],
  [
    'status in (Completed, Pending)',
    S()
      .where((w) => w.in('status', ['Completed', 'Pending']))
      .build(),
  ],
  [
    'status <> Active, by scenario',
    S()
      .where((w) => w.ne('status', 'Active'))
      .orderBy('scenarioId')
      .build(),
  ],
  [
    'an unnamed stored number',
    S()
      .where((w) => w.eq('status', '9'))
      .build(),
  ],
  [
    'players contain Sam (not Samantha)',
    S()
      .where((w) => w.arrayContains('playerNames', 'Sam'))
      .build(),
  ],
  [
    'started in a range (within one second)',
    S()
      .where((w) =>
        w.and(
          w.gte('startedAt', '2026-02-01T10:00:00.100Z'),
          w.lt('startedAt', '2026-02-01T10:00:01.000Z'),
        ),
      )
      .build(),
  ],
  [
    'started at a millisecond (7 stored digits)',
    S()
      .where((w) => w.eq('startedAt', '2026-02-01T10:00:00.123Z'))
      .build(),
  ],
  [
    'theme, ignoring case',
    S()
      .where((w) => w.eq('settings.theme', 'DARK', { ignoreCase: true }))
      .build(),
  ],
  [
    'scene count >= 0 (legacy documents have none: default 0)',
    S()
      .where((w) => w.gte('sceneCount', 0))
      .build(),
  ],
  [
    'not deleted',
    S()
      .where((w) => w.not(w.eq('isDeleted', true)))
      .build(),
  ],
  [
    'paused or played by Ada',
    S()
      .where((w) => w.or(w.eq('status', 'Paused'), w.arrayContains('playerNames', 'Ada')))
      .orderBy('id')
      .build(),
  ],
  ['projection', S().select('id', 'status').orderBy('id', 'desc').build()],
  ['paged', S().orderBy('scenarioId').skip(1).take(3).build()],
  [
    'days, in order (no two in one second)',
    S()
      .where((w) => w.lt('startedAt', '2026-02-01T10:00:00.000Z'))
      .orderBy('startedAt')
      .build(),
  ],
];

/**
 * Aggregates over the same golden documents: enum keys in both numberings (legacy and current
 * documents merge into one group), dates grouped and bucketed on the decoded instant whatever
 * the .NET spelling, a missing property counted as its default (legacy documents have no
 * SceneCount: 0).
 */
const aggregates: [string, AggregateSource][] = [
  ['count', S().count()],
  [
    'count where status = Active',
    S()
      .where((w) => w.eq('status', 'Active'))
      .count(),
  ],
  ['sessions per status', S().groupBy('status').count()],
  [
    'sessions per status per day',
    S()
      .groupBy('status', ['startedAt', 'day'])
      .aggregate((a) => ({ n: a.count(), scenes: a.sum('sceneCount') })),
  ],
  ['per started instant', S().groupBy('startedAt').count()],
  [
    'per month, not deleted',
    S()
      .where((w) => w.eq('isDeleted', false))
      .groupBy(['startedAt', 'month'])
      .count(),
  ],
  [
    'scene counts (defaults included)',
    S()
      .groupBy('scenarioId')
      .aggregate((a) => ({
        n: a.count('sceneCount'),
        total: a.sum('sceneCount'),
        mean: a.avg('sceneCount'),
        least: a.min('sceneCount'),
        most: a.max('sceneCount'),
        lastProfile: a.max('profileId'),
      })),
  ],
  ['distinct status', S().distinct('status')],
  [
    'avg scenes of no rows',
    S()
      .where((w) => w.eq('scenarioId', 'none'))
      .avg('sceneCount'),
  ],
  ['sum scenes', S().sum('sceneCount')],
];

/** Ordered by a date, within one second (see the test that uses it). */
const dateOrder = S()
  .where((w) =>
    w.and(
      w.gte('startedAt', '2026-02-01T10:00:00.000Z'),
      w.lt('startedAt', '2026-02-01T10:00:01.000Z'),
    ),
  )
  .orderBy('startedAt')
  .build();
const walkOrder = S().orderByDescending('scenarioId').take(2).build();

describe('mapped: memory = PostgreSQL = Cosmos DB = the evaluator over decoded items', () => {
  let stores: MappingStores | undefined;
  let reference: Repository<Session>;
  let backends: [string, Repository<StoredDocument>][];

  beforeAll(async () => {
    stores = await openMappingStores('mapping');
    // The composite indexes the mapped specs need (the id tiebreaker makes every order two keys).
    const queries = [...specs.map(([, q]) => q), dateOrder, walkOrder];
    ({ reference, stored: backends } = await stores.load(Sessions, golden, queries));
  }, 60_000);

  afterAll(async () => {
    await stores?.close();
  });

  it.each(specs)('%s', async (_name, query) => {
    const expected = plain(await reference.list(query));
    const expectedCount = await reference.count(query);
    expect(expected.length).toBeGreaterThan(0);
    for (const [name, inner] of backends) {
      const repo = mapped(inner, Sessions);
      expect({ name, items: plain(await repo.list(query)) }).toEqual({ name, items: expected });
      expect({ name, count: await repo.count(query) }).toEqual({ name, count: expectedCount });
    }
  });

  it('keyset pages walk the same items on every backend', async () => {
    const query = walkOrder;
    const walk = async (repo: Repository<Session>) => {
      const out: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Repository<Session>['page']>> = await repo.page(query, {
          cursor,
        });
        out.push(...page.items.map((i) => (i as Session).id));
        cursor = page.cursor;
      } while (cursor);
      return out;
    };
    const expected = await walk(reference);
    expect(expected).toHaveLength(golden.length);
    for (const [name, inner] of backends) {
      expect({ name, ids: await walk(mapped(inner, Sessions)) }).toEqual({ name, ids: expected });
    }
  });

  it('a read-modify-write keeps what the .NET App wrote and the SDK does not know', async () => {
    for (const [name, inner] of backends) {
      const repo = mapped(inner, Sessions);
      const s = (await repo.getById('s01'))!;
      await repo.update({ ...s, status: 'Completed' });
      const doc = (await inner.getById('s01'))!;
      expect({ name, doc }).toMatchObject({
        name,
        doc: {
          Status: 4,
          NewDotnetField: { added: 'by the .NET App later' },
          StartedAt: '2026-02-01T10:00:00.1234567Z',
          $type: 'GameSession',
        },
      });
      await repo.update({ ...s, status: 'Active' });
      const old = (await repo.getById('s06'))!;
      expect(old.status).toBe('Active');
    }
  });

  it("orders a date by its stored .NET text: the backends agree; within one second it is not the instants' order", async () => {
    // s02 .1Z (100 ms), s08 .15Z (150 ms), s09 and s01 .1234567Z (123 ms), all in one second:
    // `Z` sorts after digits, so ".1Z" sorts after ".15Z" and ".1234567Z" (as in the App's own ORDER BY).
    const query = dateOrder;
    expect((await reference.list(query)).map((s) => s.id)).toEqual(['s02', 's01', 's09', 's08']);
    for (const [name, inner] of backends) {
      const ids = (await mapped(inner, Sessions).list(query)).map((s) => s.id);
      expect({ name, ids }).toEqual({ name, ids: ['s01', 's09', 's08', 's02'] });
    }
  });

  it('refuses an unmappable spec where it is built, and a query that arrives built before any backend is asked', async () => {
    expect(() => S().orderBy('startTime')).toThrow(UnmappableQueryError);
    expect(() => S().where((w) => w.arrayContains('playerNames', 'a,b'))).toThrow(
      UnmappableQueryError,
    );
    // A query node that did not come through the builder (e.g. parsed from JSON) is mapped when
    // the call starts.
    const orderedByStartTime = {
      ...S().build(),
      orderBy: [
        {
          kind: 'order',
          field: { kind: 'field', path: ['startTime'], type: 'date' },
          direction: 'asc',
        },
      ],
    } as QueryNode;
    for (const [, inner] of backends) {
      const repo = mapped(inner, Sessions);
      await expect(repo.list(orderedByStartTime)).rejects.toBeInstanceOf(UnmappableQueryError);
    }
  });

  it.each(aggregates)('aggregate: %s', async (_name, agg) => {
    const expected = plain(await runAggregate(reference, agg as AggregateSource<Session>));
    for (const [name, inner] of backends) {
      const result = plain(
        await runAggregate(mapped(inner, Sessions), agg as AggregateSource<Session>),
      );
      expect({ name, result }).toEqual({ name, result: expected });
    }
  });

  it('refuses aggregates that have no faithful stored translation where they are built, and when the call starts, saying why', async () => {
    const refused: [(s: typeof S) => unknown, RegExp][] = [
      [(s) => s().min('startedAt'), /orders like the instants except within one second/],
      [(s) => s().max('status'), /stored values do not order/],
      [(s) => s().groupBy('startTime').count(), /not stored/],
      [(s) => s().groupBy('settings.theme').count(), /object that may be null/],
      [(s) => s().count('playerNames'), /several stored names/],
    ];
    // Aggregates built without the codec's check (as one parsed from JSON would be).
    const unchecked: typeof S = () => spec({ ...Sessions.domain, checkQuery: undefined });
    for (const [make, why] of refused) {
      expect(() => make(S)).toThrow(why);
      for (const [, inner] of backends) {
        const agg = make(unchecked) as AggregateSource<Session>;
        const error = await runAggregate(mapped(inner, Sessions), agg).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnmappableQueryError);
        expect((error as Error).message).toMatch(why);
      }
    }
  });
});
