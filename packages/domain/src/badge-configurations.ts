/**
 * `BadgeConfiguration` — container `BadgeConfigurations`, partition `/id` (reference 1.2.11):
 * what earns a badge. The C# `Axis` is a value object EF ignores; the axis is stored as
 * `AxisId`, which legacy documents called `Axis`. `RequiredAchievementType` is an integer of the
 * current `AchievementType`. Legacy documents also lack `BadgeId` and may hold a fractional
 * `Threshold`.
 */
import {
  booleanField,
  entityCodec,
  enumField,
  numberField,
  stringField,
} from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import type { Audited } from './accounts.js';
import { codecOf, entityFields, legacyWithout } from './base.js';
import { AchievementType, type AchievementTypeName } from './enums.js';
import { specOf } from './specifications.js';

/** What earns a badge (reference 1.2.11); dates are instants in `toISOString()` form. */
export interface BadgeConfiguration extends Audited {
  /** The configuration id. */
  id: string;
  /** The badge it awards. */
  badgeId: string;
  /** Name. */
  name: string;
  /** The message shown, or null. */
  message: string | null;
  /** The image, or null. */
  imageId: string | null;
  /** The scenario it applies to, or null. */
  scenarioId: string | null;
  /** The compass axis (legacy documents: `Axis`), or null. */
  axisId: string | null;
  /** The archetype, or null. */
  archetypeId: string | null;
  /** JSON text, or null. */
  criteriaJson: string | null;
  /** The axis threshold (an int today; legacy documents may hold a fraction), or null. */
  threshold: number | null;
  /** The achievement it needs (stored as its integer), or null. */
  requiredAchievementType: AchievementTypeName | null;
  /** How many, or null. */
  requiredCount: number | null;
  /** Which value, or null. */
  requiredValue: number | null;
  /** Days before it can be earned again, or null. */
  cooldownDays: number | null;
  /** Whether it can be earned more than once. */
  isRepeatable: boolean;
}

const badgeConfigurationCodec = entityCodec({
  container: 'BadgeConfigurations',
  type: 'BadgeConfiguration',
  fields: {
    id: stringField('id'),
    badgeId: stringField('BadgeId'),
    name: stringField('Name'),
    message: stringField('Message').nullable(),
    imageId: stringField('ImageId').nullable(),
    scenarioId: stringField('ScenarioId').nullable(),
    axisId: stringField('AxisId').nullable(),
    archetypeId: stringField('ArchetypeId').nullable(),
    criteriaJson: stringField('CriteriaJson').nullable(),
    threshold: numberField('Threshold').nullable(),
    requiredAchievementType: enumField('RequiredAchievementType', AchievementType).nullable(),
    requiredCount: numberField('RequiredCount').nullable(),
    requiredValue: numberField('RequiredValue').nullable(),
    cooldownDays: numberField('CooldownDays').nullable(),
    isRepeatable: booleanField('IsRepeatable'),
    ...entityFields(),
  },
  generations: [
    // The legacy configuration referenced no Badge entity: BadgeId (a non-null string the
    // current model always writes) marks the current shape [inferred from 1.2.11]; the axis
    // moved from `Axis` to `AxisId` (2.12).
    legacyWithout('BadgeId', {
      rename: { Axis: 'AxisId' },
    }),
  ],
});

/** The codec of `BadgeConfigurations` documents (both generations): use it with `mapped()`. */
export const badgeConfigurations = codecOf<BadgeConfiguration>()(badgeConfigurationCodec);

// --- Specifications (core `BadgeConfigurationSpecifications.cs`, reference 4.2) -----------------

/**
 * `AllBadgeConfigurationsSpec`: every configuration. The App orders by `Axis`, a value object EF
 * ignores (the query cannot run). What it wraps is stored as `AxisId`, but legacy documents hold
 * it as `Axis`, so no stored order is exact for both (the mapped repository refuses an order on
 * `axisId`): the port leaves the order to the id tiebreaker; sort by `axisId` in memory.
 */
export function allBadgeConfigurations(): Specification<BadgeConfiguration> {
  return specOf(badgeConfigurations);
}

/**
 * `BadgeConfigurationRepository.GetByAxisAsync` (a repository query, no specification): the
 * App compares `(string)Axis`, which EF cannot translate; the port filters the stored `axisId`.
 */
export function badgeConfigurationsByAxis(axisId: string): Specification<BadgeConfiguration> {
  return specOf(badgeConfigurations).where((w) => w.eq('axisId', axisId));
}
