/**
 * `Scenario` — container `Scenarios`, partition `/id` (reference 1.2.8). Its documents embed the
 * whole story: characters, scenes with their music (enums stored as member NAMES, read back
 * case-insensitively), and the music palette with a profile → tracks dictionary. Legacy documents
 * number `SessionLength` differently, hold the age group as `AgeGroup` and the cover as `Image`,
 * and their scenes hold `Description` where current ones hold `Content`; their scene types and
 * contributor roles are numbered differently.
 */
import {
  booleanField,
  commaListField,
  dateField,
  entityCodec,
  enumField,
  enumNameField,
  jsonValueField,
  numberField,
  objectField,
  objectsField,
  renumber,
  type StoredDocument,
  stringField,
} from '@mystira/repository';
import type { SoftDeletable } from './accounts.js';
import { codecOf, legacyWithout, softDeletableFields } from './base.js';
import { upgradeElements } from './embedded.js';
import {
  DifficultyLevel,
  type DifficultyLevelName,
  LEGACY_SCENE_TYPE,
  LEGACY_SESSION_LENGTH,
  MUSIC_CONTINUITIES,
  MUSIC_DUCKINGS,
  MUSIC_PRIORITIES,
  MUSIC_PROFILES,
  MUSIC_TRANSITION_HINTS,
  PublicationStatus,
  type PublicationStatusName,
  ScenarioSceneType,
  type ScenarioSceneTypeName,
  SessionLength,
  type SessionLengthName,
} from './enums.js';
import { legacyContributors, type StoryProtocol, storyProtocolField } from './story-protocol.js';

/** A music profile name. */
export type MusicProfileName = (typeof MUSIC_PROFILES)[number];

/** The scenario's music palette (`MusicPalette`). */
export interface MusicPalette {
  /** The default profile (stored as its name). */
  defaultProfile: MusicProfileName;
  /** Profile name → track ids (stored as a JSON object). */
  tracksByProfile: Record<string, string[]>;
}

/** A scene's music settings (`SceneMusicSettings`); the enums are stored as names. */
export interface SceneMusic {
  /** The profile. */
  profile: MusicProfileName;
  /** Continuity with the previous scene. */
  continuity: (typeof MUSIC_CONTINUITIES)[number];
  /** How to transition. */
  transitionHint: (typeof MUSIC_TRANSITION_HINTS)[number];
  /** Priority. */
  priority: (typeof MUSIC_PRIORITIES)[number];
  /** What to duck under. */
  ducking: (typeof MUSIC_DUCKINGS)[number];
  /** Energy, or null. */
  energy: number | null;
}

/** A scene (`Scene`); its branches and echo reveals are kept as stored. */
export interface Scene {
  /** The scene id (author-chosen in YAML-imported scenarios). */
  id: string;
  /** Title. */
  title: string;
  /** Text (legacy documents: `Description`). */
  content: string;
  /** Its type (legacy documents' numbers translated; two legacy types have no current one). */
  type: ScenarioSceneTypeName;
  /** The next scene, or null. */
  nextSceneId: string | null;
  /** Order. */
  displayOrder: number;
  /** The character that speaks, or null. */
  activeCharacter: string | null;
  /** Whether the scene ends the story. */
  isEnding: boolean;
  /** Music, or null. */
  music: SceneMusic | null;
}

/** A character's metadata (`ScenarioCharacterMetadata`): the id lists are stored comma-joined. */
export interface CharacterMetadata {
  /** Role ids. */
  roleIds: string[];
  /** Archetype ids. */
  archetypeIds: string[];
  /** Trait ids. */
  traitIds: string[];
  /** Species id, or null. */
  speciesId: string | null;
  /** Age. */
  age: number;
  /** Backstory, or null. */
  backstory: string | null;
}

/** A character of the scenario (`ScenarioCharacter`). */
export interface ScenarioCharacter {
  /** The character id. */
  id: string;
  /** Name. */
  name: string;
  /** Role, or null. */
  role: string | null;
  /** Archetype, or null. */
  archetypeId: string | null;
  /** Metadata, or null. */
  metadata: CharacterMetadata | null;
  /** Whether a player can play it. */
  isPlayable: boolean;
  /** Order. */
  displayOrder: number;
}

/** A scenario (reference 1.2.8); dates are instants in `toISOString()` form. */
export interface Scenario extends SoftDeletable {
  /** The scenario id, also the partition key. */
  id: string;
  /** Title. */
  title: string;
  /** URL slug. */
  slug: string;
  /** Description. */
  description: string;
  /** Summary, or null. */
  summary: string | null;
  /** The author. */
  authorId: string;
  /** The bundle it belongs to, or null. */
  contentBundleId: string | null;
  /** Difficulty. */
  difficulty: DifficultyLevelName;
  /** Length (legacy numbers translated). */
  sessionLength: SessionLengthName;
  /** Publication status. */
  status: PublicationStatusName;
  /** Age group id (legacy documents: `AgeGroup`, possibly of the old vocabulary), or null. */
  ageGroupId: string | null;
  /** Theme, or null. */
  themeId: string | null;
  /** Cover image (legacy documents: `Image`), or null. */
  coverImageUrl: string | null;
  /** Thumbnail, or null. */
  thumbnailUrl: string | null;
  /** The music palette, or null. */
  musicPalette: MusicPalette | null;
  /** The first scene, or null. */
  startSceneId: string | null;
  /** Version (default 1). */
  version: number;
  /** Whether it is featured. */
  isFeatured: boolean;
  /** Published at, or null. */
  publishedAt: string | null;
  /** Times played. */
  playCount: number;
  /** Ratings given. */
  ratingCount: number;
  /** Average rating (a .NET decimal), or null. */
  averageRating: number | null;
  /** Estimated minutes, or null. */
  estimatedPlayTimeMinutes: number | null;
  /** Fewest players (default 1). */
  minPlayers: number;
  /** Most players (default 1). */
  maxPlayers: number;
  /** JSON text, or null. */
  tagsJson: string | null;
  /** Tags (stored comma-joined). */
  tags: string[];
  /** Archetypes (stored comma-joined). */
  archetypes: string[];
  /** Minimum age. */
  minimumAge: number;
  /** Core axes (stored comma-joined). */
  coreAxes: string[];
  /** Whether it is active (default true). */
  isActive: boolean;
  /** The IP registration and its contributors, or null. */
  storyProtocol: StoryProtocol | null;
  /** The characters. */
  characters: ScenarioCharacter[];
  /** The scenes. */
  scenes: Scene[];
}

