/**
 * The analytics routes over the App's own documents: sessions and scores written into the
 * `GameSessions` and `PlayerScenarioScores` containers as the .NET App writes them (current and
 * legacy shapes side by side), aggregated by `@mystira/domain` through the Cosmos DB server; only
 * for the admin role; in the OpenAPI document.
 */
import type { StoredDocument } from '@mystira/repository';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, type TestUser } from './support/harness.ts';

let h: Harness;
let admin: TestUser;
let player: TestUser;

const session = (id: string, status: number, startedAt: string | null, legacy = false) => ({
  id,
  accountId: 'acc-1',
  ScenarioId: 'scn-1',
  ProfileId: 'p-1',
  Status: status,
  StartedAt: startedAt,
  DurationSeconds: 60,
  // Current documents always have IsDeleted; legacy ones never do (and number statuses from
  // 0 = NotStarted: legacy 1 is InProgress, today's Active = 2).
  ...(legacy ? {} : { IsDeleted: false, $type: 'GameSession' }),
});

const score = (id: string, scenarioId: string, profileId: string, best?: number) => ({
  id,
  UserId: profileId,
  ProfileId: profileId,
  ScenarioId: scenarioId,
  AxisScores: '{}',
  ...(best === undefined ? {} : { BestScore: best, TotalAttempts: 2, Completions: 1 }),
  CreatedAt: '2026-02-01T10:40:00Z',
  $type: 'PlayerScenarioScore',
});

async function write(container: string, docs: StoredDocument[]): Promise<void> {
  const c = h.api.stores.cosmos.database(h.config.cosmos.database).container(container);
  for (const doc of docs) await c.items.create(doc);
}

beforeAll(async () => {
  h = await startHarness('analytics');
  admin = await h.user('analyst', ['admin']);
  player = await h.user('player');
  await write('GameSessions', [
    session('s1', 2, '2026-02-01T10:00:00.1234567Z'),
    session('s2', 1, '2026-02-01T18:30:00', true), // legacy InProgress = Active
    session('s3', 4, '2026-02-02T08:00:00Z'),
    session('s4', 1, null),
  ]);
  await write('PlayerScenarioScores', [
    score('r1', 'scn-1', 'p-1', 42),
    score('r2', 'scn-1', 'p-2', 18),
    score('r3', 'scn-2', 'p-1', 90),
    score('r4', 'scn-2', 'p-3'), // no scores yet: they count as 0
  ]);
});
afterAll(async () => {
  await h?.close();
});

describe('GET /v1/analytics/scores-per-scenario', () => {
  it('aggregates the stored scores per scenario', async () => {
    const res = await admin.inject({ method: 'GET', url: '/v1/analytics/scores-per-scenario' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      items: [
        {
          scenarioId: 'scn-1',
          players: 2,
          attempts: 4,
          completions: 2,
          bestScore: 42,
          averageBestScore: 30,
        },
        {
          scenarioId: 'scn-2',
          players: 2,
          attempts: 2,
          completions: 1,
          bestScore: 90,
          averageBestScore: 45,
        },
      ],
    });
  });

  it('is for the admin role only', async () => {
    const forbidden = await player.inject({
      method: 'GET',
      url: '/v1/analytics/scores-per-scenario',
    });
    expect(forbidden.statusCode).toBe(403);
    const anonymous = await h.api.app.inject({
      method: 'GET',
      url: '/v1/analytics/scores-per-scenario',
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('GET /v1/analytics/sessions-per-status-per-day', () => {
  it('counts sessions per status per UTC day, legacy and current alike', async () => {
    const res = await admin.inject({
      method: 'GET',
      url: '/v1/analytics/sessions-per-status-per-day',
    });
    expect(res.statusCode, res.body).toBe(200);
    const rows = (res.json() as { items: { status: string; startedAt: string | null }[] }).items;
    expect(rows).toEqual([
      {
        status: 'Active',
        startedAt: '2026-02-01T00:00:00.000Z',
        sessions: 2,
        durationSeconds: 120,
      },
      {
        status: 'Completed',
        startedAt: '2026-02-02T00:00:00.000Z',
        sessions: 1,
        durationSeconds: 60,
      },
      { status: 'Pending', startedAt: null, sessions: 1, durationSeconds: 60 },
    ]);
  });

  it('takes a range of start instants, and refuses an empty or malformed one', async () => {
    const day2 = await admin.inject({
      method: 'GET',
      url: '/v1/analytics/sessions-per-status-per-day?from=2026-02-02T00:00:00Z&to=2026-02-03T00:00:00%2B00:00',
    });
    expect(day2.statusCode, day2.body).toBe(200);
    expect((day2.json() as { items: { status: string }[] }).items.map((r) => r.status)).toEqual([
      'Completed',
    ]);
    for (const query of ['from=2026-02-03T00:00:00Z&to=2026-02-02T00:00:00Z', 'from=yesterday']) {
      const bad = await admin.inject({
        method: 'GET',
        url: `/v1/analytics/sessions-per-status-per-day?${query}`,
      });
      expect(bad.statusCode, query).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('OpenAPI', () => {
  it('documents both routes with their row components and the bearer requirement', async () => {
    const doc = (await h.api.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, { get?: { security?: unknown[]; tags?: string[] } }>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of [
      '/v1/analytics/scores-per-scenario',
      '/v1/analytics/sessions-per-status-per-day',
    ]) {
      expect(doc.paths[path]?.get?.tags, path).toEqual(['analytics']);
      expect(doc.paths[path]?.get?.security, path).toEqual([{ bearer: [] }]);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ScenarioScores', 'SessionsOnDay']),
    );
  });
});
