/**
 * Golden `AxisAchievements` documents, written from the data-model reference (1.2.11, 2.3, 2.12):
 * a current per-user document as the App writes it (`AxisId` and its alias `CompassAxisId`) and a
 * legacy master-data one (only `CompassAxisId`, no `UserId`, no progress values).
 */
import type { StoredDocument } from '@mystira/repository';

/** An `AxisAchievements` document of the current domain (CTX-APP): every mapped property written. */
export const axisAchievementCurrent: StoredDocument = {
  id: '7d2c1b0a-0000-4000-8000-0000000000a1',
  UserId: '3f2b9c1e-0000-4000-8000-000000000001',
  AxisId: 'courage',
  CompassAxisId: 'courage',
  AgeGroupId: 'middle_childhood',
  AxesDirection: 'positive',
  Description: 'Brave choices.',
  CurrentValue: 12,
  HighestValue: 20,
  LowestValue: -3,
  TotalChanges: 7,
  LastUpdatedAt: '2026-02-01T10:05:00.25Z',
  CreatedAt: '2026-01-20T08:00:00Z',
  UpdatedAt: '2026-02-01T10:05:00.25Z',
  CreatedBy: null,
  UpdatedBy: null,
  $type: 'AxisAchievement',
};

/**
 * A legacy `AxisAchievements` document (Mystira.App.Domain): master data keyed by age group,
 * axis and direction, the axis only as `CompassAxisId` [inferred from 1.2.11].
 */
export const axisAchievementLegacy: StoredDocument = {
  id: 'legacy-aa-1',
  AgeGroupId: '6-9',
  CompassAxisId: 'Curiosity & Initiative',
  AxesDirection: 'positive',
  Description: 'Asks why.',
  CreatedAt: '2025-11-16T10:00:00',
  UpdatedAt: '2025-11-16T10:00:00',
  $type: 'AxisAchievement',
};
