/**
 * Every ported specification returns the same items, in the same order, from `mapped()` over the
 * memory, PostgreSQL and Cosmos DB (in-process server) repositories holding the same golden
 * documents of both generations, as the specification's evaluator over the decoded items.
 */
import {
  accountByEmail,
  accountByExternalUserId,
  accounts,
  accountsByEmailPattern,
  accountsByStatus,
  accountsPaginated,
  accountsWithActiveSubscription,
  activeAccounts,
  activeContentBundles,
  activeDefinitions,
  activeSessions,
  activeSessionsByAccountAndScenario,
  ageGroupByValue,
  ageGroupDefinitions,
  allBadgeConfigurations,
  axisAchievements,
  axisAchievementsByAgeGroup,
  axisAchievementsByCompassAxis,
  badgeByAgeGroupAxisAndTier,
  badgeByAgeGroupAxisAndTierOrder,
  badgeConfigurations,
  badgeConfigurationsByAxis,
  badgeImageByImageId,
  badgeImages,
  badges,
  badgesByAgeGroup,
  badgesByAgeGroupAndAxis,
  badgesByCompassAxis,
  characterMapByName,
  characterMaps,
  compassAxisBadgesByAgeGroupAndTier,
  compassAxisDefinitions,
  completedSessions,
  consentByVerificationToken,
  consentsByChildProfile,
  contentBundles,
  contentBundlesByAgeGroup,
  contentBundlesByPriceRange,
  contentBundlesByScenario,
  dataDeletionRequests,
  dataDeletionsByChildProfile,
  definitionByName,
  featuredScenarios,
  freeContentBundles,
  gameSessions,
  gameSessionsPaginated,
  guestProfiles,
  inProgressSessions,
  listUserBadges,
  mediaAssetByMediaId,
  mediaAssets,
  mediaAssetsByMediaIds,
  mediaMetadataFiles,
  nonGuestProfiles,
  npcProfiles,
  onboardedProfiles,
  parentalConsents,
  pendingDataDeletions,
  pendingSignupByVerificationTokenHash,
  pendingSignups,
  pendingSignupsByEmail,
  playerScenarioScoreByProfileAndScenario,
  playerScenarioScores,
  playerScenarioScoresByProfile,
  profilesByAccount,
  profilesByAgeGroup,
  profilesByNamePattern,
  profilesPaginated,
  publishedScenarios,
  scenarioByTitle,
  scenarios,
  scenariosByAgeGroup,
  scenariosByArchetype,
  scenariosByDifficulty,
  scenariosByTag,
  scenariosByTitlePattern,
  scenariosPaginated,
  sessionsByAccount,
  sessionsByAccountAndScenario,
  sessionsByProfile,
  sessionsByProfileOrPlayer,
  sessionsByScenario,
  sessionsByStatus,
  singletonFile,
  specOf,
  type UserBadge,
  type UserBadgeQuery,
  type UserProfile,
  userBadgeById,
  userBadgeByProfileAndConfiguration,
  userBadgesByAxis,
  userBadgesByGameSession,
  userBadgesByProfile,
  userBadgesByScenario,
  userProfileByAccountId,
  userProfiles,
  userProfilesWithRecentActivity,
} from '@mystira/domain';
import type { EntityCodec, StoredDocument } from '@mystira/repository';
import type { QueryNode } from '@mystira/specification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MappedBackends,
  type MappingStores,
  openMappingStores,
  plain,
  variantsOf,
} from '../../repository/test/mapping-stores.js';
import {
  accountCurrent,
  accountLegacy,
  profileCurrent,
  profileLegacy,
  scenarioCurrent,
  scenarioLegacy,
  scoreCurrent,
  scoreLegacy,
  sessionCurrent,
  sessionLegacy,
} from './golden.js';
import { axisAchievementCurrent, axisAchievementLegacy } from './golden-axis-achievements.js';
import {
  badgeConfigurationCurrent,
  badgeConfigurationLegacy,
} from './golden-badge-configurations.js';
import { badgeImageCurrent, badgeImageLegacy } from './golden-badge-images.js';
import { badgeCurrent, badgeLegacy } from './golden-badges.js';
import { characterMapCurrent, characterMapLegacy } from './golden-character-maps.js';
import { bundleCurrent, bundleLegacy } from './golden-content-bundles.js';
import { deletionCurrent } from './golden-data-deletion-requests.js';
import { ageGroupCurrent, compassAxisCurrent, compassAxisLegacy } from './golden-definitions.js';
import { mediaCurrent, mediaLegacy } from './golden-media-assets.js';
import { mediaMetadataFileCurrent } from './golden-metadata-files.js';
import { consentCurrent } from './golden-parental-consents.js';
import { signupCurrent } from './golden-pending-signups.js';

