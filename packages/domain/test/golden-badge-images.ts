/**
 * Golden `BadgeImages` documents, written from the data-model reference (1.2.11, 2.7): a current
 * document and a legacy one; `ImageData` (a JSON array of byte values, as EF's converter writes
 * it) is kept as stored by the codec.
 */
import type { StoredDocument } from '@mystira/repository';

/** A `BadgeImages` document of the current domain: every mapped property written. */
export const badgeImageCurrent: StoredDocument = {
  id: 'bi-0001',
  BadgeId: '1e5f0a2b-7c3d-4e8f-9a0b-1c2d3e4f5a6b',
  ImageId: 'media/badges/school_curious_bronze.png',
  Url: 'https://cdn.example.com/media/badges/school_curious_bronze.png',
  Size: 'medium',
  Format: 'png',
  Tier: 'bronze',
  IsPrimary: true,
  ImageData: [137, 80, 78, 71],
  ContentType: 'image/png',
  FileSizeBytes: 4,
  CreatedAt: '2026-01-05T08:00:00Z',
  UpdatedAt: null,
  CreatedBy: null,
  UpdatedBy: null,
  $type: 'BadgeImage',
};

/** A legacy `BadgeImages` document (Mystira.App.Domain): 1.2.11's legacy fields only. */
export const badgeImageLegacy: StoredDocument = {
  id: 'legacy-bi-1',
  ImageId: 'media/badges/brave_silver.png',
  ContentType: 'image/png',
  ImageData: [137, 80],
  FileSizeBytes: 2,
  CreatedAt: '2025-11-16T10:00:00',
  UpdatedAt: '2025-11-16T10:00:00',
  $type: 'BadgeImage',
};
