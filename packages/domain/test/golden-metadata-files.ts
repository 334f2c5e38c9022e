/**
 * Golden singleton "file" documents, written from the data-model reference (1.2.14): one of each
 * container with its fixed id, the text `Version`, entries typed in part (a legacy text
 * `AgeRating` in the character media entries is kept as stored), comma-joined lists and the
 * age group → avatars object.
 */
import type { StoredDocument } from '@mystira/repository';

const dates = { CreatedAt: '2026-01-05T08:00:00Z', UpdatedAt: '2026-02-01T10:00:00.5Z' };

/** The `MediaMetadataFiles` document. */
export const mediaMetadataFileCurrent: StoredDocument = {
  id: 'media-metadata',
  Entries: [
    {
      Id: 'm-1',
      Title: 'Waves',
      FileName: 'waves.mp3',
      Type: 'audio',
      Description: null,
      AgeRating: 3,
      SubjectReferenceId: null,
      ClassificationTags: 'mood:calm|place:sea',
      Modifiers: 'volume:low',
      Loopable: true,
    },
  ],
  ...dates,
  Version: '1.0',
  $type: 'MediaMetadataFile',
};

/** The `CharacterMediaMetadataFiles` document (one entry with a legacy text `AgeRating`). */
export const characterMediaMetadataFileCurrent: StoredDocument = {
  id: 'character-media-metadata',
  Entries: [
    {
      Id: 'cm-1',
      Title: 'Keeper portrait',
      FileName: 'keeper.png',
      Type: 'image',
      Description: 'The old keeper',
      AgeRating: '6',
      Tags: 'portrait,keeper',
      Loopable: false,
    },
  ],
  ...dates,
  Version: '1.0',
  $type: 'CharacterMediaMetadataFile',
};

/** The `CharacterMapFiles` document. */
export const characterMapFileCurrent: StoredDocument = {
  id: 'character-map',
  Characters: [
    {
      Id: 'char-1',
      Name: 'Old Keeper',
      Image: 'media/characters/keeper.png',
      Metadata: {
        Roles: 'mentor,guardian',
        Archetypes: 'sage',
        Traits: 'wise,kind',
        Species: 'human',
        Age: 70,
        Backstory: 'Kept the light.',
      },
    },
  ],
  ...dates,
  Version: '1.0',
  $type: 'CharacterMapFile',
};

/** The `AvatarConfigurationFiles` document. */
export const avatarConfigurationFileCurrent: StoredDocument = {
  id: 'avatar-configuration',
  AgeGroupAvatars: { '6-9': ['avatar-1', 'avatar-2'], '10-12': ['avatar-3'] },
  ...dates,
  Version: '1.0',
  $type: 'AvatarConfigurationFile',
};
