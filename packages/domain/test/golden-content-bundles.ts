/**
 * Golden `ContentBundles` documents, written from the data-model reference (1.2.9, 2.7, 2.12):
 * a current document (comma-joined `ScenarioIds`, `Prices` as JSON text, the cover under both
 * names, an owned `StoryProtocol` with a contributor) and a legacy one (`AgeGroup`,
 * a stored `IsFree`, no `PriceCents`, no soft-delete fields).
 */
import type { StoredDocument } from '@mystira/repository';

/** A `ContentBundles` document of the current domain (CTX-APP): every mapped property written. */
export const bundleCurrent: StoredDocument = {
  id: '0c1d2e3f40514a6b8c9d0e1f2a3b4c5d',
  Title: 'Sea Stories',
  Slug: 'sea-stories',
  Description: 'Three tales of the sea.',
  Summary: null,
  PublisherId: 'pub-1',
  CoverImageUrl: 'media/bundles/sea.png',
  ImageId: 'media/bundles/sea.png',
  ThumbnailUrl: null,
  AgeGroupId: 'middle_childhood',
  ThemeId: null,
  Status: 2,
  IsPremium: true,
  PriceCents: 999,
  Currency: 'USD',
  IsFeatured: true,
  PublishedAt: '2026-01-15T09:00:00Z',
  Version: 1,
  TotalPlayCount: 12,
  RatingCount: 2,
  AverageRating: 4.5,
  TagsJson: '["sea"]',
  ScenarioIds: '6f1e2d3c-0000-4000-8000-00000000000a,scn-2',
  Prices: '[{"Value":9.99,"Currency":"USD"},{"Value":8.99,"Currency":"EUR"}]',
  StoryProtocol: {
    IpAssetId: null,
    TransactionHash: null,
    Contributors: [
      {
        Id: 'c7a1b2c3-0000-4000-8000-000000000001',
        ContentId: '0c1d2e3f40514a6b8c9d0e1f2a3b4c5d',
        ContentType: 'ContentBundle',
        UserId: 'author-1',
        Name: 'Ada',
        Email: 'ada@example.com',
        Role: 3, // Writer
        ContributionPercentage: 100,
        VerificationStatus: 1,
        AddedAt: '2026-01-14T08:00:00Z',
        VerifiedAt: null,
        Notes: null,
        WalletAddress: null,
        CreatedAt: '2026-01-14T08:00:00Z',
        UpdatedAt: null,
        CreatedBy: null,
        UpdatedBy: null,
      },
    ],
  },
  CreatedAt: '2026-01-14T08:00:00Z',
  UpdatedAt: '2026-01-15T09:00:00.5Z',
  CreatedBy: null,
  UpdatedBy: null,
  IsDeleted: false,
  DeletedAt: null,
  DeletedBy: null,
  $type: 'ContentBundle',
};

/**
 * A legacy `ContentBundles` document (Mystira.App.Domain): `AgeGroup`, a stored `IsFree` and no
 * `PriceCents`, the cover only under `ImageId` [inferred from 1.2.9 and 2.12].
 */
export const bundleLegacy: StoredDocument = {
  id: 'legacy-bundle-1',
  Title: 'Forest Pack',
  Description: 'Woodland tales.',
  ImageId: 'media/bundles/forest.png',
  AgeGroup: '6-9',
  IsFree: true,
  ScenarioIds: 'legacy-scenario-1',
  Prices: '[]',
  CreatedAt: '2025-11-18T10:00:00',
  $type: 'ContentBundle',
};