const A = variantsOf(accountCurrent);
const S = variantsOf(sessionCurrent);

const accountDocs: StoredDocument[] = [
  A('a1', {}),
  A('a2', {
    Email: 'ROBIN.Two@Example.com',
    Status: 2,
    LastLoginAt: '2026-02-03T09:00:00Z',
    ExternalProviderId: 'x-2',
    ExternalUserId: 'x-2',
  }),
  A('a3', {
    Email: 'lin@example.com',
    LastLoginAt: null,
    IsDeleted: true,
    Subscription: { ...(accountCurrent.Subscription as object), IsActive: false },
  }),
  A('a4', {
    Email: 'kai@example.com',
    LastLoginAt: '2026-01-30T12:00:00.5Z',
    CreatedAt: '2026-01-25T00:00:00Z',
  }),
  A('a5', {}, accountLegacy),
  A(
    'a6',
    { Email: 'old@example.com', ExternalUserId: 'x-6', LastLoginAt: '2025-12-24T18:00:00Z' },
    accountLegacy,
  ),
];

const sessionDocs: StoredDocument[] = [
  S('s1', {}),
  S('s2', { Status: 3, StartedAt: '2026-02-02T10:00:00Z' }),
  S('s3', {
    Status: 4,
    StartedAt: '2026-01-10T10:00:00.25Z',
    EndedAt: '2026-01-10T11:00:00Z',
    ScenarioId: 'scn-2',
  }),
  S('s4', { Status: 4, StartedAt: '2026-01-11T10:00:00Z', EndedAt: null, ProfileId: 'p-9' }),
  S('s5', { Status: 2, accountId: 'acc-2', StartedAt: null, ProfileId: 'p-9' }),
  S('s6', {}, sessionLegacy), // legacy 3 = Completed
  S(
    's7',
    {
      Status: 1,
      StartedAt: '2025-12-06T09:00:00Z',
      accountId: '9a1c7e55-0000-4000-8000-000000000002',
    },
    sessionLegacy,
  ), // legacy 1 = Active
  S('s8', { Status: 2, StartedAt: '2025-12-07T09:00:00Z', ProfileId: 'p-9' }, sessionLegacy), // legacy 2 = Paused
  S('s9', { ProfileId: 'p-1', PlayerNames: 'Robin,p-9', StartedAt: '2026-02-04T10:00:00Z' }),
  S('s10', { ProfileId: 'p-1', PlayerNames: 'p-90', StartedAt: '2026-02-05T10:00:00Z' }),
];

