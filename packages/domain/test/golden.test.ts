import {
  accounts,
  ageGroupDefinitions,
  archetypeDefinitions,
  avatarConfigurationFiles,
  axisAchievements,
  badgeConfigurations,
  badgeImages,
  badges,
  characterMapFiles,
  characterMaps,
  characterMediaMetadataFiles,
  compassAxisDefinitions,
  compassTrackings,
  contentBundles,
  dataDeletionRequests,
  echoTypeDefinitions,
  fantasyThemeDefinitions,
  gameSessions,
  mediaAssets,
  mediaMetadataFiles,
  parentalConsents,
  pendingSignups,
  playerScenarioScores,
  scenarios,
  userProfiles,
} from '@mystira/domain';
import type { EntityCodec, StoredDocument } from '@mystira/repository';
import { describe, expect, it } from 'vitest';
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
import { compassCurrent, compassLegacy } from './golden-compass-trackings.js';
import { bundleCurrent, bundleLegacy } from './golden-content-bundles.js';
import { deletionCurrent } from './golden-data-deletion-requests.js';
import {
  ageGroupCurrent,
  archetypeCurrent,
  compassAxisCurrent,
  compassAxisLegacy,
  echoTypeCurrent,
  fantasyThemeCurrent,
} from './golden-definitions.js';
import { mediaCurrent, mediaLegacy } from './golden-media-assets.js';
import {
  avatarConfigurationFileCurrent,
  characterMapFileCurrent,
  characterMediaMetadataFileCurrent,
  mediaMetadataFileCurrent,
} from './golden-metadata-files.js';
import { consentCurrent } from './golden-parental-consents.js';
import { signupCurrent } from './golden-pending-signups.js';

const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const codecs: [string, EntityCodec<object>, StoredDocument, StoredDocument][] = [
  ['Accounts', accounts, accountCurrent, accountLegacy],
  ['GameSessions', gameSessions, sessionCurrent, sessionLegacy],
  ['UserProfiles', userProfiles, profileCurrent, profileLegacy],
  ['Scenarios', scenarios, scenarioCurrent, scenarioLegacy],
  ['PlayerScenarioScores', playerScenarioScores, scoreCurrent, scoreLegacy],
  ['ContentBundles', contentBundles as EntityCodec<object>, bundleCurrent, bundleLegacy],
  [
    'CompassAxes',
    compassAxisDefinitions as EntityCodec<object>,
    compassAxisCurrent,
    compassAxisLegacy,
  ],
  ['CompassTrackings', compassTrackings as EntityCodec<object>, compassCurrent, compassLegacy],
  ['CharacterMaps', characterMaps as EntityCodec<object>, characterMapCurrent, characterMapLegacy],
  ['BadgeImages', badgeImages as EntityCodec<object>, badgeImageCurrent, badgeImageLegacy],
  ['MediaAssets', mediaAssets as EntityCodec<object>, mediaCurrent, mediaLegacy],
  [
    'AxisAchievements',
    axisAchievements as EntityCodec<object>,
    axisAchievementCurrent,
    axisAchievementLegacy,
  ],
  [
    'BadgeConfigurations',
    badgeConfigurations as EntityCodec<object>,
    badgeConfigurationCurrent,
    badgeConfigurationLegacy,
  ],
  ['Badges', badges as EntityCodec<object>, badgeCurrent, badgeLegacy],
];

describe.each(codecs)('%s golden documents', (_name, codec, current, legacy) => {
  it('the current document decodes, validates, and encodes back byte for byte', () => {
    expect(codec.generationOf(current)).toBeNull();
    const item = codec.decode(current);
    expect(codec.domain.validate(item)).toEqual([]);
    expect(codec.stored.validate(current)).toEqual([]);
    expect(JSON.stringify(codec.encode(item))).toBe(JSON.stringify(current));
    // A fresh item (no remembered document) encodes to an equivalent document.
    const fresh = codec.encode(plain(item));
    expect(plain(codec.decode(fresh as StoredDocument))).toEqual(plain(item));
  });

  it('the legacy document decodes and is written back in the current shape, equivalent', () => {
    expect(codec.generationOf(legacy)).toBe('legacy (Mystira.App.Domain)');
    const item = codec.decode(legacy);
    expect(codec.domain.validate(item)).toEqual([]);
    const written = codec.encode(item);
    expect(codec.generationOf(written)).toBeNull();
    expect(written.$type).toBe(current.$type);
    expect(plain(codec.decode(written))).toEqual(plain(item));
    expect(codec.stored.validate(written)).toEqual([]);
  });
});

