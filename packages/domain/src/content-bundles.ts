/**
 * `ContentBundle` — container `ContentBundles`, partition `/id` (reference 1.2.9): a sellable
 * set of scenarios. `ScenarioIds` is comma-joined, `Prices` is JSON text, the cover is written
 * under `CoverImageUrl` and its legacy name `ImageId` (both contexts persist the alias). Legacy
 * documents hold the age group as `AgeGroup`, store `IsFree` (computed and never stored today)
 * and have no `PriceCents`.
 */
import {
  aliased,
  booleanField,
  commaListField,
  computedField,
  dateField,
  entityCodec,
  enumField,
  jsonTextField,
  numberField,
  stringField,
} from '@mystira/repository';
import { field, type Specification } from '@mystira/specification';
import type { SoftDeletable } from './accounts.js';
import { codecOf, legacyWithout, softDeletableFields } from './base.js';
import { PublicationStatus, type PublicationStatusName } from './enums.js';
import { specOf } from './specifications.js';
import { legacyContributors, type StoryProtocol, storyProtocolField } from './story-protocol.js';

/** One price of a bundle (`BundlePrice`, inside the `Prices` JSON text). */
export interface BundlePrice {
  /** The amount in the currency's unit (a .NET decimal, e.g. `9.99`). */
  Value: number;
  /** The ISO currency code. */
  Currency: string;
}

/** A content bundle (reference 1.2.9); dates are instants in `toISOString()` form. */
export interface ContentBundle extends SoftDeletable {
  /** The bundle id (32 hex digits, `Guid.ToString("N")`, when the App creates it). */
  id: string;
  /** Title. */
  title: string;
  /** Slug. */
  slug: string;
  /** Description. */
  description: string;
  /** Summary, or null. */
  summary: string | null;
  /** The publisher. */
  publisherId: string;
  /** The cover (stored as `CoverImageUrl` and its legacy alias `ImageId`), or null. */
  coverImageUrl: string | null;
  /** The thumbnail, or null. */
  thumbnailUrl: string | null;
  /** The age group (legacy documents: `AgeGroup`), or null. */
  ageGroupId: string | null;
  /** The theme, or null. */
  themeId: string | null;
  /** Publication status (stored as its integer). */
  status: PublicationStatusName;
  /** Whether it is premium. */
  isPremium: boolean;
  /**
   * The price in cents, or null for a legacy document, which stored none (its price is in
   * `prices`; its stored `IsFree` is kept as stored and read by `isFree`). The App reads a
   * missing `PriceCents` as 0, i.e. every legacy bundle as free; this SDK does not guess.
   */
  priceCents: number | null;
  /** The currency of `priceCents` (default `"USD"`). */
  currency: string;
  /** Whether it is featured. */
  isFeatured: boolean;
  /** When it was published, or null. */
  publishedAt: string | null;
  /** Version. */
  version: number;
  /** Plays. */
  totalPlayCount: number;
  /** Ratings. */
  ratingCount: number;
  /** Average rating (a .NET decimal), or null. */
  averageRating: number | null;
  /** JSON text, or null. */
  tagsJson: string | null;
  /** The scenarios in the bundle (stored comma-joined). */
  scenarioIds: string[];
  /** The prices (stored as JSON text). */
  prices: BundlePrice[];
  /** The IP registration and its contributors, or null. */
  storyProtocol: StoryProtocol | null;
  /**
   * Never stored by the current App: its computed `PriceCents == 0`; on a legacy document (no
   * `PriceCents`) the `IsFree` it stored. Not queryable: query `priceCents`.
   */
  isFree?: boolean;
}

