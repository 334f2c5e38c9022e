/**
 * Specifications ported from the App (reference 4.2), for `Account` and `GameSession`. Where the
 * App's own query cannot run (it orders by `StartTime`, which its model never stores), the port
 * keeps what the query means and its comment says so. Build them against `mapped` repositories.
 */
import { specOf } from '@mystira/repository';
import type { Predicate, Specification, Where } from '@mystira/specification';
import { type Account, accounts } from './accounts.js';
import type { AccountStatusName, DifficultyLevelName, SessionStatusName } from './enums.js';
import { type GameSession, gameSessions } from './game-sessions.js';
import { type PlayerScenarioScore, playerScenarioScores } from './player-scenario-scores.js';
import { type Scenario, scenarios } from './scenarios.js';
import { type UserProfile, userProfiles } from './user-profiles.js';

export { specOf };

// --- Account (core `AccountSpecifications.cs`; domain `Account*Spec.cs`) ---------------------

/**
 * `AccountByEmailSpec` (core): `Email.ToLower() == email.ToLower()`. Case is folded for ASCII
 * letters only (the App's auth flows store e-mails lower-cased already).
 */
export function accountByEmail(email: string): Specification<Account> {
  return specOf(accounts).where((w) => w.eq('email', email, { ignoreCase: true }));
}

/** `AccountByExternalUserIdSpec` (core): the provider id, stored as `ExternalProviderId` and its alias `ExternalUserId`. */
export function accountByExternalUserId(externalUserId: string): Specification<Account> {
  return specOf(accounts).where((w) => w.eq('externalProviderId', externalUserId));
}

/** `ActiveAccountsSpec` (domain): active and not deleted, most recent login first, paged. */
export function activeAccounts(page = 1, pageSize = 20): Specification<Account> {
  return specOf(accounts)
    .where((w) => w.and(w.eq('status', 'Active'), w.eq('isDeleted', false)))
    .orderByDescending('lastLoginAt')
    .page(page, pageSize);
}

/** `ActiveAccountsSpec` (core, same class name, other meaning): an active subscription, newest first. */
export function accountsWithActiveSubscription(): Specification<Account> {
  return specOf(accounts)
    .where((w) => w.eq('subscription.isActive', true))
    .orderByDescending('createdAt');
}

/** `AccountByStatusSpec` (domain): newest first. */
export function accountsByStatus(status: AccountStatusName): Specification<Account> {
  return specOf(accounts)
    .where((w) => w.eq('status', status))
    .orderByDescending('createdAt');
}

/** `AccountsByEmailPatternSpec` (core): e-mail contains `pattern`, ignoring (ASCII) case, by e-mail. */
export function accountsByEmailPattern(pattern: string): Specification<Account> {
  return specOf(accounts)
    .where((w) => w.contains('email', pattern, { ignoreCase: true }))
    .orderBy('email');
}

/**
 * `AccountsPaginatedSpec` (core): optionally e-mails containing `searchTerm` (ASCII case
 * ignored), by e-mail, `skip`/`take`. (The domain `AccountByEmailSpec` filters `NormalizedEmail`,
 * which nothing populates, so it always finds nothing; what it means is {@link accountByEmail}.)
 */
export function accountsPaginated(
  skip: number,
  take: number,
  searchTerm?: string,
): Specification<Account> {
  let s = specOf(accounts);
  if (searchTerm !== undefined)
    s = s.where((w) => w.contains('email', searchTerm, { ignoreCase: true }));
  return s.orderBy('email').skip(skip).take(take);
}

// --- GameSession (core `GameSessionSpecifications.cs`) ----------------------------------------

/**
 * The sessions `filter` selects, latest first. The App orders these by `StartTime`, an alias its
 * model ignores (EF cannot translate it); the ports order by the stored `StartedAt`, which is
 * what StartTime returns.
 */
function latestSessions(filter: (w: Where<GameSession>) => Predicate): Specification<GameSession> {
  return specOf(gameSessions).where(filter).orderByDescending('startedAt');
}

/** `SessionsByAccountSpec`: one partition (`accountId`), latest first. */
export function sessionsByAccount(accountId: string): Specification<GameSession> {
  return latestSessions((w) => w.eq('accountId', accountId));
}

/** `SessionsByProfileSpec` (cross-partition). */
export function sessionsByProfile(profileId: string): Specification<GameSession> {
  return latestSessions((w) => w.eq('profileId', profileId));
}

/** `SessionsByScenarioSpec` (cross-partition). */
export function sessionsByScenario(scenarioId: string): Specification<GameSession> {
  return latestSessions((w) => w.eq('scenarioId', scenarioId));
}

/** `InProgressSessionsSpec`: the account's sessions in progress (Active) or paused. */
export function inProgressSessions(accountId: string): Specification<GameSession> {
  return latestSessions((w) =>
    w.and(w.eq('accountId', accountId), w.in('status', ['Active', 'Paused'])),
  );
}

