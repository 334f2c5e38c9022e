/**
 * Golden `CharacterMaps` documents, written from the data-model reference (1.2.10, 2.7): a
 * current document as the App writes it (`Metadata.Roles`/`Archetypes` as JSON arrays
 * [inferred], `Traits` comma-joined) and a legacy one (1.2.10's legacy shape).
 */
import type { StoredDocument } from '@mystira/repository';

/** A `CharacterMaps` document of the current domain (CTX-APP): every mapped property written. */
export const characterMapCurrent: StoredDocument = {
  id: 'cm-0001',
  SessionId: 'b2c3d4e5f60718293a4b5c6d7e8f9012',
  CharacterId: 'char-1',
  Name: 'Old Keeper',
  DisplayName: 'The Keeper',
  Image: 'media/characters/keeper.png',
  Audio: null,
  PlayerId: null,
  AvatarUrl: null,
  ArchetypeId: 'sage',
  AiBehaviorProfile: 'calm',
  RevealedEchosJson: '[]',
  CurrentSceneId: 'scene-2',
  AttributesJson: null,
  IsAiControlled: true,
  Metadata: {
    Roles: ['mentor'],
    Archetypes: ['sage'],
    Species: 'human',
    Age: 70,
    Traits: 'wise,kind',
    Backstory: 'Kept the light for fifty years.',
  },
  CreatedAt: '2026-02-01T10:00:00Z',
  UpdatedAt: null,
  CreatedBy: null,
  UpdatedBy: null,
  $type: 'CharacterMap',
};

/** A legacy `CharacterMaps` document (Mystira.App.Domain): 1.2.10's legacy fields only. */
export const characterMapLegacy: StoredDocument = {
  id: 'legacy-cm-1',
  Name: 'Fox',
  Image: 'media/characters/fox.png',
  Audio: 'media/audio/fox.mp3',
  Metadata: {
    Roles: ['trickster'],
    Archetypes: ['rogue'],
    Species: 'fox',
    Age: 3,
    Traits: 'clever,quick',
    Backstory: 'Lives under the old oak.',
  },
  CreatedAt: '2025-11-16T10:00:00',
  UpdatedAt: '2025-11-16T10:00:00',
  $type: 'CharacterMap',
};