const contentBundleCodec = entityCodec({
  container: 'ContentBundles',
  type: 'ContentBundle',
  fields: {
    id: stringField('id'),
    title: stringField('Title'),
    slug: stringField('Slug'),
    description: stringField('Description'),
    summary: stringField('Summary').nullable(),
    publisherId: stringField('PublisherId'),
    coverImageUrl: aliased(stringField('CoverImageUrl').nullable(), 'ImageId'),
    thumbnailUrl: stringField('ThumbnailUrl').nullable(),
    ageGroupId: stringField('AgeGroupId').nullable(),
    themeId: stringField('ThemeId').nullable(),
    status: enumField('Status', PublicationStatus),
    isPremium: booleanField('IsPremium'),
    priceCents: numberField('PriceCents').nullable(),
    currency: stringField('Currency', { default: 'USD' }),
    isFeatured: booleanField('IsFeatured'),
    publishedAt: dateField('PublishedAt').nullable(),
    version: numberField('Version'),
    totalPlayCount: numberField('TotalPlayCount'),
    ratingCount: numberField('RatingCount'),
    averageRating: numberField('AverageRating').nullable(),
    tagsJson: stringField('TagsJson').nullable(),
    scenarioIds: commaListField('ScenarioIds'),
    prices: jsonTextField<BundlePrice[]>('Prices', []),
    storyProtocol: storyProtocolField(),
    ...softDeletableFields(),
    isFree: computedField(
      (doc) => (typeof doc.PriceCents === 'number' ? doc.PriceCents === 0 : doc.IsFree === true),
      field.boolean(),
      'query priceCents (stored as PriceCents) instead, as freeContentBundles() does',
    ),
  },
  generations: [
    // No legacy model was soft-deletable; EF writes IsDeleted on every current document
    // [inferred from 1.1, as for Scenario]. The age group's old name: 1.2.9; the contributors'
    // roles: 1.4.
    legacyWithout('IsDeleted', {
      rename: { AgeGroup: 'AgeGroupId' },
      upgrade: legacyContributors,
      touches: ['StoryProtocol'],
    }),
  ],
});

/** The codec of `ContentBundles` documents (both generations): use it with `mapped()`. */
export const contentBundles = codecOf<ContentBundle>()(contentBundleCodec);

// --- Specifications (core `ContentBundleSpecifications.cs`, reference 4.2) ---------------------

/**
 * `ActiveContentBundlesSpec`: every bundle by title. The App's filter is `true` ("add soft delete
 * later"), so soft-deleted bundles are returned too; the port keeps that.
 */
export function activeContentBundles(): Specification<ContentBundle> {
  return specOf(contentBundles).orderBy('title');
}

/** `ContentBundlesByAgeGroupSpec`: by title (legacy documents' `AgeGroup` included). */
export function contentBundlesByAgeGroup(ageGroupId: string): Specification<ContentBundle> {
  return specOf(contentBundles)
    .where((w) => w.eq('ageGroupId', ageGroupId))
    .orderBy('title');
}

/**
 * `FreeContentBundlesSpec`: by title. The App filters its computed `IsFree`, which EF cannot
 * translate (never stored); the port filters what it computes, `priceCents` 0. Legacy documents
 * store no `PriceCents` (their `IsFree` is kept as stored, not mapped) and are not found: a free
 * legacy bundle needs `PriceCents: 0` written (a read-modify-write with `priceCents: 0` does it).
 */
export function freeContentBundles(): Specification<ContentBundle> {
  return specOf(contentBundles)
    .where((w) => w.eq('priceCents', 0))
    .orderBy('title');
}

/**
 * `ContentBundlesByPriceRangeSpec(min, max)`: by title. The App tests `Prices.Any(p => min <=
 * p.Value <= max)`, but `Prices` is JSON text, which no store can query; the port tests the
 * stored price, `priceCents` between `min` and `max` (in currency units, ×100). Legacy documents
 * store no `PriceCents` and never match.
 */
export function contentBundlesByPriceRange(min: number, max: number): Specification<ContentBundle> {
  return specOf(contentBundles)
    .where((w) =>
      w.and(w.gte('priceCents', Math.round(min * 100)), w.lte('priceCents', Math.round(max * 100))),
    )
    .orderBy('title');
}

/**
 * `ContentBundlesByScenarioSpec`: by title. The App's `ScenarioIds.Contains(id)` runs on the
 * comma-joined string (a substring test); the port is an exact element test.
 */
export function contentBundlesByScenario(scenarioId: string): Specification<ContentBundle> {
  return specOf(contentBundles)
    .where((w) => w.arrayContains('scenarioIds', scenarioId))
    .orderBy('title');
}