const P = variantsOf(profileCurrent);
const earned = (id: string, patch: StoredDocument): StoredDocument => ({
  ...(profileCurrent.EarnedBadges as StoredDocument[])[0],
  Id: id,
  ...patch,
});
const profileDocs: StoredDocument[] = [
  P('p1', {
    EarnedBadges: [
      earned('ub-a', {}), // 2026-02-01T10:15:00.123Z, Curiosity & Initiative
      earned('ub-b', {
        Axis: 'Self-Regulation',
        EarnedAt: '2026-02-03T09:00:00Z',
        GameSessionId: 'gs-2',
        ScenarioId: 'scn-2',
      }),
      earned('ub-c', { EarnedAt: '2026-02-01T10:15:00.1230000Z' }), // ub-a's instant, spelt otherwise
      earned('ub-d', { EarnedAt: '2026-01-15T08:00:00' }),
    ],
  }),
  P('p2', {
    DisplayName: 'Rowan',
    Name: 'Rowan',
    IsGuest: true,
    CreatedAt: '2026-01-22T08:00:00Z',
    LastPlayedAt: null,
  }),
  P('p3', {
    DisplayName: 'Npc Ogre',
    Name: 'Npc Ogre',
    IsNpc: true,
    OnboardingCompleted: false,
    HasCompletedOnboarding: false,
    AgeGroupId: 'teen',
  }),
  P('p4', { DisplayName: 'Admin-written', LastPlayedAt: '2026-01-05T00:00:00Z' }), // the Admin API writes no aliases
  P(
    'p5',
    {
      EarnedBadges: [
        { ...(profileLegacy.EarnedBadges as StoredDocument[])[0], GameSessionId: 'gs-2' },
      ],
    },
    profileLegacy,
  ),
  P(
    'p6',
    {
      Name: 'Brook',
      HasCompletedOnboarding: false,
      IsGuest: true,
      CreatedAt: '2025-11-21T08:00:00Z',
    },
    profileLegacy,
  ),
];
delete (profileDocs[3] as Record<string, unknown>).Name;
delete (profileDocs[3] as Record<string, unknown>).HasCompletedOnboarding;

const profileSpecs: [string, QueryNode][] = [
  ['profilesByAccount', profilesByAccount('9a1c7e55-0000-4000-8000-000000000002').build()],
  ['guestProfiles', guestProfiles().build()],
  ['nonGuestProfiles', nonGuestProfiles().build()],
  ['npcProfiles', npcProfiles().build()],
  ['onboardedProfiles', onboardedProfiles().build()],
  ['profilesByAgeGroup', profilesByAgeGroup('middle_childhood').build()],
  ['profilesByNamePattern (both names)', profilesByNamePattern('RO').build()],
  [
    'userProfileByAccountId',
    userProfileByAccountId('9a1c7e55-0000-4000-8000-000000000002').build(),
  ],
  ['profilesPaginated', profilesPaginated(1, 2, { isGuest: false }).build()],
  ['profilesPaginated, no filter', profilesPaginated(0, 10).build()],
  [
    'userProfilesWithRecentActivity',
    userProfilesWithRecentActivity('2026-01-01T00:00:00.000Z').build(),
  ],
];

/** The badge of the golden current profile, which p2–p4 keep (earned in scn-1). */
const GOLDEN_BADGE = (profileCurrent.EarnedBadges as StoredDocument[])[0]!.Id as string;
/** The `UserBadge*` ports over the profiles above, with the badge ids a reader can check by hand. */
const badgeQueries: [string, UserBadgeQuery, string[]][] = [
  [
    'userBadgesByProfile (same instant: stored order)',
    userBadgesByProfile('p1'),
    ['ub-b', 'ub-a', 'ub-c', 'ub-d'],
  ],
  ['userBadgesByProfile (legacy: UserProfileId only)', userBadgesByProfile('p5'), ['ub-1']],
  ['userBadgesByAxis', userBadgesByAxis('p1', 'Curiosity & Initiative'), ['ub-a', 'ub-c', 'ub-d']],
  ['userBadgeById (every profile read)', userBadgeById('ub-1'), ['ub-1']],
  ['userBadgeById (its profile given)', userBadgeById('ub-d', 'p1'), ['ub-d']],
  ['userBadgeByProfileAndConfiguration', userBadgeByProfileAndConfiguration('p5', 'bc2'), ['ub-1']],
  [
    'userBadgesByGameSession (every profile read)',
    userBadgesByGameSession('gs-2'),
    ['ub-b', 'ub-1'],
  ],
  [
    'userBadgesByScenario (every profile read)',
    userBadgesByScenario('scn-1'),
    ['ub-a', 'ub-c', ...Array<string>(3).fill(GOLDEN_BADGE), 'ub-d'], // p1, then p2–p4
  ],
];

