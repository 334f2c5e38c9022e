/**
 * `MediaAsset` — container `MediaAssets`, partition `/mediaType` (reference 1.2.13): uploaded
 * images, audio and video. The partition key is the camel-case `mediaType`, which legacy
 * documents also hold since 2025-12-10; EF-8-era documents hold `MediaType` and belong to a
 * container partitioned on `/MediaType`, which this codec does not serve (2.12). The App ignores
 * the aliases `FileSizeBytes`, `Hash` and `Description` and the Admin API writes them beside
 * `SizeBytes`, `ContentHash` and `AltText`; legacy documents hold only the old names, a string
 * `Version` (`"1.0"`), a `MediaId` of their own, and their dimensions in an embedded `Metadata`
 * object, which is kept as stored.
 */
import {
  aliased,
  booleanField,
  commaListField,
  entityCodec,
  numberField,
  type StoredDocument,
  stringField,
} from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import type { Audited } from './accounts.js';
import { codecOf, entityFields, legacyWithout } from './base.js';
import { specOf } from './specifications.js';

/** A media asset (reference 1.2.13); dates are instants in `toISOString()` form. */
export interface MediaAsset extends Audited {
  /** The id: the API's media id. */
  id: string;
  /**
   * A legacy document's own media id (`MediaId`, which may differ from `id`); the Admin API
   * writes it equal to `id`, the App not at all (null).
   */
  mediaId: string | null;
  /** `image`, `audio` or `video`: the partition key. */
  mediaType: string;
  /** Name. */
  name: string;
  /** Storage key. */
  key: string;
  /** MIME type. */
  mimeType: string;
  /** URL. */
  url: string;
  /** Size in bytes (a .NET long; stored as `SizeBytes` and its alias `FileSizeBytes`). */
  sizeBytes: number;
  /** CDN URL, or null. */
  cdnUrl: string | null;
  /** Thumbnail URL, or null. */
  thumbnailUrl: string | null;
  /** The uploader, or null. */
  uploaderId: string | null;
  /** Content hash (stored as `ContentHash` and its alias `Hash`), or null. */
  contentHash: string | null;
  /** Alt text (stored as `AltText` and its alias `Description`), or null. */
  altText: string | null;
  /** JSON text, or null. */
  tagsJson: string | null;
  /** JSON text, or null (legacy documents: an embedded `Metadata` object, kept as stored). */
  metadataJson: string | null;
  /** Width in pixels, or null. */
  width: number | null;
  /** Height in pixels, or null. */
  height: number | null;
  /** Duration in seconds, or null. */
  durationSeconds: number | null;
  /** Whether it is public (default true). */
  isPublic: boolean;
  /** Version (legacy documents: text such as `"1.0"`, read as its leading integer). */
  version: number;
  /** Tags (stored comma-joined). */
  tags: string[];
}

/** Legacy `Version` is text (`"1.0"`): the current model's int is its leading integer. */
function legacyVersion(doc: StoredDocument): StoredDocument {
  if (typeof doc.Version !== 'string') return doc;
  const n = Number.parseInt(doc.Version, 10);
  return { ...doc, Version: Number.isFinite(n) ? n : 1 };
}

const mediaAssetCodec = entityCodec({
  container: 'MediaAssets',
  type: 'MediaAsset',
  partitionKey: 'mediaType',
  fields: {
    id: stringField('id'),
    mediaId: stringField('MediaId').nullable(),
    mediaType: stringField('mediaType'),
    name: stringField('Name'),
    key: stringField('Key'),
    mimeType: stringField('MimeType'),
    url: stringField('Url'),
    sizeBytes: aliased(numberField('SizeBytes'), 'FileSizeBytes'),
    cdnUrl: stringField('CdnUrl').nullable(),
    thumbnailUrl: stringField('ThumbnailUrl').nullable(),
    uploaderId: stringField('UploaderId').nullable(),
    contentHash: aliased(stringField('ContentHash').nullable(), 'Hash'),
    altText: aliased(stringField('AltText').nullable(), 'Description'),
    tagsJson: stringField('TagsJson').nullable(),
    metadataJson: stringField('MetadataJson').nullable(),
    width: numberField('Width').nullable(),
    height: numberField('Height').nullable(),
    durationSeconds: numberField('DurationSeconds').nullable(),
    isPublic: booleanField('IsPublic', { default: true }),
    version: numberField('Version', { default: 1 }),
    tags: commaListField('Tags'),
    ...entityFields(),
  },
  generations: [
    // `IsPublic` is not in the legacy shape (1.2.13, listed in full) and, a bool, is in every
    // current document (never null, where an unset string such as `Key` would be written as
    // null); the legacy Version is text (1.2.13).
    legacyWithout('IsPublic', {
      upgrade: legacyVersion,
      touches: ['Version'],
    }),
  ],
});

/** The codec of `MediaAssets` documents (both generations): use it with `mapped()`. */
export const mediaAssets = codecOf<MediaAsset>()(mediaAssetCodec);

// --- Specifications (core `MediaAssetSpecifications.cs`, reference 4.2) ------------------------

/**
 * `MediaAssetByMediaIdSpec` (and `MediaAssetExistsByMediaIdSpec`, the same filter used with
 * `any`): the App filters `MediaId`, an alias its model ignores (the query cannot run), which is
 * the `id` today; the port matches `id`, or a legacy document's own `MediaId`.
 */
export function mediaAssetByMediaId(mediaId: string): Specification<MediaAsset> {
  return specOf(mediaAssets).where((w) => w.or(w.eq('id', mediaId), w.eq('mediaId', mediaId)));
}

/**
 * `MediaAssetsByMediaIdsSpec`: `ids.Contains(MediaId)`, on the same terms as
 * {@link mediaAssetByMediaId} (`ARRAY_CONTAINS(@ids, c.id)` when rewritten on `id`).
 */
export function mediaAssetsByMediaIds(mediaIds: readonly string[]): Specification<MediaAsset> {
  return specOf(mediaAssets).where((w) =>
    w.or(w.in('id', [...mediaIds]), w.in('mediaId', [...mediaIds])),
  );
}
