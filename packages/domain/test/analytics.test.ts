/**
 * The analytics aggregates give, through `mapped()` over memory, PostgreSQL and Cosmos DB
 * (in-process server) holding golden documents of both generations, what they give over the
 * decoded items in memory (the reference) — and the figures a reader can check by hand.
 */
import {
  gameSessions,
  playerScenarioScores,
  scenariosPerProfile,
  scoresPerScenario,
  sessionsPerStatusPerDay,
  userProfiles,
} from '@mystira/domain';
import { type EntityCodec, runAggregate, type StoredDocument } from '@mystira/repository';
import { type AggregateSource, spec } from '@mystira/specification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MappedBackends,
  type MappingStores,
  openMappingStores,
  plain,
  variantsOf,
} from '../../repository/test/mapping-stores.js';
import {
  profileCurrent,
  profileLegacy,
  scoreCurrent,
  scoreLegacy,
  sessionCurrent,
  sessionLegacy,
} from './golden.js';

const S = variantsOf(sessionCurrent);
const sessionDocs: StoredDocument[] = [
  S('s1', { Status: 2, StartedAt: '2026-02-01T10:00:00Z', DurationSeconds: 60 }),
  S('s2', { Status: 2, StartedAt: '2026-02-01T23:59:59.9999999Z', DurationSeconds: 30 }),
  S('s3', { Status: 4, StartedAt: '2026-02-02T00:00:00', DurationSeconds: 600 }),
  S('s4', { Status: 4, StartedAt: '2026-02-02T08:15:00.5Z' }),
  S('s5', { Status: 1, StartedAt: null }),
  S('s6', { Status: 1, StartedAt: '2026-02-01T09:00:00Z' }, sessionLegacy), // legacy 1 = Active
  S('s7', { Status: 3, StartedAt: '2026-02-02T12:00:00.25Z' }, sessionLegacy), // legacy 3 = Completed
  S('s8', { Status: 0, StartedAt: '2025-12-05T18:00:00.123Z' }, sessionLegacy), // legacy 0 = Pending
];

const R = variantsOf(scoreCurrent);
const scoreDocs: StoredDocument[] = [
  R('r1', { ScenarioId: 'scn-1', BestScore: 42, TotalAttempts: 2, Completions: 1 }),
  R('r2', {
    ScenarioId: 'scn-1',
    UserId: 'p-2',
    ProfileId: 'p-2',
    BestScore: 17,
    TotalAttempts: 5,
    Completions: 0,
  }),
  R('r3', { ScenarioId: 'scn-2', BestScore: 90, TotalAttempts: 1, Completions: 1 }),
  // Written by a tool that kept only the alias (the partition key): the C# name is null.
  R('r4', { ScenarioId: 'scn-2', UserId: null, ProfileId: 'p-2', BestScore: 10 }),
  R('r5', { ScenarioId: 'scn-1' }, scoreLegacy), // legacy: no scores (defaults 0)
];

const P = variantsOf(profileCurrent);
const profileDocs: StoredDocument[] = [
  P('p1', { DisplayName: 'Robin', Name: 'Robin' }),
  P('p2', { DisplayName: 'Robin', Name: null, OnboardingCompleted: false }), // the Admin API: no alias
  P('p3', { Name: 'Robin', HasCompletedOnboarding: false }, profileLegacy), // legacy: old names only
  P('p4', { Name: 'Sam' }, profileLegacy),
];

let stores: MappingStores | undefined;
let sessions: MappedBackends<object>;
let scores: MappedBackends<object>;
let profiles: MappedBackends<object>;

beforeAll(async () => {
  stores = await openMappingStores('analytics');
  sessions = await stores.load(gameSessions as EntityCodec<object>, sessionDocs);
  scores = await stores.load(playerScenarioScores as EntityCodec<object>, scoreDocs);
  profiles = await stores.load(userProfiles as EntityCodec<object>, profileDocs);
}, 60_000);

afterAll(async () => {
  await stores?.close();
});

/** The aggregate's result on every mapped backend equals the reference's. */
async function sameEverywhere(
  b: MappedBackends<object>,
  agg: AggregateSource<unknown, unknown>,
): Promise<unknown> {
  const expected = plain(await runAggregate(b.reference, agg as AggregateSource<object>));
  for (const [name, repo] of b.mapped) {
    const result = plain(await runAggregate(repo, agg as AggregateSource<object>));
    expect({ name, result }).toEqual({ name, result: expected });
  }
  return expected;
}

describe('analytics on memory = PostgreSQL = Cosmos DB through mapped()', () => {
  it('sessionsPerStatusPerDay: legacy and current statuses in one group, every .NET spelling on its UTC day', async () => {
    expect(await sameEverywhere(sessions, sessionsPerStatusPerDay())).toEqual([
      { status: 'Active', startedAt: '2026-02-01T00:00:00.000Z', sessions: 3, durationSeconds: 90 },
      {
        status: 'Completed',
        startedAt: '2026-02-02T00:00:00.000Z',
        sessions: 3,
        durationSeconds: 600,
      },
      { status: 'Pending', startedAt: null, sessions: 1, durationSeconds: null },
      {
        status: 'Pending',
        startedAt: '2025-12-05T00:00:00.000Z',
        sessions: 1,
        durationSeconds: null,
      },
    ]);
  });

  it('sessionsPerStatusPerDay within a range', async () => {
    const range = { from: '2026-02-01T12:00:00.000Z', to: '2026-02-02T08:15:00.500Z' };
    expect(await sameEverywhere(sessions, sessionsPerStatusPerDay(range))).toEqual([
      { status: 'Active', startedAt: '2026-02-01T00:00:00.000Z', sessions: 1, durationSeconds: 30 },
      {
        status: 'Completed',
        startedAt: '2026-02-02T00:00:00.000Z',
        sessions: 1,
        durationSeconds: 600,
      },
    ]);
  });

  it('scoresPerScenario: a legacy record counts with its defaults', async () => {
    expect(await sameEverywhere(scores, scoresPerScenario())).toEqual([
      {
        scenarioId: 'scn-1',
        players: 3,
        attempts: 7,
        completions: 1,
        bestScore: 42,
        averageBestScore: 59 / 3,
      },
      {
        scenarioId: 'scn-2',
        players: 2,
        attempts: 3,
        completions: 2,
        bestScore: 90,
        averageBestScore: 50,
      },
    ]);
  });

  it('scenariosPerProfile: one group per profile whichever names hold it', async () => {
    expect(await sameEverywhere(scores, scenariosPerProfile())).toEqual([
      { profileId: '3f2b9c1e-0000-4000-8000-000000000001', scenarios: 2, completions: 2 },
      { profileId: '3f2b9c1e-0000-4000-8000-000000000005', scenarios: 1, completions: 0 },
      { profileId: 'p-2', scenarios: 2, completions: 1 },
    ]);
  });

  it('groups by a value stored under several names (alias, renamed property): the first that holds one', async () => {
    const P = () => spec(userProfiles.domain);
    const byName = (await sameEverywhere(
      profiles,
      P().groupBy('displayName').count(),
    )) as unknown[];
    expect(byName).toEqual([
      { displayName: 'Robin', count: 3 },
      { displayName: 'Sam', count: 1 },
    ]);
    const byOnboarding = await sameEverywhere(profiles, P().groupBy('onboardingCompleted').count());
    expect((byOnboarding as { count: number }[]).reduce((n, g) => n + g.count, 0)).toBe(4);
  });
});
