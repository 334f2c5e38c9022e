/**
 * Analytics over the domain: ready-made aggregate specifications (the "scores per
 * scenario, sessions per status per day"; analytics is what moves to PostgreSQL first). Run them
 * with `runAggregate(mapped(repository, codec), spec)` from `@mystira/repository` over any
 * repository of the stored documents: `mapped()` groups by the stored values and decodes each
 * group's key, so legacy and current documents land in the same group (a legacy status number
 * and the current one; every .NET spelling of a date on its UTC day).
 */
import type { AggregateSpecification } from '@mystira/specification';
import type { SessionStatusName } from './enums.js';
import type { GameSession } from './game-sessions.js';
import { gameSessions } from './game-sessions.js';
import type { PlayerScenarioScore } from './player-scenario-scores.js';
import { playerScenarioScores } from './player-scenario-scores.js';
import { specOf } from './specifications.js';

/** One row of {@link scoresPerScenario}. */
export interface ScenarioScores {
  /** The scenario. */
  readonly scenarioId: string | null;
  /** Score records (one per profile that played it). */
  readonly players: number;
  /** Attempts, summed over the players. */
  readonly attempts: number | null;
  /** Completions, summed over the players. */
  readonly completions: number | null;
  /** The best of the players' best scores. */
  readonly bestScore: number | null;
  /** The mean of the players' best scores (exact mean, rounded once). */
  readonly averageBestScore: number | null;
}

/**
 * Scores per scenario: how many profiles played each scenario, their attempts and completions,
 * and the best and mean best score; one row per scenario, by scenario id.
 */
export function scoresPerScenario(): AggregateSpecification<PlayerScenarioScore, ScenarioScores[]> {
  return specOf(playerScenarioScores)
    .groupBy('scenarioId')
    .aggregate((a) => ({
      players: a.count(),
      attempts: a.sum('totalAttempts'),
      completions: a.sum('completions'),
      bestScore: a.max('bestScore'),
      averageBestScore: a.avg('bestScore'),
    })) as unknown as AggregateSpecification<PlayerScenarioScore, ScenarioScores[]>;
}

/** One row of {@link scenariosPerProfile}. */
export interface ProfileScores {
  /** The profile (stored as `ProfileId`, or only as its alias `UserId`). */
  readonly profileId: string | null;
  /** Scenarios the profile has a score for. */
  readonly scenarios: number;
  /** Completions, summed over them. */
  readonly completions: number | null;
}

/** Scenarios played and completions per profile, by profile id. */
export function scenariosPerProfile(): AggregateSpecification<
  PlayerScenarioScore,
  ProfileScores[]
> {
  return specOf(playerScenarioScores)
    .groupBy('profileId')
    .aggregate((a) => ({
      scenarios: a.count(),
      completions: a.sum('completions'),
    })) as unknown as AggregateSpecification<PlayerScenarioScore, ProfileScores[]>;
}

/** Bounds of {@link sessionsPerStatusPerDay}, as ISO instants (inclusive from, exclusive to). */
export interface SessionRange {
  /** Sessions started at or after this instant. */
  readonly from?: string;
  /** Sessions started before this instant. */
  readonly to?: string;
}

/** One row of {@link sessionsPerStatusPerDay}. */
export interface SessionsOnDay {
  /** The status. */
  readonly status: SessionStatusName;
  /** The UTC day the sessions started (its first instant), or null for never started. */
  readonly startedAt: string | null;
  /** Sessions. */
  readonly sessions: number;
  /** Their recorded durations (`DurationSeconds`), summed; null when none has one. */
  readonly durationSeconds: number | null;
}

/**
 * Sessions per status per UTC day they started (optionally within `range`): one row per status
 * and day, by status name then day (sessions that never started, `startedAt` null, first).
 */
export function sessionsPerStatusPerDay(
  range: SessionRange = {},
): AggregateSpecification<GameSession, SessionsOnDay[]> {
  let s = specOf(gameSessions);
  const { from, to } = range;
  if (from !== undefined) s = s.where((w) => w.gte('startedAt', from));
  if (to !== undefined) s = s.where((w) => w.lt('startedAt', to));
  return s.groupBy('status', ['startedAt', 'day']).aggregate((a) => ({
    sessions: a.count(),
    durationSeconds: a.sum('durationSeconds'),
  })) as unknown as AggregateSpecification<GameSession, SessionsOnDay[]>;
}
