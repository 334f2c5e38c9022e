/**
 * `AxisAchievement` — container `AxisAchievements`, partition `/id` (reference 1.2.11). Its
 * meaning shifted: the legacy entity was master data (age group × axis × direction → a
 * description), and the seeder still writes it that way (no `UserId`); the current class also
 * models one user's progress on an axis. The axis is `AxisId` with the alias `CompassAxisId`, its
 * legacy name: the App writes both, the Admin API only `AxisId`, legacy documents only
 * `CompassAxisId`; `axisId` reads whichever a document has and is written under both.
 */
import { aliased, dateField, entityCodec, numberField, stringField } from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import type { Audited } from './accounts.js';
import { codecOf, entityFields, legacyWithout } from './base.js';
import { specOf } from './specifications.js';

/** An axis achievement (reference 1.2.11); dates are instants in `toISOString()` form. */
export interface AxisAchievement extends Audited {
  /** The id (deterministic when seeded). */
  id: string;
  /**
   * The user whose progress it is, or null for a master-data row (legacy documents and the
   * seeder's, which write none; the C# property is a non-null string).
   */
  userId: string | null;
  /** The compass axis (stored as `AxisId` and its alias `CompassAxisId`). */
  axisId: string;
  /** The age group, or null. */
  ageGroupId: string | null;
  /** The direction (e.g. `positive`), or null. */
  axesDirection: string | null;
  /** Description, or null. */
  description: string | null;
  /** Current value (−100..100). */
  currentValue: number;
  /** Highest value. */
  highestValue: number;
  /** Lowest value. */
  lowestValue: number;
  /** Changes counted. */
  totalChanges: number;
  /** Last update of the value. */
  lastUpdatedAt: string;
}

const axisAchievementCodec = entityCodec({
  container: 'AxisAchievements',
  type: 'AxisAchievement',
  fields: {
    id: stringField('id'),
    userId: stringField('UserId').nullable(),
    axisId: aliased(stringField('AxisId'), 'CompassAxisId'),
    ageGroupId: stringField('AgeGroupId').nullable(),
    axesDirection: stringField('AxesDirection').nullable(),
    description: stringField('Description').nullable(),
    currentValue: numberField('CurrentValue'),
    highestValue: numberField('HighestValue'),
    lowestValue: numberField('LowestValue'),
    totalChanges: numberField('TotalChanges'),
    lastUpdatedAt: dateField('LastUpdatedAt'),
    ...entityFields(),
  },
  generations: [
    // The legacy entity held the axis only as `CompassAxisId` (the alias reads it; no rename is
    // needed) and none of the progress values [inferred from 1.2.11].
    legacyWithout('AxisId'),
  ],
});

/** The codec of `AxisAchievements` documents (both generations): use it with `mapped()`. */
export const axisAchievements = codecOf<AxisAchievement>()(axisAchievementCodec);

// --- Specifications (core `AxisAchievementSpecifications.cs`, reference 4.2) -------------------

/**
 * `AxisAchievementsByAgeGroupSpec`. The App orders by `CompassAxisId`, an alias only the App
 * writes: the Admin API's documents hold only `AxisId` and legacy ones only `CompassAxisId`, so
 * no stored order is exact (the mapped repository refuses an order on `axisId`); the port leaves
 * the order to the id tiebreaker; sort by `axisId` in memory.
 */
export function axisAchievementsByAgeGroup(ageGroupId: string): Specification<AxisAchievement> {
  return specOf(axisAchievements).where((w) => w.eq('ageGroupId', ageGroupId));
}

/** `AxisAchievementsByCompassAxisSpec`: by age group (either stored name of the axis matches). */
export function axisAchievementsByCompassAxis(axisId: string): Specification<AxisAchievement> {
  return specOf(axisAchievements)
    .where((w) => w.eq('axisId', axisId))
    .orderBy('ageGroupId');
}