const C = variantsOf(scenarioCurrent);
const scenarioDocs: StoredDocument[] = [
  C('c1', {}),
  C('c2', {
    Title: 'Storm Chasers',
    Tags: 'storm',
    Archetypes: 'rebel',
    Difficulty: 2,
    IsFeatured: false,
    CreatedAt: '2026-01-12T08:00:00Z',
  }),
  C('c3', {
    Title: 'Seaside',
    Tags: 'seaside,stormy',
    IsActive: false,
    AgeGroupId: 'preteen',
    CreatedAt: '2026-01-11T08:00:00Z',
  }),
  C('c4', {
    Title: 'quiet harbour',
    Tags: '',
    Archetypes: 'sage',
    Difficulty: 0,
    CreatedAt: '2026-01-13T08:00:00Z',
  }),
  C('c5', {}, scenarioLegacy),
  C(
    'c6',
    {
      Title: 'Old Storm',
      Tags: 'storm',
      Difficulty: 1,
      AgeGroup: 'middle_childhood',
      CreatedAt: '2025-11-16T10:00:00',
    },
    scenarioLegacy,
  ),
  C('c7', { Title: 'Storm Chasers', CreatedAt: '2026-01-14T08:00:00Z' }),
];

const scenarioSpecs: [string, QueryNode][] = [
  ['scenariosByAgeGroup (legacy AgeGroup too)', scenariosByAgeGroup('middle_childhood').build()],
  ['scenariosByTag (storm, not stormy)', scenariosByTag('storm').build()],
  ['scenariosByDifficulty', scenariosByDifficulty('Medium').build()],
  ['scenariosPaginated', scenariosPaginated(1, 3, { tag: 'storm' }).build()],
  ['scenariosPaginated, no filter', scenariosPaginated(0, 4).build()],
  ['scenariosByArchetype', scenariosByArchetype('sage').build()],
  ['featuredScenarios', featuredScenarios().build()],
  ['scenariosByTitlePattern', scenariosByTitlePattern('STORM').build()],
  ['publishedScenarios (legacy: active by default)', publishedScenarios().build()],
  ['scenarioByTitle (the first by id of two)', scenarioByTitle('Storm Chasers').build()],
  ['scenarioByTitle (legacy)', scenarioByTitle('Forest Friends').build()],
];

const R = variantsOf(scoreCurrent);
const PROFILE = '3f2b9c1e-0000-4000-8000-000000000001';
const scoreDocs: StoredDocument[] = [
  R('r1', {}),
  R('r2', { ScenarioId: 'scn-2', CreatedAt: '2026-02-02T10:00:00Z' }),
  R('r3', { UserId: 'p-other', ProfileId: 'p-other' }),
  R(
    'r4',
    { ProfileId: PROFILE, ScenarioId: 'scn-3', CreatedAt: '2025-12-22T09:00:00' },
    scoreLegacy,
  ),
];
const scoreSpecs: [string, QueryNode][] = [
  [
    'playerScenarioScoreByProfileAndScenario',
    playerScenarioScoreByProfileAndScenario(PROFILE, 'scn-3').build(),
  ],
  ['playerScenarioScoresByProfile', playerScenarioScoresByProfile(PROFILE).build()],
];

