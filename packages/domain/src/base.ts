/**
 * The fields every current-domain entity inherits (`Entity`, `SoftDeletableEntity`), as field
 * codecs. `CreatedBy`/`UpdatedBy`/`DeletedBy` are null in practice: no host sets the user.
 */
import { booleanField, dateField, stringField } from '@mystira/repository';

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
 * `true` when `A` and `B` are the same type, else a type error where it is used as `true`.
 *
 * @internal
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
