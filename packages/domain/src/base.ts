/**
 * The fields every current-domain entity inherits (`Entity`, `SoftDeletableEntity`), as field
 * codecs. `CreatedBy`/`UpdatedBy`/`DeletedBy` are null in practice: no host sets the user.
 */
import {
  booleanField,
  dateField,
  type EntityCodec,
  type Generation,
  type GenerationOptions,
  generation,
  type ItemOf,
  stringField,
} from '@mystira/repository';

/** `Entity`: `CreatedAt`, `UpdatedAt`, `CreatedBy`, `UpdatedBy`. */
export function entityFields() {
  return {
    createdAt: dateField('CreatedAt'),
    updatedAt: dateField('UpdatedAt').nullable(),
    createdBy: stringField('CreatedBy').nullable(),
    updatedBy: stringField('UpdatedBy').nullable(),
  } as const;
}

/** `SoftDeletableEntity`: the `Entity` fields plus `IsDeleted`, `DeletedAt`, `DeletedBy`. */
export function softDeletableFields() {
  return {
    ...entityFields(),
    isDeleted: booleanField('IsDeleted'),
    deletedAt: dateField('DeletedAt').nullable(),
    deletedBy: stringField('DeletedBy').nullable(),
  } as const;
}

/**
 * `true` when `A` and `B` are the same type, else `false`.
 *
 * @internal
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `codec`, typed as the codec of the interface `T`. The compiler checks that the codec's fields
 * give exactly `T` (a field the interface lacks, misses or types otherwise makes the argument a
 * type error), so an interface and its codec cannot drift apart.
 *
 * @internal
 */
export function codecOf<T extends object>() {
  return <C extends EntityCodec<object>>(
    codec: C & (Same<ItemOf<C>, T> extends true ? unknown : never),
  ): EntityCodec<T> => codec as unknown as EntityCodec<T>;
}

/** The name of the older stored shape: what the legacy domain (`Mystira.App.Domain`) wrote. */
export const LEGACY = 'legacy (Mystira.App.Domain)';

/**
 * The legacy domain's documents, told apart by `marker`: a stored property the current model
 * always writes (EF Core writes every property, null or not) and the legacy model did not have,
 * so it is missing from their documents. Each use says where that inference comes from.
 *
 * @internal
 */
export function legacyWithout(
  marker: string,
  changes: Omit<GenerationOptions, 'where'> = {},
): Generation {
  return generation(LEGACY, { where: (w) => w.isNull(marker), ...changes });
}