const accountSpecs: [string, QueryNode][] = [
  ['accountByEmail', accountByEmail('robin.two@example.COM').build()],
  ['accountByExternalUserId (current)', accountByExternalUserId('x-2').build()],
  ['accountByExternalUserId (legacy name)', accountByExternalUserId('x-6').build()],
  ['activeAccounts', activeAccounts().build()],
  ['activeAccounts page 2', activeAccounts(2, 1).build()],
  ['accountsWithActiveSubscription', accountsWithActiveSubscription().build()],
  ['accountsByStatus', accountsByStatus('PendingVerification').build()],
  ['accountsByEmailPattern', accountsByEmailPattern('EXAMPLE').build()],
  ['accountsPaginated', accountsPaginated(1, 3, 'EXAMPLE').build()],
  ['accountsPaginated, no search', accountsPaginated(0, 10).build()],
];
const sessionSpecs: [string, QueryNode][] = [
  ['sessionsByAccount', sessionsByAccount('9a1c7e55-0000-4000-8000-000000000002').build()],
  ['sessionsByProfile', sessionsByProfile('p-9').build()],
  ['sessionsByScenario', sessionsByScenario('scn-1').build()],
  ['inProgressSessions', inProgressSessions('9a1c7e55-0000-4000-8000-000000000002').build()],
  ['activeSessions', activeSessions().build()],
  ['completedSessions', completedSessions().build()],
  ['sessionsByStatus', sessionsByStatus('Paused').build()],
  [
    'sessionsByAccountAndScenario',
    sessionsByAccountAndScenario('9a1c7e55-0000-4000-8000-000000000002', 'scn-1').build(),
  ],
  ['gameSessionsPaginated', gameSessionsPaginated(1, 2, { profileId: 'p-9' }).build()],
  ['gameSessionsPaginated, status', gameSessionsPaginated(0, 5, { status: 'Completed' }).build()],
  ['sessionsByProfileOrPlayer (p-9, not p-90)', sessionsByProfileOrPlayer('p-9').build()],
  [
    'activeSessionsByAccountAndScenario',
    activeSessionsByAccountAndScenario('9a1c7e55-0000-4000-8000-000000000002', 'scn-1').build(),
  ],
];

const B = variantsOf(bundleCurrent);
const bundleDocs: StoredDocument[] = [
  B('b1', {}),
  B('b2', {
    Title: 'Free Tales',
    PriceCents: 0,
    IsPremium: false,
    ScenarioIds: 'scn-2,scn-22',
    AgeGroupId: 'preteen',
  }),
  B('b3', { Title: 'Deleted Pack', IsDeleted: true, PriceCents: 1999, ScenarioIds: 'scn-22' }),
  B('b4', { Title: 'almanac', PriceCents: 499, ScenarioIds: '' }),
  B('b5', {}, bundleLegacy),
  B(
    'b6',
    { Title: 'Old Paid Pack', IsFree: false, AgeGroup: 'middle_childhood', ScenarioIds: 'scn-2' },
    bundleLegacy,
  ),
];
const bundleSpecs: [string, QueryNode][] = [
  ['activeContentBundles (deleted ones too, as in the App)', activeContentBundles().build()],
  [
    'contentBundlesByAgeGroup (legacy AgeGroup too)',
    contentBundlesByAgeGroup('middle_childhood').build(),
  ],
  ['freeContentBundles', freeContentBundles().build()],
  ['contentBundlesByPriceRange', contentBundlesByPriceRange(4.99, 10).build()],
  ['contentBundlesByScenario (scn-2, not scn-22)', contentBundlesByScenario('scn-2').build()],
];

const G = variantsOf(badgeCurrent);
const badgeDocs: StoredDocument[] = [
  G('g1', {}),
  G('g2', { Name: 'Curious Mind II', Title: 'Curious Mind II', Tier: 'silver', TierOrder: 2 }),
  G('g3', { Tier: 'gold', TierOrder: 3, AgeGroupId: '10-12' }),
  G('g4', { Name: 'Admin-written', Tier: 'gold', TierOrder: 4, CompassAxisId: 'Self-Regulation' }), // the Admin API writes no Title
  G('g5', {}, badgeLegacy),
  G(
    'g6',
    { Title: 'Old Curious', Tier: 'gold', TierOrder: 5, CompassAxisId: 'Curiosity & Initiative' },
    badgeLegacy,
  ),
];
delete (badgeDocs[3] as Record<string, unknown>).Title;
const badgeSpecs: [string, QueryNode][] = [
  ['badgesByAgeGroup', badgesByAgeGroup('6-9').build()],
  ['badgesByCompassAxis', badgesByCompassAxis('Curiosity & Initiative').build()],
  ['badgesByAgeGroupAndAxis', badgesByAgeGroupAndAxis('6-9', 'Self-Regulation').build()],
  [
    'badgeByAgeGroupAxisAndTier',
    badgeByAgeGroupAxisAndTier('6-9', 'Curiosity & Initiative', 'gold').build(),
  ],
  [
    'compassAxisBadgesByAgeGroupAndTier',
    compassAxisBadgesByAgeGroupAndTier('Curiosity & Initiative').build(),
  ],
  [
    'badgeByAgeGroupAxisAndTierOrder',
    badgeByAgeGroupAxisAndTierOrder('6-9', 'Curiosity & Initiative', 2).build(),
  ],
];

