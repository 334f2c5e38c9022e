/**
 * The 25 containers the App's EF Core model (CTX-APP) declares in the Cosmos DB database
 * `MystiraAppDb`: one entity type each, its `$type`, its partition-key path, and where the
 * roadmap (ADR-0013) puts the entity. Source: the data-model reference, sections 1.0, 2.2 and 7.
 */

/** Where an entity's data lives by default. */
export type Store = 'cosmos' | 'postgresql';

/** One container of `MystiraAppDb`. */
export interface ContainerInfo {
  /** The container name. */
  readonly container: string;
  /** The `$type` EF Core writes (the C# class name). */
  readonly type: string;
  /** The partition-key path as the App's model declares it (single path, no hierarchy). */
  readonly partitionKey: string;
  /** The roadmap's target store (ADR-0013), which the routing defaults follow. */
  readonly target: Store;
  /** Contradictions between the sources and other facts that matter when routing it. */
  readonly notes?: string;
}

const cosmos = (
  container: string,
  type: string,
  partitionKey = '/id',
  notes?: string,
): ContainerInfo =>
  Object.freeze({ container, type, partitionKey, target: 'cosmos', ...(notes ? { notes } : {}) });
const postgres = (
  container: string,
  type: string,
  partitionKey: string,
  notes: string,
): ContainerInfo => Object.freeze({ container, type, partitionKey, target: 'postgresql', notes });

/** Every container, in the reference's order. */
export const containers: readonly ContainerInfo[] = Object.freeze([
  postgres(
    'Accounts',
    'Account',
    '/id',
    'Users & Accounts → PostgreSQL (ADR-0013, "future"); V001 creates `accounts`.',
  ),
  cosmos('UserProfiles', 'UserProfile'),
  cosmos(
    'GameSessions',
    'GameSession',
    '/accountId',
    'ADR-0013 keeps Game Sessions in Cosmos DB, yet V001 prepares a PostgreSQL `game_sessions` copy.',
  ),
  cosmos(
    'PlayerScenarioScores',
    'PlayerScenarioScore',
    '/ProfileId',
    'CTX-ADMIN partitions on /UserId; progress stays in Cosmos DB, V001 prepares a PostgreSQL copy.',
  ),
  postgres(
    'CompassTrackings',
    'CompassTracking',
    '/id',
    'Analytics → PostgreSQL (ADR-0013 "analytical/tracking"); no schema exists yet and nothing writes it.',
  ),
  cosmos('Scenarios', 'Scenario'),
  cosmos('ContentBundles', 'ContentBundle'),
  cosmos('CharacterMaps', 'CharacterMap'),
  cosmos('Badges', 'Badge'),
  cosmos('BadgeImages', 'BadgeImage'),
  cosmos('BadgeConfigurations', 'BadgeConfiguration'),
  cosmos('AxisAchievements', 'AxisAchievement'),
  cosmos(
    'CompassAxes',
    'CompassAxisDefinition',
    '/id',
    'Legacy documents carry `$type` CompassAxis.',
  ),
  cosmos('ArchetypeDefinitions', 'ArchetypeDefinition'),
  cosmos('EchoTypeDefinitions', 'EchoTypeDefinition'),
  cosmos('FantasyThemeDefinitions', 'FantasyThemeDefinition'),
  cosmos('AgeGroupDefinitions', 'AgeGroupDefinition'),
  cosmos('MediaAssets', 'MediaAsset', '/mediaType'),
  cosmos('MediaMetadataFiles', 'MediaMetadataFile', '/id', 'One document, id `media-metadata`.'),
  cosmos(
    'CharacterMediaMetadataFiles',
    'CharacterMediaMetadataFile',
    '/id',
    'One document, id `character-media-metadata`.',
  ),
  cosmos('CharacterMapFiles', 'CharacterMapFile', '/id', 'One document, id `character-map`.'),
  cosmos(
    'AvatarConfigurationFiles',
    'AvatarConfigurationFile',
    '/id',
    'One document, id `avatar-configuration`.',
  ),
  cosmos('ParentalConsents', 'ParentalConsent', '/ChildProfileId', 'Not covered by the roadmap.'),
  cosmos(
    'DataDeletionRequests',
    'DataDeletionRequest',
    '/ChildProfileId',
    'Not covered by the roadmap.',
  ),
  cosmos(
    'PendingSignups',
    'PendingSignup',
    '/Email',
    'Terraform says /email, EF maps /Email; PostgreSQL only in the user-domain plan (docs).',
  ),
]);

/** The container of a name, or undefined. */
export function containerInfo(container: string): ContainerInfo | undefined {
  return containers.find((c) => c.container === container);
}

/**
 * The default store of every container (the roadmap's), with `overrides` applied: the routing a
 * polyglot registry starts from, changeable per container.
 */
export function routingDefaults(
  overrides: Readonly<Record<string, Store>> = {},
): ReadonlyMap<string, Store> {
  return new Map(containers.map((c) => [c.container, overrides[c.container] ?? c.target]));
}
