/**
 * Golden `BadgeConfigurations` documents, written from the data-model reference (1.2.11, 1.4,
 * 2.12): a current document (the axis as `AxisId`, `RequiredAchievementType` as an integer) and a
 * legacy one (`Axis`, no `BadgeId`, a fractional `Threshold`).
 */
import type { StoredDocument } from '@mystira/repository';

/** A `BadgeConfigurations` document of the current domain: every mapped property written. */
export const badgeConfigurationCurrent: StoredDocument = {
  id: 'bc-0001',
  BadgeId: '1e5f0a2b-7c3d-4e8f-9a0b-1c2d3e4f5a6b',
  Name: 'Curious Mind (bronze)',
  Message: 'You asked a good question!',
  ImageId: 'media/badges/school_curious_bronze.png',
  ScenarioId: null,
  AxisId: 'curiosity',
  ArchetypeId: null,
  CriteriaJson: null,
  Threshold: 3,
  RequiredAchievementType: 10,
  RequiredCount: null,
  RequiredValue: null,
  CooldownDays: null,
  IsRepeatable: false,
  CreatedAt: '2026-01-05T08:00:00Z',
  UpdatedAt: null,
  CreatedBy: null,
  UpdatedBy: null,
  $type: 'BadgeConfiguration',
};

/**
 * A legacy `BadgeConfigurations` document (Mystira.App.Domain): the axis as `Axis`, no `BadgeId`,
 * a fractional `Threshold` [inferred from 1.2.11 and 2.12].
 */
export const badgeConfigurationLegacy: StoredDocument = {
  id: 'legacy-bc-1',
  Name: 'Honest Helper',
  Message: 'Honesty wins.',
  Axis: 'honesty',
  Threshold: 2.5,
  ImageId: 'media/badges/honest.png',
  CreatedAt: '2025-11-16T10:00:00',
  UpdatedAt: '2025-11-16T10:00:00',
  $type: 'BadgeConfiguration',
};