const K = variantsOf(badgeConfigurationCurrent);
const configsDocs: StoredDocument[] = [
  K('k1', {}),
  K('k2', { AxisId: 'honesty', RequiredAchievementType: 11 }),
  K('k3', { AxisId: null }),
  K('k4', { AxisId: 'wisdom' }),
  K('k5', {}, badgeConfigurationLegacy),
  K('k6', { Axis: 'courage' }, badgeConfigurationLegacy),
];
const configsSpecs: [string, QueryNode][] = [
  ['allBadgeConfigurations (legacy Axis too)', allBadgeConfigurations().build()],
  ['badgeConfigurationsByAxis', badgeConfigurationsByAxis('honesty').build()],
];

const X = variantsOf(axisAchievementCurrent);
const axesDocs: StoredDocument[] = [
  X('x1', {}),
  X('x2', { AxisId: 'honesty', CompassAxisId: 'honesty', AgeGroupId: 'preteen' }),
  X('x3', { AgeGroupId: 'adult' }),
  X('x4', { AgeGroupId: 'early_childhood' }), // the Admin API writes no CompassAxisId
  X('x5', {}, axisAchievementLegacy),
  X('x6', { CompassAxisId: 'courage', AgeGroupId: 'teen' }, axisAchievementLegacy),
];
delete (axesDocs[3] as Record<string, unknown>).CompassAxisId;
const axesSpecs: [string, QueryNode][] = [
  ['axisAchievementsByAgeGroup', axisAchievementsByAgeGroup('middle_childhood').build()],
  ['axisAchievementsByCompassAxis (both names)', axisAchievementsByCompassAxis('courage').build()],
];

const M = variantsOf(mediaCurrent);
const mediaDocs: StoredDocument[] = [
  M('m1', {}),
  M('m2', { mediaType: 'audio', MediaId: 'm2' }),
  M('m3', { mediaType: 'video' }),
  M('m4', {}, mediaLegacy),
  M('m5', { MediaId: 'm1', mediaType: 'image' }, mediaLegacy),
];
const mediaSpecs: [string, QueryNode][] = [
  ['mediaAssetByMediaId (id or a legacy MediaId)', mediaAssetByMediaId('m1').build()],
  ['mediaAssetByMediaId (legacy)', mediaAssetByMediaId('forest-music').build()],
  ['mediaAssetsByMediaIds', mediaAssetsByMediaIds(['m2', 'm3', 'forest-music']).build()],
];

const I = variantsOf(badgeImageCurrent);
const imagesDocs: StoredDocument[] = [
  I('i1', {}),
  I('i2', { ImageId: 'media/badges/other.png' }),
  I('i3', {}, badgeImageLegacy),
];
const imagesSpecs: [string, QueryNode][] = [
  ['badgeImageByImageId', badgeImageByImageId('media/badges/other.png').build()],
  ['badgeImageByImageId (legacy)', badgeImageByImageId('media/badges/brave_silver.png').build()],
];

const N = variantsOf(characterMapCurrent);
const mapsDocs: StoredDocument[] = [
  N('n1', {}),
  N('n2', { Name: 'old keeper' }),
  N('n3', { Name: 'Fox' }),
  N('n4', {}, characterMapLegacy),
];
const mapsSpecs: [string, QueryNode][] = [
  ['characterMapByName (case-sensitive)', characterMapByName('Old Keeper').build()],
  ['characterMapByName (both generations)', characterMapByName('Fox').build()],
];

