/**
 * `CharacterMap` — container `CharacterMaps`, partition `/id` (reference 1.2.10): a character as
 * placed in a session. Its owned `Metadata` is typed in part: `Traits` is comma-joined in both
 * hosts, but `Roles` and `Archetypes` are JSON arrays when the App writes them [inferred] and
 * comma-joined strings when the Admin API does, so they are kept as stored; so is the Admin API's
 * embedded `CompassTracking` (the App has no such property). Legacy documents hold only `id`,
 * `Name`, `Image`, `Audio`, `Metadata` and the dates.
 */
import {
  booleanField,
  commaListField,
  entityCodec,
  numberField,
  objectField,
  stringField,
} from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import type { Audited } from './accounts.js';
import { codecOf, entityFields, legacyWithout } from './base.js';
import { specOf } from './specifications.js';

/** The typed part of a character map's `Metadata` (`Roles`, `Archetypes` are kept as stored). */
export interface CharacterMapMetadata {
  /** Species, or null. */
  species: string | null;
  /** Age. */
  age: number;
  /** Traits (stored comma-joined). */
  traits: string[];
  /** Backstory, or null. */
  backstory: string | null;
}

/** A character map (reference 1.2.10); dates are instants in `toISOString()` form. */
export interface CharacterMap extends Audited {
  /** The id. */
  id: string;
  /** The session (legacy documents: none, `""`). */
  sessionId: string;
  /** The character. */
  characterId: string;
  /** Name. */
  name: string;
  /** Display name. */
  displayName: string;
  /** Image, or null. */
  image: string | null;
  /** Audio, or null. */
  audio: string | null;
  /** The player, or null. */
  playerId: string | null;
  /** Avatar URL, or null. */
  avatarUrl: string | null;
  /** Archetype, or null. */
  archetypeId: string | null;
  /** AI behaviour profile, or null. */
  aiBehaviorProfile: string | null;
  /** JSON text, or null. */
  revealedEchosJson: string | null;
  /** The current scene, or null. */
  currentSceneId: string | null;
  /** JSON text, or null. */
  attributesJson: string | null;
  /** Whether the AI plays it. */
  isAiControlled: boolean;
  /** Metadata (typed in part), or null. */
  metadata: CharacterMapMetadata | null;
}

const characterMapCodec = entityCodec({
  container: 'CharacterMaps',
  type: 'CharacterMap',
  fields: {
    id: stringField('id'),
    sessionId: stringField('SessionId'),
    characterId: stringField('CharacterId'),
    name: stringField('Name'),
    displayName: stringField('DisplayName'),
    image: stringField('Image').nullable(),
    audio: stringField('Audio').nullable(),
    playerId: stringField('PlayerId').nullable(),
    avatarUrl: stringField('AvatarUrl').nullable(),
    archetypeId: stringField('ArchetypeId').nullable(),
    aiBehaviorProfile: stringField('AiBehaviorProfile').nullable(),
    revealedEchosJson: stringField('RevealedEchosJson').nullable(),
    currentSceneId: stringField('CurrentSceneId').nullable(),
    attributesJson: stringField('AttributesJson').nullable(),
    isAiControlled: booleanField('IsAiControlled'),
    metadata: objectField('Metadata', {
      species: stringField('Species').nullable(),
      age: numberField('Age'),
      traits: commaListField('Traits'),
      backstory: stringField('Backstory').nullable(),
    }).nullable(),
    ...entityFields(),
  },
  generations: [
    // `IsAiControlled` is not in the legacy shape (1.2.10, listed in full) and, a bool, is in
    // every current document (EF writes every property; a bool is never null, where an unset
    // string such as `SessionId` would be written as null). The legacy fields keep their names.
    legacyWithout('IsAiControlled'),
  ],
});

/** The codec of `CharacterMaps` documents (both generations): use it with `mapped()`. */
export const characterMaps = codecOf<CharacterMap>()(characterMapCodec);

// --- Specifications (core `CharacterMapSpecifications.cs`, reference 4.2) ----------------------

/**
 * `CharacterMapByNameSpec` (and `CharacterMapExistsByNameSpec`, the same filter used with
 * `any`): the name, exact and case-sensitive, as the App compares it.
 */
export function characterMapByName(name: string): Specification<CharacterMap> {
  return specOf(characterMaps).where((w) => w.eq('name', name));
}