/**
 * The property whose absence marks a legacy document, per container: a value type (bool, int)
 * the current model writes on every document, never null. A current document whose strings are
 * null (an unset C# `string` is written as null) is still current.
 */
const markers: [string, EntityCodec<object>, StoredDocument, string, string[]][] = [
  [
    'CharacterMaps',
    characterMaps as EntityCodec<object>,
    characterMapCurrent,
    'IsAiControlled',
    ['SessionId', 'CharacterId'],
  ],
  [
    'BadgeImages',
    badgeImages as EntityCodec<object>,
    badgeImageCurrent,
    'IsPrimary',
    ['BadgeId', 'Url'],
  ],
  ['MediaAssets', mediaAssets as EntityCodec<object>, mediaCurrent, 'IsPublic', ['Key', 'Name']],
];

describe.each(markers)('%s generation marker', (_name, codec, current, marker, strings) => {
  it('a current document with null strings is current; without the marker it is legacy', () => {
    const nulls = Object.fromEntries(strings.map((k) => [k, null]));
    expect(codec.generationOf({ ...current, ...nulls })).toBeNull();
    const { [marker]: _dropped, ...withoutMarker } = current;
    expect(codec.generationOf(withoutMarker)).toBe('legacy (Mystira.App.Domain)');
  });
});

