/**
 * The App's `UserBadge*` specifications (core `UserBadgeSpecifications.cs`, reference 4.2). A
 * `UserBadge` has no container of its own: it is an element of its profile's `EarnedBadges`
 * (1.2.3), so the App's specifications, which select and order badges, run only on EF's
 * InMemory provider; on Cosmos DB the App's repository reads the owning profile and flattens its
 * badges in memory (4.3). No store can select or order the elements of an embedded collection
 * through a specification (the mapped repository refuses queries on `earnedBadges`), so the
 * ports do what the repository does, in two steps: `profiles`, a specification of the profiles
 * that hold the badges, run on any repository, and `pick`, which takes the badges from the
 * profiles it returns, in the App's order.
 */
import type { CallOptions, Repository } from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import { specOf } from './specifications.js';
import { type UserBadge, type UserProfile, userProfiles } from './user-profiles.js';

/** A query over the badges embedded in profiles. */
export interface UserBadgeQuery {
  /** The profiles that hold the badges. */
  readonly profiles: Specification<UserProfile>;
  /** The badges the query means, taken from those profiles. */
  pick(profiles: readonly UserProfile[]): UserBadge[];
}

/** Runs a badge query: its profiles from `repository`, then the badges picked from them. */
export async function listUserBadges(
  repository: Repository<UserProfile>,
  query: UserBadgeQuery,
  options?: CallOptions,
): Promise<UserBadge[]> {
  return query.pick(await repository.list(query.profiles, options));
}

/** The profile with that id (the partition key: one point-like read). */
function profile(profileId: string): Specification<UserProfile> {
  return specOf(userProfiles).where((w) => w.eq('id', profileId));
}

/** Every badge of the profiles. */
const allBadges = (profiles: readonly UserProfile[]) => profiles.flatMap((p) => p.earnedBadges);

/**
 * Latest first (`EarnedAt` descending, as the App orders them); badges earned at the same
 * instant keep their stored order, as the App's stable sort keeps it. Instants are in
 * `toISOString()` form, whose text order is their time order.
 */
const latestFirst = (badges: UserBadge[]) =>
  badges.sort((a, b) => (a.earnedAt < b.earnedAt ? 1 : a.earnedAt > b.earnedAt ? -1 : 0));

/**
 * `UserBadgesByProfileSpec(userProfileId)`: the profile's badges, latest first. The App filters
 * `UserProfileId`, the owned collection's key to its profile, so the port reads that profile.
 */
export function userBadgesByProfile(userProfileId: string): UserBadgeQuery {
  return { profiles: profile(userProfileId), pick: (ps) => latestFirst(allBadges(ps)) };
}

/** `UserBadgesByAxisSpec(userProfileId, axis)`: the profile's badges on that axis (exact), latest first. */
export function userBadgesByAxis(userProfileId: string, axis: string): UserBadgeQuery {
  return {
    profiles: profile(userProfileId),
    pick: (ps) => latestFirst(allBadges(ps).filter((b) => b.axis === axis)),
  };
}

/**
 * `UserBadgeByIdSpec(id)`: the badge with that id, or none. Nothing stored selects a profile by
 * the id of a badge it holds, so without `userProfileId` every profile is read (a
 * cross-partition scan, as the App's own badge lookups by session or scenario are); with it,
 * only that profile.
 */
export function userBadgeById(id: string, userProfileId?: string): UserBadgeQuery {
  return {
    profiles: userProfileId === undefined ? specOf(userProfiles) : profile(userProfileId),
    pick: (ps) =>
      allBadges(ps)
        .filter((b) => b.id === id)
        .slice(0, 1),
  };
}

// --- The App's repository queries (`UserBadgeRepository`, reference 4.3) ----------------------

/**
 * `GetByUserProfileIdAndBadgeConfigIdAsync`: the profile's badge from that configuration, or none
 * (the App takes the first).
 */
export function userBadgeByProfileAndConfiguration(
  userProfileId: string,
  badgeConfigurationId: string,
): UserBadgeQuery {
  return {
    profiles: profile(userProfileId),
    pick: (ps) =>
      allBadges(ps)
        .filter((b) => b.badgeConfigurationId === badgeConfigurationId)
        .slice(0, 1),
  };
}

/**
 * `GetByGameSessionIdAsync`: the badges earned in that session, latest first. As in the App,
 * every profile is read (a cross-partition scan): no stored query reaches inside `EarnedBadges`.
 */
export function userBadgesByGameSession(gameSessionId: string): UserBadgeQuery {
  return {
    profiles: specOf(userProfiles),
    pick: (ps) => latestFirst(allBadges(ps).filter((b) => b.gameSessionId === gameSessionId)),
  };
}

/** `GetByScenarioIdAsync`: the badges earned in that scenario, latest first (every profile read). */
export function userBadgesByScenario(scenarioId: string): UserBadgeQuery {
  return {
    profiles: specOf(userProfiles),
    pick: (ps) => latestFirst(allBadges(ps).filter((b) => b.scenarioId === scenarioId)),
  };
}
