/**
 * Queries the App's repositories run that no specification of it expresses (reference 4.3): the
 * App constructs none of its specifications in production, so these are the queries that
 * actually run against its data. Where one cannot run as written, the port keeps what it means
 * and says so.
 */
import type { Specification } from '@mystira/specification';
import { type Badge, badges } from './badges.js';
import { type GameSession, gameSessions } from './game-sessions.js';
import { type Scenario, scenarios } from './scenarios.js';
import { specOf } from './specifications.js';

/**
 * `GameSessionRepository.GetByProfileIdAsync`: the sessions the profile owns or plays in, latest
 * first. The App tests `PlayerNames.Contains(profileId)` on the comma-joined string, a substring
 * test (`p-1` would match `p-10`); the port tests the list's elements exactly. It orders by the
 * stored `StartedAt`, not the never-stored `StartTime`.
 */
export function sessionsByProfileOrPlayer(profileId: string): Specification<GameSession> {
  return specOf(gameSessions)
    .where((w) => w.or(w.eq('profileId', profileId), w.arrayContains('playerNames', profileId)))
    .orderByDescending('startedAt');
}

/**
 * `GameSessionRepository.GetActiveSessionsByScenarioAndAccountAsync`: the account's sessions of
 * the scenario in progress (Active) or paused, latest first (by `StartedAt`).
 * `GetActiveSessionForScenarioAsync` is its first item (`.take(1)`).
 */
export function activeSessionsByAccountAndScenario(
  accountId: string,
  scenarioId: string,
): Specification<GameSession> {
  return specOf(gameSessions)
    .where((w) =>
      w.and(
        w.eq('accountId', accountId),
        w.eq('scenarioId', scenarioId),
        w.in('status', ['Active', 'Paused']),
      ),
    )
    .orderByDescending('startedAt');
}

/**
 * `ScenarioRepository.GetByTitleAsync` (and `ExistsByTitleAsync` with `any`): the scenario with
 * exactly that title. The App takes the first of any number in no stated order; the port takes
 * the first by id, so every store gives the same one.
 */
export function scenarioByTitle(title: string): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.eq('title', title))
    .orderBy('id')
    .take(1);
}

/**
 * `BadgeRepository.GetByCompassAxisAsync`: the axis's badges by age group, then tier name, then
 * tier order (`BadgesByCompassAxisSpec`, `badgesByCompassAxis`, orders by tier order alone).
 */
export function compassAxisBadgesByAgeGroupAndTier(compassAxisId: string): Specification<Badge> {
  return specOf(badges)
    .where((w) => w.eq('compassAxisId', compassAxisId))
    .orderBy('ageGroupId')
    .thenBy('tier')
    .thenBy('tierOrder');
}

/**
 * `BadgeRepository.GetByAgeGroupAxisAndTierAsync`: the badge with that tier order (an int; the
 * specification, `badgeByAgeGroupAxisAndTier`, matches the tier's name). The App takes the
 * first in no stated order; the port takes the first by id.
 */
export function badgeByAgeGroupAxisAndTierOrder(
  ageGroupId: string,
  compassAxisId: string,
  tierOrder: number,
): Specification<Badge> {
  return specOf(badges)
    .where((w) =>
      w.and(
        w.eq('ageGroupId', ageGroupId),
        w.eq('compassAxisId', compassAxisId),
        w.eq('tierOrder', tierOrder),
      ),
    )
    .orderBy('id')
    .take(1);
}