describe('what the golden documents decode to', () => {
  it('Account: enums by name, lists, dates, the nested objects, aliases', () => {
    const a = plain(accounts.decode(accountCurrent));
    expect(a).toMatchObject({
      id: '9a1c7e55-0000-4000-8000-000000000002',
      status: 'Active',
      type: 'Premium',
      authProvider: 'Passwordless',
      externalProviderId: 'entra|abc',
      userProfileIds: [
        '3f2b9c1e-0000-4000-8000-000000000001',
        '3f2b9c1e-0000-4000-8000-000000000003',
      ],
      completedScenarioIds: ['scn-1'],
      subscription: {
        type: 'Annual',
        purchasedScenarios: ['scn-7', 'scn-9'],
        lastVerified: '2026-02-01T10:15:00.123Z',
      },
      lastLoginAt: '2026-02-01T10:15:00.123Z',
      createdAt: '2026-01-20T08:00:00.000Z',
      isDeleted: false,
    });
  });

  it('Account (legacy): defaults for what the legacy domain lacked; the provider id under its old name', () => {
    const a = accounts.decode(accountLegacy);
    expect(plain(a)).toMatchObject({
      status: 'PendingVerification',
      type: 'Free',
      externalProviderId: 'google-oauth2|42',
      isDeleted: false,
      deletedAt: null,
      subscription: { endDate: '9999-12-31T23:59:59.999Z', startDate: '2025-11-20T08:30:00.000Z' },
    });
    const written = accounts.encode(a);
    expect(written).toMatchObject({
      ExternalProviderId: 'google-oauth2|42',
      ExternalUserId: 'google-oauth2|42',
      Status: 1,
      IsDeleted: false,
      // unchanged values keep their stored spelling
      Subscription: { EndDate: '9999-12-31T23:59:59.9999999', StartDate: '2025-11-20T08:30:00' },
      CreatedAt: '2025-11-20T08:30:00',
    });
  });

  it('GameSession: JSON text, comma list, embedded collections, computed StartTime', () => {
    const s = plain(gameSessions.decode(sessionCurrent));
    expect(s).toMatchObject({
      accountId: '9a1c7e55-0000-4000-8000-000000000002',
      status: 'Active',
      playerNames: ['Robin', 'Sam'],
      compassValues: [{ Axis: 'courage', CurrentValue: 3 }],
      playerCompassProgressTotals: { courage: 3 },
      choiceHistory: [
        {
          sceneId: 'scene-2',
          compassChange: { axisId: 'courage', delta: 1 },
          chosenAt: '2026-02-01T10:05:00.250Z',
        },
      ],
      achievements: [{ title: 'First choice', type: 'FirstChoice', pointsAwarded: 10 }],
      characterAssignments: [
        { characterId: 'char-1', isAiControlled: false, playerAssignment: { type: 'Profile' } },
      ],
      startTime: '2026-02-01T10:00:00.000Z',
      endTime: null,
    });
  });

  it('GameSession (legacy): renumbered status, compass totals from the owned array', () => {
    const s = gameSessions.decode(sessionLegacy);
    expect(plain(s)).toMatchObject({
      status: 'Completed',
      playerCompassProgressTotals: { honesty: 3 },
      isDeleted: false,
      achievements: [{ type: 'FirstChoice' }, { type: 'ConsistentChoice' }],
      characterAssignments: [{ playerAssignment: { type: 'Profile' } }], // legacy "Player"
    });
    expect(gameSessions.encode(s)).toMatchObject({
      Status: 4,
      PlayerCompassProgressTotals: '{"honesty":3}',
      // 11 is the current FirstChoice; ConsistentChoice has no current member: −1 − 4
      Achievements: [{ Type: 11, IsVisible: true }, { Type: -5 }],
      CharacterAssignments: [{ PlayerAssignment: { PlayerId: 'p-5', Type: 0 } }],
    });
  });

  it('UserProfile (legacy): old names through the aliases, DateOfBirth as a date', () => {
    const p = userProfiles.decode(profileLegacy);
    expect(plain(p)).toMatchObject({
      displayName: 'Sam',
      onboardingCompleted: true,
      dateOfBirth: '2016-09-12',
      level: 1,
      preferredFantasyThemes: ['Classic Fantasy'],
      earnedBadges: [
        { userId: '3f2b9c1e-0000-4000-8000-000000000005', threshold: 2.5, earnedCount: 1 },
      ],
    });
    expect(userProfiles.encode(p)).toMatchObject({
      DisplayName: 'Sam',
      Name: 'Sam',
      OnboardingCompleted: true,
      HasCompletedOnboarding: true,
      DateOfBirth: '2016-09-12',
      AgeGroupName: '6-9', // not the current vocabulary: kept as stored
      EarnedBadges: [
        {
          UserId: '3f2b9c1e-0000-4000-8000-000000000005',
          UserProfileId: '3f2b9c1e-0000-4000-8000-000000000005',
        },
      ],
    });
  });

  it('Scenario: music enums by name (read case-insensitively), the tracks dictionary, legacy names', () => {
    expect(plain(scenarios.decode(scenarioCurrent))).toMatchObject({
      difficulty: 'Medium',
      sessionLength: 'Medium',
      status: 'Published',
      tags: ['sea', 'storm', 'featured'],
      musicPalette: {
        defaultProfile: 'Wonder',
        tracksByProfile: { Wonder: ['t-1', 't-2'], Tense: ['t-3'] },
      },
      scenes: [
        {
          content: 'Waves crash.',
          type: 'Intro',
          music: { profile: 'Tense', ducking: 'Narration', energy: 0.8 },
        },
      ],
      characters: [{ metadata: { traitIds: ['wise', 'kind'], age: 70 } }],
      averageRating: 4.5,
    });
    const legacy = scenarios.decode(scenarioLegacy);
    expect(plain(legacy)).toMatchObject({
      sessionLength: 'Short', // legacy 0
      ageGroupId: '6-9',
      coverImageUrl: 'media/scenarios/forest.png',
      musicPalette: { defaultProfile: 'Cozy', tracksByProfile: { Cozy: ['t-9'] } },
      scenes: [
        { content: 'Sunlight.', type: 'Standard' }, // legacy Narrative
        { content: 'Left or right?', type: 'Decision' }, // legacy Choice
        { content: 'Roll.', type: 'Roll' }, // no current member
      ],
      storyProtocol: {
        contributors: [
          { name: 'Sam', role: 'Writer', contributionPercentage: 70 },
          { name: 'Lin', role: 'Composer', contributionPercentage: 30 }, // legacy MusicComposer
        ],
      },
      isActive: true,
      coreAxes: [],
    });
    expect(scenarios.encode(legacy)).toMatchObject({
      SessionLength: 1,
      AgeGroupId: '6-9',
      CoverImageUrl: 'media/scenarios/forest.png',
      MusicPalette: { DefaultProfile: 'cozy' }, // unchanged: its stored spelling is kept
      Scenes: [
        { Content: 'Sunlight.', Description: 'Sunlight.', Type: 0 },
        { Content: 'Left or right?', Type: 2 },
        { Content: 'Roll.', Type: -3 }, // a number no current member holds
      ],
      StoryProtocol: {
        RegistrationTxHash: '0xabc', // kept as stored
        Contributors: [{ Role: 3 }, { Role: 5 }],
      },
      IsDeleted: false,
    });
  });

  it('PlayerScenarioScore: the partition key under both names, JSON-text scores, decimals', () => {
    expect(plain(playerScenarioScores.decode(scoreLegacy))).toMatchObject({
      profileId: '3f2b9c1e-0000-4000-8000-000000000005',
      axisScores: { honesty: 2.5 },
      totalAttempts: 0,
    });
    expect(playerScenarioScores.encode(playerScenarioScores.decode(scoreLegacy))).toMatchObject({
      ProfileId: '3f2b9c1e-0000-4000-8000-000000000005',
      UserId: '3f2b9c1e-0000-4000-8000-000000000005',
    });
    expect(playerScenarioScores.stored.partitionKey).toBe('ProfileId');
    expect(plain(playerScenarioScores.decode(scoreCurrent))).toMatchObject({
      echoesDiscoveredPercentage: 33.33,
    });
  });

  it('ContentBundle: comma list, JSON-text prices, the cover alias; legacy IsFree and AgeGroup', () => {
    expect(plain(contentBundles.decode(bundleCurrent))).toMatchObject({
      status: 'Published',
      priceCents: 999,
      isFree: false,
      scenarioIds: ['6f1e2d3c-0000-4000-8000-00000000000a', 'scn-2'],
      prices: [
        { Value: 9.99, Currency: 'USD' },
        { Value: 8.99, Currency: 'EUR' },
      ],
    });
    const legacy = contentBundles.decode(bundleLegacy);
    expect(plain(legacy)).toMatchObject({
      ageGroupId: '6-9',
      coverImageUrl: 'media/bundles/forest.png',
      priceCents: null,
      isFree: true,
      currency: 'USD',
      isDeleted: false,
    });
    expect(contentBundles.encode(legacy)).toMatchObject({
      AgeGroupId: '6-9',
      CoverImageUrl: 'media/bundles/forest.png',
      ImageId: 'media/bundles/forest.png',
      IsFree: true,
      IsDeleted: false,
      $type: 'ContentBundle',
    });
  });

  it('Badge: the name under both names; a legacy one only as Title, with a fractional score', () => {
    expect(plain(badges.decode(badgeCurrent))).toMatchObject({
      name: 'Curious Mind',
      tierOrder: 1,
    });
    const legacy = badges.decode(badgeLegacy);
    expect(plain(legacy)).toMatchObject({
      name: 'Brave Heart',
      requiredScore: 4.5,
      isActive: true,
      isDeleted: false,
      slug: '',
    });
    expect(badges.encode(legacy)).toMatchObject({
      Name: 'Brave Heart',
      Title: 'Brave Heart',
      IsDeleted: false,
      $type: 'Badge',
    });
  });

  it('BadgeConfiguration: the achievement type by name; a legacy Axis read as axisId', () => {
    expect(plain(badgeConfigurations.decode(badgeConfigurationCurrent))).toMatchObject({
      axisId: 'curiosity',
      requiredAchievementType: 'CompassThreshold',
    });
    const legacy = badgeConfigurations.decode(badgeConfigurationLegacy);
    expect(plain(legacy)).toMatchObject({
      axisId: 'honesty',
      threshold: 2.5,
      badgeId: '',
      requiredAchievementType: null,
    });
    expect(badgeConfigurations.encode(legacy)).toMatchObject({
      AxisId: 'honesty',
      BadgeId: '',
      $type: 'BadgeConfiguration',
    });
  });

  it('AxisAchievement: the axis under both names; a legacy master-data row only as CompassAxisId', () => {
    expect(plain(axisAchievements.decode(axisAchievementCurrent))).toMatchObject({
      axisId: 'courage',
      lowestValue: -3,
    });
    const legacy = axisAchievements.decode(axisAchievementLegacy);
    expect(plain(legacy)).toMatchObject({
      axisId: 'Curiosity & Initiative',
      userId: null,
      currentValue: 0,
    });
    expect(axisAchievements.encode(legacy)).toMatchObject({
      AxisId: 'Curiosity & Initiative',
      CompassAxisId: 'Curiosity & Initiative',
      $type: 'AxisAchievement',
    });
  });

  it('MediaAsset: the partition key, the aliases; a legacy text Version and own MediaId', () => {
    expect(mediaAssets.stored.partitionKey).toBe('mediaType');
    expect(plain(mediaAssets.decode(mediaCurrent))).toMatchObject({
      sizeBytes: 48213,
      tags: ['scenario', 'cover'],
      version: 2,
    });
    const legacy = mediaAssets.decode(mediaLegacy);
    expect(plain(legacy)).toMatchObject({
      mediaType: 'audio',
      mediaId: 'forest-music',
      sizeBytes: 1200000,
      contentHash: 'md5:ff00',
      altText: 'Forest ambience',
      version: 1,
      width: null,
      isPublic: true,
    });
    expect(mediaAssets.encode(legacy)).toMatchObject({
      mediaType: 'audio',
      SizeBytes: 1200000,
      FileSizeBytes: 1200000,
      Version: 1,
      Metadata: { Format: 'mp3' },
      $type: 'MediaAsset',
    });
  });

  it('BadgeImage: defaults for the legacy document; ImageData kept as stored', () => {
    const legacy = badgeImages.decode(badgeImageLegacy);
    expect(plain(legacy)).toMatchObject({
      imageId: 'media/badges/brave_silver.png',
      size: 'medium',
      badgeId: '',
      isPrimary: false,
      fileSizeBytes: 2,
    });
    expect(badgeImages.encode(legacy)).toMatchObject({
      BadgeId: '',
      Size: 'medium',
      ImageData: [137, 80],
      $type: 'BadgeImage',
    });
  });

  it('CharacterMap: comma-joined traits; roles and archetypes kept as stored', () => {
    expect(plain(characterMaps.decode(characterMapCurrent))).toMatchObject({
      metadata: { traits: ['wise', 'kind'], age: 70 },
    });
    const legacy = characterMaps.decode(characterMapLegacy);
    expect(plain(legacy)).toMatchObject({
      name: 'Fox',
      sessionId: '',
      metadata: { species: 'fox', traits: ['clever', 'quick'] },
    });
    expect(characterMaps.encode(legacy)).toMatchObject({
      SessionId: '',
      Metadata: { Roles: ['trickster'], Traits: 'clever,quick' },
      $type: 'CharacterMap',
    });
  });

  it('CompassTracking: the axis as id; legacy history records upgraded, a fractional start kept', () => {
    const legacy = compassTrackings.decode(compassLegacy);
    expect(plain(legacy)).toMatchObject({
      id: 'honesty',
      value: 0,
      startingValue: 0.5,
      history: [{ axisId: 'honesty', delta: 2, oldValue: null, timestamp: null }],
    });
    expect(compassTrackings.encode(legacy)).toMatchObject({
      History: [{ AxisId: 'honesty', Delta: 2, DevelopmentalLink: 'truth-telling' }],
      $type: 'CompassTracking',
    });
  });
});