const D = variantsOf(compassAxisCurrent);
const axesDefDocs: StoredDocument[] = [
  D('d1', {}),
  D('d2', { Name: 'Honesty' }),
  D('d3', { Name: 'Kindness', IsDeleted: true }),
  D('d4', {}, compassAxisLegacy),
  D('d5', { Name: 'courage' }, compassAxisLegacy),
];
const axesDefSpecs: [string, QueryNode][] = [
  [
    'activeDefinitions (compass axes, both $types)',
    activeDefinitions(compassAxisDefinitions).build(),
  ],
  ['definitionByName (case folded)', definitionByName(compassAxisDefinitions, 'COURAGE').build()],
];
const ageDefDocs: StoredDocument[] = [
  { ...ageGroupCurrent, id: 'g1' },
  { ...ageGroupCurrent, id: 'g2', Value: '3-5', MinimumAge: 3, MaximumAge: 5, Name: 'Preschool' },
  { ...ageGroupCurrent, id: 'g3', Value: '10-12', MinimumAge: 10, MaximumAge: 12, IsDeleted: true },
];
const ageDefSpecs: [string, QueryNode][] = [
  ['activeDefinitions (age groups by minimum age)', activeDefinitions(ageGroupDefinitions).build()],
  ['ageGroupByValue', ageGroupByValue('3-5').build()],
];

const E = variantsOf(deletionCurrent);
const CHILD = '3f2b9c1e-0000-4000-8000-000000000001';
const deletionDocs: StoredDocument[] = [
  E('e1', {}),
  E('e2', {
    Status: 1,
    ScheduledDeletionAt: '2026-02-05T10:00:00Z',
    RequestedAt: '2026-02-02T10:00:00Z',
  }),
  E('e3', {
    Status: 4,
    RetryCount: 2,
    ScheduledDeletionAt: '2026-03-01T10:00:00Z',
    NextRetryAt: '2026-02-09T00:00:00Z',
  }),
  E('e4', { Status: 4, RetryCount: 5, NextRetryAt: '2026-02-09T00:00:00Z' }),
  E('e5', { Status: 3, ChildProfileId: 'p-other', CompletedAt: '2026-02-08T11:00:00Z' }),
  E('e6', { ScheduledDeletionAt: '2026-03-01T10:00:00.5Z', ChildProfileId: 'p-other' }),
];
const deletionSpecs: [string, QueryNode][] = [
  ['dataDeletionsByChildProfile', dataDeletionsByChildProfile(CHILD).build()],
  ['pendingDataDeletions', pendingDataDeletions('2026-02-10T00:00:00.000Z').build()],
];

const Q = variantsOf(consentCurrent);
const consentDocs: StoredDocument[] = [
  Q('q1', {}),
  Q('q2', { Status: 1, VerificationToken: 'tok-2', CreatedAt: '2026-01-21T08:00:00Z' }),
  Q('q3', { ChildProfileId: 'p-other', VerificationToken: 'tok-3' }),
];
const consentSpecs: [string, QueryNode][] = [
  ['consentsByChildProfile', consentsByChildProfile(CHILD).build()],
  ['consentByVerificationToken', consentByVerificationToken('tok-3').build()],
];

const U = variantsOf(signupCurrent);
const signupDocs: StoredDocument[] = [
  U('u1', {}),
  U('u2', {
    Email: 'KAI@example.com',
    UpdatedAt: '2026-02-02T10:00:00Z',
    VerificationTokenHash: 'sha256:2',
  }),
  U('u3', { Email: 'lin@example.com', VerificationTokenHash: 'sha256:3' }),
];
const signupSpecs: [string, QueryNode][] = [
  ['pendingSignupsByEmail (case folded)', pendingSignupsByEmail('Kai@Example.com').build()],
  [
    'pendingSignupByVerificationTokenHash',
    pendingSignupByVerificationTokenHash('sha256:3').build(),
  ],
];

// A second document in a singleton container (an import gone twice): the first by id is read.
const fileDocs: StoredDocument[] = [
  { ...mediaMetadataFileCurrent, id: 'media-metadata-2' },
  mediaMetadataFileCurrent,
];
const fileSpecs: [string, QueryNode][] = [
  ['singletonFile', singletonFile(mediaMetadataFiles).build()],
];