/** `ActiveSessionsSpec`: every session in progress or paused (cross-partition). */
export function activeSessions(): Specification<GameSession> {
  return latestSessions((w) => w.in('status', ['Active', 'Paused']));
}

/**
 * `CompletedSessionsSpec`: completed sessions. The App orders by `EndTime ?? StartTime`, which no
 * specification can express; the port orders by `endedAt`, then `startedAt` (sessions without an
 * end come first in descending order, as absent values sort lowest).
 */
export function completedSessions(): Specification<GameSession> {
  return specOf(gameSessions)
    .where((w) => w.eq('status', 'Completed'))
    .orderByDescending('endedAt')
    .thenByDescending('startedAt');
}

/** `SessionsByStatusSpec`. */
export function sessionsByStatus(status: SessionStatusName): Specification<GameSession> {
  return latestSessions((w) => w.eq('status', status));
}

/** `SessionsByAccountAndScenarioSpec`: one partition, latest first. */
export function sessionsByAccountAndScenario(
  accountId: string,
  scenarioId: string,
): Specification<GameSession> {
  return latestSessions((w) => w.and(w.eq('accountId', accountId), w.eq('scenarioId', scenarioId)));
}

/** Filters of {@link gameSessionsPaginated}. */
export interface SessionFilters {
  /** Only this account's sessions. */
  accountId?: string;
  /** Only this profile's sessions. */
  profileId?: string;
  /** Only sessions in this status. */
  status?: SessionStatusName;
}

/** `GameSessionsPaginatedSpec`: the optional filters, latest first, `skip`/`take`. */
export function gameSessionsPaginated(
  skip: number,
  take: number,
  filters: SessionFilters = {},
): Specification<GameSession> {
  let s = specOf(gameSessions);
  const { accountId, profileId, status } = filters;
  if (accountId !== undefined) s = s.where((w) => w.eq('accountId', accountId));
  if (profileId !== undefined) s = s.where((w) => w.eq('profileId', profileId));
  if (status !== undefined) s = s.where((w) => w.eq('status', status));
  return s.orderByDescending('startedAt').skip(skip).take(take);
}

// --- UserProfile (core `UserProfileSpecifications.cs`; domain `UserProfileBy*Spec.cs`) --------
// The App orders most of these by `Name`. No stored order can be exact for every document:
// legacy documents hold only `Name`, documents the Admin API wrote only `DisplayName`, the App's
// own both. The ports keep the filter and leave the order to the id tiebreaker (sort the result
// by `displayName` in memory where it matters); the mapped repository refuses an order on
// `displayName` for the same reason.

/** `ProfilesByAccountSpec`: the account's profiles. */
export function profilesByAccount(accountId: string): Specification<UserProfile> {
  return specOf(userProfiles).where((w) => w.eq('accountId', accountId));
}

/** `GuestProfilesSpec`: guest profiles, newest first. */
export function guestProfiles(): Specification<UserProfile> {
  return specOf(userProfiles)
    .where((w) => w.eq('isGuest', true))
    .orderByDescending('createdAt');
}

/** `NonGuestProfilesSpec`. */
export function nonGuestProfiles(): Specification<UserProfile> {
  return specOf(userProfiles).where((w) => w.eq('isGuest', false));
}

/** `NpcProfilesSpec`. */
export function npcProfiles(): Specification<UserProfile> {
  return specOf(userProfiles).where((w) => w.eq('isNpc', true));
}

/** `OnboardedProfilesSpec`: the App filters on the alias `HasCompletedOnboarding`; same value. */
export function onboardedProfiles(): Specification<UserProfile> {
  return specOf(userProfiles).where((w) => w.eq('onboardingCompleted', true));
}

/**
 * `ProfilesByAgeGroupSpec`: the App filters on `AgeGroupName`, which its model computes and never
 * stores (EF cannot translate it); the port filters on the stored `AgeGroupId`. Legacy documents
 * hold an `AgeGroupName` of another vocabulary (`6-9`) and no `AgeGroupId`: they never match.
 */
export function profilesByAgeGroup(ageGroupId: string): Specification<UserProfile> {
  return specOf(userProfiles).where((w) => w.eq('ageGroupId', ageGroupId));
}

/** `ProfilesByNamePatternSpec`: the name contains `pattern`, ignoring (ASCII) case. */
export function profilesByNamePattern(pattern: string): Specification<UserProfile> {
  return specOf(userProfiles).where((w) =>
    w.contains('displayName', pattern, { ignoreCase: true }),
  );
}

/** `UserProfilesWithRecentActivitySpec` (domain): played since `cutoff`, most recent first, paged. */
export function userProfilesWithRecentActivity(
  cutoff: Date | string,
  page = 1,
  pageSize = 50,
): Specification<UserProfile> {
  return specOf(userProfiles)
    .where((w) => w.gte('lastPlayedAt', cutoff))
    .orderByDescending('lastPlayedAt')
    .page(page, pageSize);
}

