/**
 * @mystira/domain: Mystira's App entities as TypeScript types, with the codecs that read and
 * write the documents the .NET App stores in Cosmos DB through EF Core (both domain
 * generations), their containers and partition keys, the routing defaults of the roadmap, and
 * specifications ported from the App. Use a codec with `mapped()` from `@mystira/repository` over
 * any repository of the stored documents (memory, PostgreSQL, Cosmos DB).
 *
 * @packageDocumentation
 */

export {
  type Account,
  type AccountSettings,
  type Audited,
  accounts,
  type SoftDeletable,
  type Subscription,
} from './accounts.js';
export {
  type ProfileScores,
  type ScenarioScores,
  type SessionRange,
  type SessionsOnDay,
  scenariosPerProfile,
  scoresPerScenario,
  sessionsPerStatusPerDay,
} from './analytics.js';
export {
  type AxisAchievement,
  axisAchievements,
  axisAchievementsByAgeGroup,
  axisAchievementsByCompassAxis,
} from './axis-achievements.js';
export {
  allBadgeConfigurations,
  type BadgeConfiguration,
  badgeConfigurations,
  badgeConfigurationsByAxis,
} from './badge-configurations.js';
export {
  type BadgeImage,
  badgeImageByImageId,
  badgeImages,
} from './badge-images.js';
export {
  type Badge,
  badgeByAgeGroupAxisAndTier,
  badges,
  badgesByAgeGroup,
  badgesByAgeGroupAndAxis,
  badgesByCompassAxis,
} from './badges.js';
export {
  type CharacterMap,
  type CharacterMapMetadata,
  characterMapByName,
  characterMaps,
} from './character-maps.js';
export {
  type CompassChangeRecord,
  type CompassTracking,
  compassTrackings,
} from './compass-trackings.js';
export {
  type ContainerInfo,
  containerInfo,
  containers,
  routingDefaults,
  type Store,
} from './containers.js';
export {
  activeContentBundles,
  type BundlePrice,
  type ContentBundle,
  contentBundles,
  contentBundlesByAgeGroup,
  contentBundlesByPriceRange,
  contentBundlesByScenario,
  freeContentBundles,
} from './content-bundles.js';
export {
  DATA_DELETION_MAX_RETRIES,
  type DataDeletionRequest,
  type DeletionAuditEntry,
  dataDeletionRequests,
  dataDeletionsByChildProfile,
  pendingDataDeletions,
} from './data-deletion-requests.js';
export {
  type AgeGroupDefinition,
  type ArchetypeDefinition,
  activeDefinitions,
  ageGroupByValue,
  ageGroupDefinitions,
  archetypeDefinitions,
  type CompassAxisDefinition,
  compassAxisDefinitions,
  type Definition,
  definitionByName,
  type EchoTypeDefinition,
  echoTypeDefinitions,
  type FantasyThemeDefinition,
  fantasyThemeDefinitions,
} from './definitions.js';
export {
  AccountStatus,
  type AccountStatusName,
  AccountType,
  type AccountTypeName,
  AchievementType,
  type AchievementTypeName,
  AuthProvider,
  type AuthProviderName,
  ConsentStatus,
  type ConsentStatusName,
  ConsentVerificationMethod,
  type ConsentVerificationMethodName,
  ContributorRole,
  type ContributorRoleName,
  DeletionRequestSource,
  type DeletionRequestSourceName,
  DeletionStatus,
  type DeletionStatusName,
  DifficultyLevel,
  type DifficultyLevelName,
  LEGACY_ACHIEVEMENT_TYPE,
  LEGACY_CONTRIBUTOR_ROLE,
  LEGACY_PLAYER_TYPE,
  LEGACY_SCENE_TYPE,
  LEGACY_SESSION_LENGTH,
  LEGACY_SESSION_STATUS,
  MUSIC_CONTINUITIES,
  MUSIC_DUCKINGS,
  MUSIC_PRIORITIES,
  MUSIC_PROFILES,
  MUSIC_TRANSITION_HINTS,
  PendingSignupStatus,
  type PendingSignupStatusName,
  PlayerType,
  type PlayerTypeName,
  PublicationStatus,
  type PublicationStatusName,
  ScenarioSceneType,
  type ScenarioSceneTypeName,
  SceneType,
  type SceneTypeName,
  SessionAchievementType,
  type SessionAchievementTypeName,
  SessionEndReason,
  type SessionEndReasonName,
  SessionLength,
  type SessionLengthName,
  SessionStatus,
  type SessionStatusName,
  SubscriptionType,
  type SubscriptionTypeName,
} from './enums.js';
export {
  type CompassChange,
  type CompassValue,
  type EchoLog,
  type GameSession,
  gameSessions,
  type SessionAchievement,
  type SessionCharacterAssignment,
  type SessionChoice,
} from './game-sessions.js';
export {
  type MediaAsset,
  mediaAssetByMediaId,
  mediaAssets,
  mediaAssetsByMediaIds,
} from './media-assets.js';
export {
  type AvatarConfigurationFile,
  avatarConfigurationFiles,
  type CharacterMapFile,
  type CharacterMapFileCharacter,
  type CharacterMediaMetadataEntry,
  type CharacterMediaMetadataFile,
  characterMapFiles,
  characterMediaMetadataFiles,
  type MediaMetadataEntry,
  type MediaMetadataFile,
  type MetadataFile,
  mediaMetadataFiles,
  singletonFile,
} from './metadata-files.js';
export {
  consentByVerificationToken,
  consentsByChildProfile,
  type ParentalConsent,
  parentalConsents,
} from './parental-consents.js';
export {
  type PendingSignup,
  pendingSignupByVerificationTokenHash,
  pendingSignups,
  pendingSignupsByEmail,
} from './pending-signups.js';
export { type PlayerScenarioScore, playerScenarioScores } from './player-scenario-scores.js';
export {
  activeSessionsByAccountAndScenario,
  badgeByAgeGroupAxisAndTierOrder,
  compassAxisBadgesByAgeGroupAndTier,
  scenarioByTitle,
  sessionsByProfileOrPlayer,
} from './repository-queries.js';
export {
  type DomainBinding,
  type DomainRouting,
  type DomainRoutingOptions,
  domainRouting,
  type RoutedEntities,
  type RoutedEntityName,
  type RoutingStores,
  routedCodecs,
  type StoredRepositoryFactory,
} from './routing.js';
export {
  type CharacterMetadata,
  type MusicPalette,
  type MusicProfileName,
  type Scenario,
  type ScenarioCharacter,
  type Scene,
  type SceneMusic,
  scenarios,
} from './scenarios.js';
export {
  accountByEmail,
  accountByExternalUserId,
  accountsByEmailPattern,
  accountsByStatus,
  accountsPaginated,
  accountsWithActiveSubscription,
  activeAccounts,
  activeSessions,
  completedSessions,
  featuredScenarios,
  gameSessionsPaginated,
  guestProfiles,
  inProgressSessions,
  nonGuestProfiles,
  npcProfiles,
  onboardedProfiles,
  type ProfileFilters,
  playerScenarioScoreByProfileAndScenario,
  playerScenarioScoresByProfile,
  profilesByAccount,
  profilesByAgeGroup,
  profilesByNamePattern,
  profilesPaginated,
  publishedScenarios,
  type ScenarioFilters,
  type SessionFilters,
  scenariosByAgeGroup,
  scenariosByArchetype,
  scenariosByDifficulty,
  scenariosByTag,
  scenariosByTitlePattern,
  scenariosPaginated,
  sessionsByAccount,
  sessionsByAccountAndScenario,
  sessionsByProfile,
  sessionsByScenario,
  sessionsByStatus,
  specOf,
  userProfileByAccountId,
  userProfilesWithRecentActivity,
} from './specifications.js';
export type { Contributor, StoryProtocol } from './story-protocol.js';
export {
  listUserBadges,
  type UserBadgeQuery,
  userBadgeById,
  userBadgeByProfileAndConfiguration,
  userBadgesByAxis,
  userBadgesByGameSession,
  userBadgesByProfile,
  userBadgesByScenario,
} from './user-badges.js';
export { type UserBadge, type UserProfile, userProfiles } from './user-profiles.js';