/**
 * Legacy scenes hold `Description` where current ones hold `Content`, and their `Type` in the
 * legacy numbering (1.4).
 */
function legacyScenes(doc: StoredDocument): StoredDocument {
  return upgradeElements(doc, 'Scenes', (scene) =>
    renumber(
      !Object.hasOwn(scene, 'Content') && Object.hasOwn(scene, 'Description')
        ? { ...scene, Content: scene.Description }
        : scene,
      'Type',
      LEGACY_SCENE_TYPE,
    ),
  );
}

const music = objectField('Music', {
  profile: enumNameField('Profile', MUSIC_PROFILES, { default: 'Neutral' }),
  continuity: enumNameField('Continuity', MUSIC_CONTINUITIES),
  transitionHint: enumNameField('TransitionHint', MUSIC_TRANSITION_HINTS),
  priority: enumNameField('Priority', MUSIC_PRIORITIES),
  ducking: enumNameField('Ducking', MUSIC_DUCKINGS),
  energy: numberField('Energy').nullable(),
}).nullable();

const scenarioCodec = entityCodec({
  container: 'Scenarios',
  type: 'Scenario',
  fields: {
    id: stringField('id'),
    title: stringField('Title'),
    slug: stringField('Slug'),
    description: stringField('Description'),
    summary: stringField('Summary').nullable(),
    authorId: stringField('AuthorId'),
    contentBundleId: stringField('ContentBundleId').nullable(),
    difficulty: enumField('Difficulty', DifficultyLevel),
    sessionLength: enumField('SessionLength', SessionLength),
    status: enumField('Status', PublicationStatus),
    ageGroupId: stringField('AgeGroupId').nullable(),
    themeId: stringField('ThemeId').nullable(),
    coverImageUrl: stringField('CoverImageUrl').nullable(),
    thumbnailUrl: stringField('ThumbnailUrl').nullable(),
    musicPalette: objectField('MusicPalette', {
      defaultProfile: enumNameField('DefaultProfile', MUSIC_PROFILES, { default: 'Neutral' }),
      tracksByProfile: jsonValueField<Record<string, string[]>>('TracksByProfile', {}),
    }).nullable(),
    startSceneId: stringField('StartSceneId').nullable(),
    version: numberField('Version', { default: 1 }),
    isFeatured: booleanField('IsFeatured'),
    publishedAt: dateField('PublishedAt').nullable(),
    playCount: numberField('PlayCount'),
    ratingCount: numberField('RatingCount'),
    averageRating: numberField('AverageRating').nullable(),
    estimatedPlayTimeMinutes: numberField('EstimatedPlayTimeMinutes').nullable(),
    minPlayers: numberField('MinPlayers', { default: 1 }),
    maxPlayers: numberField('MaxPlayers', { default: 1 }),
    tagsJson: stringField('TagsJson').nullable(),
    tags: commaListField('Tags'),
    archetypes: commaListField('Archetypes'),
    minimumAge: numberField('MinimumAge'),
    coreAxes: commaListField('CoreAxes'),
    isActive: booleanField('IsActive', { default: true }),
    storyProtocol: storyProtocolField(),
    characters: objectsField('Characters', {
      id: stringField('Id'),
      name: stringField('Name'),
      role: stringField('Role').nullable(),
      archetypeId: stringField('ArchetypeId').nullable(),
      metadata: objectField('Metadata', {
        roleIds: commaListField('RoleIds'),
        archetypeIds: commaListField('ArchetypeIds'),
        traitIds: commaListField('TraitIds'),
        speciesId: stringField('SpeciesId').nullable(),
        age: numberField('Age'),
        backstory: stringField('Backstory').nullable(),
      }).nullable(),
      isPlayable: booleanField('IsPlayable'),
      displayOrder: numberField('DisplayOrder'),
    }),
    scenes: objectsField('Scenes', {
      id: stringField('Id'),
      title: stringField('Title'),
      content: stringField('Content'),
      type: enumField('Type', ScenarioSceneType),
      nextSceneId: stringField('NextSceneId').nullable(),
      displayOrder: numberField('DisplayOrder'),
      activeCharacter: stringField('ActiveCharacter').nullable(),
      isEnding: booleanField('IsEnding'),
      music,
    }),
    ...softDeletableFields(),
  },
  generations: [
    // No legacy model was soft-deletable; EF writes IsDeleted on every current document
    // [inferred from 1.1]. Renames, and the SessionLength, SceneType and ContributorRole
    // numberings: 1.2.8 and 1.4.
    legacyWithout('IsDeleted', {
      rename: { AgeGroup: 'AgeGroupId', Image: 'CoverImageUrl' },
      renumber: { SessionLength: LEGACY_SESSION_LENGTH },
      upgrade: (doc) => legacyContributors(legacyScenes(doc)),
      touches: ['StoryProtocol'],
    }),
  ],
});

/** The codec of `Scenarios` documents (both generations): use it with `mapped()`. */
export const scenarios = codecOf<Scenario>()(scenarioCodec);