/**
 * `UserProfileByAccountIdSpec` (domain): one profile of the account. The App takes the first
 * of however many the account has, in no stated order; the port takes the first by id, so the
 * answer is at least the same on every store (use {@link profilesByAccount} for all of them).
 */
export function userProfileByAccountId(accountId: string): Specification<UserProfile> {
  return specOf(userProfiles)
    .where((w) => w.eq('accountId', accountId))
    .orderBy('id')
    .take(1);
}

/** Filters of {@link profilesPaginated}. */
export interface ProfileFilters {
  /** Only this account's profiles. */
  accountId?: string;
  /** Only guests (true) or only non-guests (false). */
  isGuest?: boolean;
}

/** `ProfilesPaginatedSpec`: the optional filters, `skip`/`take`, by id (see the note above on `Name`). */
export function profilesPaginated(
  skip: number,
  take: number,
  filters: ProfileFilters = {},
): Specification<UserProfile> {
  let s = specOf(userProfiles);
  const { accountId, isGuest } = filters;
  if (accountId !== undefined) s = s.where((w) => w.eq('accountId', accountId));
  if (isGuest !== undefined) s = s.where((w) => w.eq('isGuest', isGuest));
  return s.orderBy('id').skip(skip).take(take);
}

// --- Scenario (core `ScenarioSpecifications.cs`) ----------------------------------------------
// `ScenarioByIdSpec` is `getById`. `Tags` and `Archetypes` are comma-joined strings: the App's
// `Contains` cannot run on them in Cosmos DB; `arrayContains` here compiles to an exact test on
// the joined string.

/** `ScenariosByAgeGroupSpec`: by title. */
export function scenariosByAgeGroup(ageGroupId: string): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.eq('ageGroupId', ageGroupId))
    .orderBy('title');
}

/** `ScenariosByTagSpec`: newest first. */
export function scenariosByTag(tag: string): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.arrayContains('tags', tag))
    .orderByDescending('createdAt');
}

/** `ScenariosByDifficultySpec`: by title. */
export function scenariosByDifficulty(difficulty: DifficultyLevelName): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.eq('difficulty', difficulty))
    .orderBy('title');
}

/** Filters of {@link scenariosPaginated}. */
export interface ScenarioFilters {
  /** Only this age group. */
  ageGroupId?: string;
  /** Only this difficulty. */
  difficulty?: DifficultyLevelName;
  /** Only scenarios with this tag. */
  tag?: string;
}

/** `ScenariosPaginatedSpec`: the optional filters, newest first, `skip`/`take`. */
export function scenariosPaginated(
  skip: number,
  take: number,
  filters: ScenarioFilters = {},
): Specification<Scenario> {
  let s = specOf(scenarios);
  const { ageGroupId, difficulty, tag } = filters;
  if (ageGroupId !== undefined) s = s.where((w) => w.eq('ageGroupId', ageGroupId));
  if (difficulty !== undefined) s = s.where((w) => w.eq('difficulty', difficulty));
  if (tag !== undefined) s = s.where((w) => w.arrayContains('tags', tag));
  return s.orderByDescending('createdAt').skip(skip).take(take);
}

/** `ScenariosByArchetypeSpec`: by title. */
export function scenariosByArchetype(archetype: string): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.arrayContains('archetypes', archetype))
    .orderBy('title');
}

/** `FeaturedScenariosSpec`: featured and active, newest first. */
export function featuredScenarios(): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.and(w.eq('isFeatured', true), w.eq('isActive', true)))
    .orderByDescending('createdAt');
}

/** `ScenariosByTitlePatternSpec`: the title contains `pattern`, ignoring (ASCII) case, by title. */
export function scenariosByTitlePattern(pattern: string): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.contains('title', pattern, { ignoreCase: true }))
    .orderBy('title');
}

/** `PublishedScenariosSpec`: active (the App does not look at `status`), newest first. */
export function publishedScenarios(): Specification<Scenario> {
  return specOf(scenarios)
    .where((w) => w.eq('isActive', true))
    .orderByDescending('createdAt');
}

// --- PlayerScenarioScore (core `PlayerScenarioScoreSpecifications.cs`) ------------------------

/** `PlayerScenarioScoreByProfileAndScenarioSpec`: single-partition (`ProfileId`). */
export function playerScenarioScoreByProfileAndScenario(
  profileId: string,
  scenarioId: string,
): Specification<PlayerScenarioScore> {
  return specOf(playerScenarioScores).where((w) =>
    w.and(w.eq('profileId', profileId), w.eq('scenarioId', scenarioId)),
  );
}

/** `PlayerScenarioScoresByProfileSpec`: newest first. */
export function playerScenarioScoresByProfile(
  profileId: string,
): Specification<PlayerScenarioScore> {
  return specOf(playerScenarioScores)
    .where((w) => w.eq('profileId', profileId))
    .orderByDescending('createdAt');
}
