/**
 * `Badge` — container `Badges`, partition `/id` (reference 1.2.11): the badge catalogue the
 * seeder writes (deterministic ids, 2.3) and the Admin API edits. The C# `Name` has the alias
 * `Title`, its legacy name: the App writes both, the Admin API only `Name`, legacy documents only
 * `Title`; `name` reads whichever a document has and is written under both. Legacy documents have
 * no soft-delete fields and may hold a fractional `RequiredScore`.
 */
import { aliased, booleanField, entityCodec, numberField, stringField } from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import type { SoftDeletable } from './accounts.js';
import { codecOf, legacyWithout, softDeletableFields } from './base.js';
import { specOf } from './specifications.js';

/** A badge of the catalogue (reference 1.2.11); dates are instants in `toISOString()` form. */
export interface Badge extends SoftDeletable {
  /** The badge id (deterministic when seeded). */
  id: string;
  /** Name (stored as `Name` and its alias `Title`). */
  name: string;
  /** Slug. */
  slug: string;
  /** Description. */
  description: string;
  /** Category, or null. */
  category: string | null;
  /** Tier (`bronze`, `silver`, `gold`… in seed data), or null. */
  tier: string | null;
  /** The tier's rank. */
  tierOrder: number;
  /** Rarity, or null. */
  rarity: string | null;
  /** The compass axis (seed data: the axis display name), or null. */
  compassAxisId: string | null;
  /** The age group (seed data: `"1-2"`-style), or null. */
  ageGroupId: string | null;
  /** The score it needs (an int today; legacy documents may hold a fraction), or null. */
  requiredScore: number | null;
  /** The image (a media path), or null. */
  imageId: string | null;
  /** Points. */
  points: number;
  /** Whether it is active (default true). */
  isActive: boolean;
  /** Whether it is secret. */
  isSecret: boolean;
}

const badgeCodec = entityCodec({
  container: 'Badges',
  type: 'Badge',
  fields: {
    id: stringField('id'),
    name: aliased(stringField('Name'), 'Title'),
    slug: stringField('Slug'),
    description: stringField('Description'),
    category: stringField('Category').nullable(),
    tier: stringField('Tier').nullable(),
    tierOrder: numberField('TierOrder'),
    rarity: stringField('Rarity').nullable(),
    compassAxisId: stringField('CompassAxisId').nullable(),
    ageGroupId: stringField('AgeGroupId').nullable(),
    requiredScore: numberField('RequiredScore').nullable(),
    imageId: stringField('ImageId').nullable(),
    points: numberField('Points'),
    isActive: booleanField('IsActive', { default: true }),
    isSecret: booleanField('IsSecret'),
    ...softDeletableFields(),
  },
  generations: [
    // No legacy model was soft-deletable; EF writes IsDeleted on every current document
    // [inferred from 1.1, as for Scenario]. `Title` needs no rename: it is still written.
    legacyWithout('IsDeleted'),
  ],
});

/** The codec of `Badges` documents (both generations): use it with `mapped()`. */
export const badges = codecOf<Badge>()(badgeCodec);

// --- Specifications (core `BadgeSpecifications.cs`, reference 4.2) ----------------------------

/** `BadgesByAgeGroupSpec`: by tier order. */
export function badgesByAgeGroup(ageGroupId: string): Specification<Badge> {
  return specOf(badges)
    .where((w) => w.eq('ageGroupId', ageGroupId))
    .orderBy('tierOrder');
}

/** `BadgesByCompassAxisSpec`: by tier order. */
export function badgesByCompassAxis(compassAxisId: string): Specification<Badge> {
  return specOf(badges)
    .where((w) => w.eq('compassAxisId', compassAxisId))
    .orderBy('tierOrder');
}

/** `BadgesByAgeGroupAndAxisSpec`: by tier order. */
export function badgesByAgeGroupAndAxis(
  ageGroupId: string,
  compassAxisId: string,
): Specification<Badge> {
  return specOf(badges)
    .where((w) => w.and(w.eq('ageGroupId', ageGroupId), w.eq('compassAxisId', compassAxisId)))
    .orderBy('tierOrder');
}

/**
 * `BadgeByAgeGroupAxisAndTierSpec`: the tier by its name, as the specification does (the App's
 * repository method of the same purpose matches `TierOrder` instead: use
 * {@link badgesByAgeGroupAndAxis} and pick the order).
 */
export function badgeByAgeGroupAxisAndTier(
  ageGroupId: string,
  compassAxisId: string,
  tier: string,
): Specification<Badge> {
  return specOf(badges).where((w) =>
    w.and(w.eq('ageGroupId', ageGroupId), w.eq('compassAxisId', compassAxisId), w.eq('tier', tier)),
  );
}