describe.each([
  ['ArchetypeDefinitions', archetypeDefinitions, archetypeCurrent],
  ['FantasyThemeDefinitions', fantasyThemeDefinitions, fantasyThemeCurrent],
  ['EchoTypeDefinitions', echoTypeDefinitions, echoTypeCurrent],
  ['AgeGroupDefinitions', ageGroupDefinitions, ageGroupCurrent],
  ['DataDeletionRequests', dataDeletionRequests, deletionCurrent],
  ['ParentalConsents', parentalConsents, consentCurrent],
  ['PendingSignups', pendingSignups, signupCurrent],
  ['MediaMetadataFiles', mediaMetadataFiles, mediaMetadataFileCurrent],
  ['CharacterMediaMetadataFiles', characterMediaMetadataFiles, characterMediaMetadataFileCurrent],
  ['CharacterMapFiles', characterMapFiles, characterMapFileCurrent],
  ['AvatarConfigurationFiles', avatarConfigurationFiles, avatarConfigurationFileCurrent],
] as [string, EntityCodec<object>, StoredDocument][])(
  '%s golden document (one generation)',
  (_name, codec, current) => {
    it('decodes, validates, and encodes back byte for byte', () => {
      expect(codec.generations).toEqual([]);
      const item = codec.decode(current);
      expect(codec.domain.validate(item)).toEqual([]);
      expect(codec.stored.validate(current)).toEqual([]);
      expect(JSON.stringify(codec.encode(item))).toBe(JSON.stringify(current));
    });
  },
);

