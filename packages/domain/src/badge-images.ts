/**
 * `BadgeImage` — container `BadgeImages`, partition `/id` (reference 1.2.11): a badge's image
 * and its metadata. `ImageData` (a `byte[]`; EF's converter writes a JSON array of integers, but
 * base64 text is the other plausible shape and no live document has confirmed either, 2.7) is
 * not mapped: it is kept as stored, so a read-modify-write leaves it as it was. Legacy documents
 * hold only `id`, `ImageId`, `ContentType`, `ImageData`, `FileSizeBytes` and the dates.
 */
import { booleanField, entityCodec, numberField, stringField } from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import type { Audited } from './accounts.js';
import { codecOf, entityFields, legacyWithout } from './base.js';
import { specOf } from './specifications.js';

/** A badge image (reference 1.2.11); dates are instants in `toISOString()` form. */
export interface BadgeImage extends Audited {
  /** The id. */
  id: string;
  /** The badge (legacy documents: none, `""`). */
  badgeId: string;
  /** The image id (a media path). */
  imageId: string;
  /** URL, or null. */
  url: string | null;
  /** Size (default `"medium"`). */
  size: string;
  /** Format, or null. */
  format: string | null;
  /** Tier, or null. */
  tier: string | null;
  /** Whether it is the badge's primary image. */
  isPrimary: boolean;
  /** The MIME type (default `image/png`). */
  contentType: string;
  /** Size in bytes (a .NET long), or null. */
  fileSizeBytes: number | null;
}

const badgeImageCodec = entityCodec({
  container: 'BadgeImages',
  type: 'BadgeImage',
  fields: {
    id: stringField('id'),
    badgeId: stringField('BadgeId'),
    imageId: stringField('ImageId'),
    url: stringField('Url').nullable(),
    size: stringField('Size', { default: 'medium' }),
    format: stringField('Format').nullable(),
    tier: stringField('Tier').nullable(),
    isPrimary: booleanField('IsPrimary'),
    contentType: stringField('ContentType', { default: 'image/png' }),
    fileSizeBytes: numberField('FileSizeBytes').nullable(),
    ...entityFields(),
  },
  generations: [
    // `IsPrimary` is not in the legacy shape (1.2.11, listed in full) and, a bool, is in every
    // current document (never null, where an unset string such as `BadgeId` would be written as
    // null). The legacy fields keep their names.
    legacyWithout('IsPrimary'),
  ],
});

/** The codec of `BadgeImages` documents (both generations): use it with `mapped()`. */
export const badgeImages = codecOf<BadgeImage>()(badgeImageCodec);

// --- Specifications (core `BadgeImageSpecifications.cs`, reference 4.2) ------------------------

/** `BadgeImageByImageIdSpec`: the image by its image id (a single result). */
export function badgeImageByImageId(imageId: string): Specification<BadgeImage> {
  return specOf(badgeImages).where((w) => w.eq('imageId', imageId));
}
