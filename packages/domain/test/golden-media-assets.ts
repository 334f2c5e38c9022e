/**
 * Golden `MediaAssets` documents, written from the data-model reference (1.2.13, 2.7, 2.12): a
 * current document as the Admin API writes it (the aliases `MediaId`, `FileSizeBytes`, `Hash`,
 * `Description` beside the current names) and a legacy one (old names only, a text `Version`, an
 * embedded `Metadata`; written after 2025-12-10, so with the camel-case `mediaType`).
 */
import type { StoredDocument } from '@mystira/repository';

/** A `MediaAssets` document of the current domain: every mapped property written. */
export const mediaCurrent: StoredDocument = {
  id: '5a4b3c2d-0000-4000-8000-0000000000m1',
  MediaId: null,
  mediaType: 'image',
  Name: 'lighthouse.png',
  Key: 'media/scenarios/lighthouse.png',
  MimeType: 'image/png',
  Url: 'https://cdn.example.com/media/scenarios/lighthouse.png',
  SizeBytes: 48213,
  FileSizeBytes: 48213,
  CdnUrl: null,
  ThumbnailUrl: null,
  UploaderId: 'acc-1',
  ContentHash: 'sha256:ab12',
  Hash: 'sha256:ab12',
  AltText: 'A lighthouse at dusk',
  Description: 'A lighthouse at dusk',
  TagsJson: null,
  MetadataJson: '{"Format":"png"}',
  Width: 1024,
  Height: 768,
  DurationSeconds: null,
  IsPublic: true,
  Version: 2,
  Tags: 'scenario,cover',
  CreatedAt: '2026-01-10T09:00:00Z',
  UpdatedAt: null,
  CreatedBy: null,
  UpdatedBy: null,
  $type: 'MediaAsset',
};

/** A legacy `MediaAssets` document (Mystira.App.Domain, after 2025-12-10): 1.2.13's legacy shape. */
export const mediaLegacy: StoredDocument = {
  id: 'legacy-media-1',
  MediaId: 'forest-music',
  Url: 'https://cdn.example.com/media/audio/forest.mp3',
  mediaType: 'audio',
  MimeType: 'audio/mpeg',
  FileSizeBytes: 1200000,
  Description: 'Forest ambience',
  Tags: 'music,forest',
  Hash: 'md5:ff00',
  Version: '1.0',
  CreatedAt: '2025-11-14T10:00:00',
  UpdatedAt: '2025-11-14T10:00:00',
  ThumbnailUrl: null,
  Metadata: {
    Width: null,
    Height: null,
    Duration: '00:02:30',
    Bitrate: 128,
    Format: 'mp3',
    AdditionalProperties: '{}',
  },
  $type: 'MediaAsset',
};