describe('master-data definitions', () => {
  it('the seeder ids are the deterministic GUIDs; a legacy CompassAxis is written as CompassAxisDefinition', () => {
    expect(compassAxisCurrent.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(
      compassAxisDefinitions.encode(compassAxisDefinitions.decode(compassAxisLegacy)),
    ).toMatchObject({
      $type: 'CompassAxisDefinition',
      Name: 'Self-Regulation',
    });
    expect(plain(ageGroupDefinitions.decode(ageGroupCurrent))).toMatchObject({
      value: '6-9',
      minimumAge: 6,
    });
  });
});

describe('DataDeletionRequest', () => {
  it('enums by name, the comma-joined scope, the partition key, the audit trail', () => {
    expect(dataDeletionRequests.stored.partitionKey).toBe('ChildProfileId');
    expect(plain(dataDeletionRequests.decode(deletionCurrent))).toMatchObject({
      requestedBy: 'Parent',
      status: 'Pending',
      deletionScope: ['CosmosDB', 'BlobStorage', 'Logs'],
      auditTrail: [{ action: 'Requested', timestamp: '2026-02-01T10:00:00.000Z' }],
    });
  });
});

describe('singleton files', () => {
  it('entries typed in part; a legacy text AgeRating kept as stored; the avatars object', () => {
    const media = plain(characterMediaMetadataFiles.decode(characterMediaMetadataFileCurrent));
    expect(media).toMatchObject({ version: '1.0', entries: [{ tags: ['portrait', 'keeper'] }] });
    expect(characterMediaMetadataFiles.encode(media)).toMatchObject({
      Entries: [{ Tags: 'portrait,keeper' }],
    });
    expect(
      characterMediaMetadataFiles.encode(
        characterMediaMetadataFiles.decode(characterMediaMetadataFileCurrent),
      ),
    ).toMatchObject({ Entries: [{ AgeRating: '6' }] });
    expect(plain(characterMapFiles.decode(characterMapFileCurrent))).toMatchObject({
      characters: [{ metadata: { roles: ['mentor', 'guardian'], traits: ['wise', 'kind'] } }],
    });
    expect(plain(avatarConfigurationFiles.decode(avatarConfigurationFileCurrent))).toMatchObject({
      ageGroupAvatars: { '6-9': ['avatar-1', 'avatar-2'] },
    });
  });
});
