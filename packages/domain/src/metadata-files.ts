/**
 * The four singleton "file" documents (reference 1.2.14): each container normally holds one
 * document with a fixed `id`, which the App reads as "the first document in the container" and
 * updates in place. `Version` is text (`"1.0"`). The array elements are typed in part: the
 * `key:value|key:value` strings of `ClassificationTags` and `Modifiers` are kept as that text,
 * and `CharacterMediaMetadataEntry.AgeRating` (an int, text in legacy documents) is kept as
 * stored. `AgeGroupAvatars` is an object written through a JObject converter, read also when
 * double-encoded.
 */
import {
  booleanField,
  commaListField,
  dateField,
  type EntityCodec,
  entityCodec,
  jsonValueField,
  numberField,
  objectField,
  objectsField,
  stringField,
} from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import { codecOf } from './base.js';
import { specOf } from './specifications.js';

/** The fields of every singleton file; dates are instants in `toISOString()` form. */
export interface MetadataFile {
  /** The fixed id (`media-metadata`, `character-media-metadata`, …). */
  id: string;
  /** Created. */
  createdAt: string;
  /** Updated. */
  updatedAt: string;
  /** Version text (default `"1.0"`). */
  version: string;
}

/** The properties both kinds of media entry have (reference 1.2.14). */
export interface MediaFileEntry {
  /** Id. */
  id: string;
  /** Title. */
  title: string;
  /** File name. */
  fileName: string;
  /** Type. */
  type: string;
  /** Description, or null. */
  description: string | null;
  /** Whether it loops. */
  loopable: boolean;
}

/** `MediaMetadataEntry` (typed in part). */
export interface MediaMetadataEntry extends MediaFileEntry {
  /** Age rating. */
  ageRating: number;
  /** Subject reference, or null. */
  subjectReferenceId: string | null;
  /** `key:value|key:value` text (split on the first `:`), or null. */
  classificationTags: string | null;
  /** `key:value|key:value` text, or null. */
  modifiers: string | null;
}

/** `MediaMetadataFile` (container `MediaMetadataFiles`, id `media-metadata`). */
export interface MediaMetadataFile extends MetadataFile {
  /** The entries. */
  entries: MediaMetadataEntry[];
}

/** `CharacterMediaMetadataEntry` (typed in part: `AgeRating` is kept as stored). */
export interface CharacterMediaMetadataEntry extends MediaFileEntry {
  /** Tags (stored comma-joined). */
  tags: string[];
}

/** `CharacterMediaMetadataFile` (container `CharacterMediaMetadataFiles`). */
export interface CharacterMediaMetadataFile extends MetadataFile {
  /** The entries. */
  entries: CharacterMediaMetadataEntry[];
}

/** `CharacterMapFileCharacter`. */
export interface CharacterMapFileCharacter {
  /** Id. */
  id: string;
  /** Name. */
  name: string;
  /** Image, or null. */
  image: string | null;
  /** Metadata, or null. */
  metadata: {
    /** Roles (stored comma-joined). */
    roles: string[];
    /** Archetypes (stored comma-joined). */
    archetypes: string[];
    /** Traits (stored comma-joined). */
    traits: string[];
    /** Species, or null. */
    species: string | null;
    /** Age. */
    age: number;
    /** Backstory, or null. */
    backstory: string | null;
  } | null;
}

/** `CharacterMapFile` (container `CharacterMapFiles`, id `character-map`). */
export interface CharacterMapFile extends MetadataFile {
  /** The characters. */
  characters: CharacterMapFileCharacter[];
}

/** `AvatarConfigurationFile` (container `AvatarConfigurationFiles`, id `avatar-configuration`). */
export interface AvatarConfigurationFile extends MetadataFile {
  /** Age group → avatar media ids. */
  ageGroupAvatars: Record<string, string[]>;
}

function fileFields() {
  return {
    id: stringField('id'),
    createdAt: dateField('CreatedAt'),
    updatedAt: dateField('UpdatedAt'),
    version: stringField('Version', { default: '1.0' }),
  } as const;
}

/** The stored properties both kinds of media entry begin with (`Loopable` ends both). */
function mediaEntryFields() {
  return {
    id: stringField('Id'),
    title: stringField('Title'),
    fileName: stringField('FileName'),
    type: stringField('Type'),
    description: stringField('Description').nullable(),
  } as const;
}

const mediaMetadataFileCodec = entityCodec({
  container: 'MediaMetadataFiles',
  type: 'MediaMetadataFile',
  fields: {
    ...fileFields(),
    entries: objectsField('Entries', {
      ...mediaEntryFields(),
      ageRating: numberField('AgeRating'),
      subjectReferenceId: stringField('SubjectReferenceId').nullable(),
      classificationTags: stringField('ClassificationTags').nullable(),
      modifiers: stringField('Modifiers').nullable(),
      loopable: booleanField('Loopable'),
    }),
  },
});
const characterMediaMetadataFileCodec = entityCodec({
  container: 'CharacterMediaMetadataFiles',
  type: 'CharacterMediaMetadataFile',
  fields: {
    ...fileFields(),
    entries: objectsField('Entries', {
      ...mediaEntryFields(),
      tags: commaListField('Tags'),
      loopable: booleanField('Loopable'),
    }),
  },
});
const characterMapFileCodec = entityCodec({
  container: 'CharacterMapFiles',
  type: 'CharacterMapFile',
  fields: {
    ...fileFields(),
    characters: objectsField('Characters', {
      id: stringField('Id'),
      name: stringField('Name'),
      image: stringField('Image').nullable(),
      metadata: objectField('Metadata', {
        roles: commaListField('Roles'),
        archetypes: commaListField('Archetypes'),
        traits: commaListField('Traits'),
        species: stringField('Species').nullable(),
        age: numberField('Age'),
        backstory: stringField('Backstory').nullable(),
      }).nullable(),
    }),
  },
});
const avatarConfigurationFileCodec = entityCodec({
  container: 'AvatarConfigurationFiles',
  type: 'AvatarConfigurationFile',
  fields: {
    ...fileFields(),
    ageGroupAvatars: jsonValueField<Record<string, string[]>>('AgeGroupAvatars', {}),
  },
});

/** The codec of the `MediaMetadataFiles` document. */
export const mediaMetadataFiles = codecOf<MediaMetadataFile>()(mediaMetadataFileCodec);
/** The codec of the `CharacterMediaMetadataFiles` document. */
export const characterMediaMetadataFiles = codecOf<CharacterMediaMetadataFile>()(
  characterMediaMetadataFileCodec,
);
/** The codec of the `CharacterMapFiles` document. */
export const characterMapFiles = codecOf<CharacterMapFile>()(characterMapFileCodec);
/** The codec of the `AvatarConfigurationFiles` document. */
export const avatarConfigurationFiles = codecOf<AvatarConfigurationFile>()(
  avatarConfigurationFileCodec,
);

/**
 * The `*FileRepository.GetAsync` query: "the first document in the container", in no stated
 * order; the port takes the first by id, so every store gives the same one when a container
 * holds more than the usual single document.
 */
export function singletonFile<T extends MetadataFile>(codec: EntityCodec<T>): Specification<T> {
  return specOf(codec as EntityCodec<MetadataFile>)
    .orderBy('id')
    .take(1) as unknown as Specification<T>;
}