/** A container's golden documents and the ported specifications run over them. */
interface Suite {
  codec: EntityCodec<object>;
  docs: StoredDocument[];
  specs: [string, QueryNode][];
}
const suite = <T extends object>(
  codec: EntityCodec<T>,
  docs: StoredDocument[],
  specs: [string, QueryNode][],
): Suite => ({ codec: codec as unknown as EntityCodec<object>, docs, specs });

const suites = {
  accounts: suite(accounts, accountDocs, accountSpecs),
  sessions: suite(gameSessions, sessionDocs, sessionSpecs),
  profiles: suite(userProfiles, profileDocs, profileSpecs),
  scenarios: suite(scenarios, scenarioDocs, scenarioSpecs),
  scores: suite(playerScenarioScores, scoreDocs, scoreSpecs),
  bundles: suite(contentBundles, bundleDocs, bundleSpecs),
  files: suite(mediaMetadataFiles, fileDocs, fileSpecs),
  signups: suite(pendingSignups, signupDocs, signupSpecs),
  consents: suite(parentalConsents, consentDocs, consentSpecs),
  deletions: suite(dataDeletionRequests, deletionDocs, deletionSpecs),
  axesDef: suite(compassAxisDefinitions, axesDefDocs, axesDefSpecs),
  ageDef: suite(ageGroupDefinitions, ageDefDocs, ageDefSpecs),
  maps: suite(characterMaps, mapsDocs, mapsSpecs),
  images: suite(badgeImages, imagesDocs, imagesSpecs),
  media: suite(mediaAssets, mediaDocs, mediaSpecs),
  axes: suite(axisAchievements, axesDocs, axesSpecs),
  configs: suite(badgeConfigurations, configsDocs, configsSpecs),
  badges: suite(badges, badgeDocs, badgeSpecs),
};

let stores: MappingStores | undefined;
const loaded = new Map<string, MappedBackends<object>>();

beforeAll(async () => {
  stores = await openMappingStores('domain');
  for (const [name, { codec, docs, specs }] of Object.entries(suites)) {
    loaded.set(
      name,
      await stores.load(
        codec,
        docs,
        specs.map(([, q]) => q),
      ),
    );
  }
}, 60_000);

afterAll(async () => {
  await stores?.close();
});

describe.each(Object.entries(suites))(
  '%s: ported specifications on memory = PostgreSQL = Cosmos DB',
  (suiteName, { specs }) => {
    it.each(specs)('%s', async (_name, query) => {
      const b = loaded.get(suiteName)!;
      const expected = plain(await b.reference.list(query));
      expect(expected.length, 'the golden data gives every spec something to find').toBeGreaterThan(
        0,
      );
      for (const [name, repo] of b.mapped) {
        expect({ name, items: plain(await repo.list(query)) }).toEqual({ name, items: expected });
        expect({ name, count: await repo.count(query) }).toEqual({
          name,
          count: await b.reference.count(query),
        });
      }
    });
  },
);

describe('UserBadge specifications (badges embedded in profiles) on memory = PostgreSQL = Cosmos DB', () => {
  it.each(badgeQueries)('%s', async (_name, query, ids) => {
    const b = loaded.get('profiles') as unknown as MappedBackends<UserProfile>;
    const expected = plain(await listUserBadges(b.reference, query));
    expect(expected.map((badge: UserBadge) => badge.id)).toEqual(ids);
    for (const [name, repo] of b.mapped) {
      expect({ name, badges: plain(await listUserBadges(repo, query)) }).toEqual({
        name,
        badges: expected,
      });
    }
  });
});

describe('what the App queries but never stores', () => {
  it('is refused where the specification is written, with what to query instead', () => {
    // The App orders sessions by StartTime and finds free bundles by IsFree; neither is stored.
    expect(() => specOf(gameSessions).orderBy('startTime')).toThrow(
      /"startTime": it is not stored .*query startedAt/,
    );
    expect(() => specOf(scenarios).where((w) => w.arrayContains('tags', 'a,b'))).toThrow(
      /comma-joined string/,
    );
    expect(() => specOf(gameSessions).orderBy('status')).toThrow(/enums are stored as numbers/);
  });
});
