/**
 * Golden `Badges` documents, written from the data-model reference (1.2.11, 2.3, 2.12): a current
 * document as the App writes it (`Name` and its alias `Title`, seed-data axis and age-group
 * spellings) and a legacy one (only `Title`, a fractional `RequiredScore`, no soft-delete fields).
 */
import type { StoredDocument } from '@mystira/repository';

/** A `Badges` document of the current domain (CTX-APP): every mapped property written. */
export const badgeCurrent: StoredDocument = {
  id: '1e5f0a2b-7c3d-4e8f-9a0b-1c2d3e4f5a6b',
  Name: 'Curious Mind',
  Title: 'Curious Mind',
  Slug: 'curious-mind-bronze',
  Description: 'Asked a good question.',
  Category: 'compass',
  Tier: 'bronze',
  TierOrder: 1,
  Rarity: null,
  CompassAxisId: 'Curiosity & Initiative',
  AgeGroupId: '6-9',
  RequiredScore: 3,
  ImageId: 'media/badges/school_curious_bronze.png',
  Points: 10,
  IsActive: true,
  IsSecret: false,
  CreatedAt: '2026-01-05T08:00:00Z',
  UpdatedAt: null,
  CreatedBy: null,
  UpdatedBy: null,
  IsDeleted: false,
  DeletedAt: null,
  DeletedBy: null,
  $type: 'Badge',
};

/**
 * A legacy `Badges` document (Mystira.App.Domain): the name only as `Title`, a fractional
 * `RequiredScore`, no soft-delete fields [inferred from 1.2.11 and 2.12].
 */
export const badgeLegacy: StoredDocument = {
  id: 'legacy-badge-1',
  Title: 'Brave Heart',
  Description: 'Stood up for a friend.',
  Tier: 'silver',
  TierOrder: 2,
  CompassAxisId: 'Self-Regulation',
  AgeGroupId: '6-9',
  RequiredScore: 4.5,
  ImageId: 'media/badges/brave_silver.png',
  CreatedAt: '2025-11-16T10:00:00',
  UpdatedAt: '2025-11-16T10:00:00',
  $type: 'Badge',
};
