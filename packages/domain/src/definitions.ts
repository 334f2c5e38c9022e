/**
 * The master-data definitions (reference 1.2.12): five plain classes, each in its own container
 * partitioned on `/id`, seeded with deterministic ids (`deterministicGuid(kind, value)` from
 * `@mystira/repository`, kinds `compass-axis`, `archetype`, `echo-type`, `fantasy-theme`,
 * `age-group`). Deletes are soft and applied by hand: the App's repositories filter `!IsDeleted`
 * on every read, which {@link activeDefinitions} and {@link definitionByName} keep. The
 * compass-axis documents' `$type` changed from `CompassAxis` (legacy) to `CompassAxisDefinition`.
 */
import {
  booleanField,
  dateField,
  type EntityCodec,
  entityCodec,
  generation,
  numberField,
  stringField,
} from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import { codecOf, LEGACY } from './base.js';
import { specOf } from './specifications.js';

/** The fields every definition has; dates are instants in `toISOString()` form. */
export interface Definition {
  /** The id (deterministic when seeded). */
  id: string;
  /** Name. */
  name: string;
  /** Description. */
  description: string;
  /** Whether it was (soft-)deleted. */
  isDeleted: boolean;
  /** Created. */
  createdAt: string;
  /** Updated, or null. */
  updatedAt: string | null;
}

/** `CompassAxisDefinition` (container `CompassAxes`; legacy class `CompassAxis`). */
export interface CompassAxisDefinition extends Definition {}
/** `ArchetypeDefinition` (container `ArchetypeDefinitions`). */
export interface ArchetypeDefinition extends Definition {}
/** `FantasyThemeDefinition` (container `FantasyThemeDefinitions`). */
export interface FantasyThemeDefinition extends Definition {}
/** `EchoTypeDefinition` (container `EchoTypeDefinitions`). */
export interface EchoTypeDefinition extends Definition {
  /** Category, or null. */
  category: string | null;
}
/** `AgeGroupDefinition` (container `AgeGroupDefinitions`). */
export interface AgeGroupDefinition extends Definition {
  /** The age group's value (e.g. `6-9`). */
  value: string;
  /** Minimum age. */
  minimumAge: number;
  /** Maximum age. */
  maximumAge: number;
}

function definitionFields() {
  return {
    id: stringField('id'),
    name: stringField('Name'),
    description: stringField('Description'),
    isDeleted: booleanField('IsDeleted'),
    createdAt: dateField('CreatedAt'),
    updatedAt: dateField('UpdatedAt').nullable(),
  } as const;
}

const compassAxisCodec = entityCodec({
  container: 'CompassAxes',
  type: 'CompassAxisDefinition',
  fields: definitionFields(),
  generations: [
    // Only the discriminator changed with the class name (1.2.12); it is rewritten on writing.
    generation(LEGACY, { where: (w) => w.eq('$type', 'CompassAxis') }),
  ],
});
const archetypeCodec = entityCodec({
  container: 'ArchetypeDefinitions',
  type: 'ArchetypeDefinition',
  fields: definitionFields(),
});
const fantasyThemeCodec = entityCodec({
  container: 'FantasyThemeDefinitions',
  type: 'FantasyThemeDefinition',
  fields: definitionFields(),
});
const echoTypeCodec = entityCodec({
  container: 'EchoTypeDefinitions',
  type: 'EchoTypeDefinition',
  fields: { ...definitionFields(), category: stringField('Category').nullable() },
});
const ageGroupCodec = entityCodec({
  container: 'AgeGroupDefinitions',
  type: 'AgeGroupDefinition',
  fields: {
    ...definitionFields(),
    value: stringField('Value'),
    minimumAge: numberField('MinimumAge'),
    maximumAge: numberField('MaximumAge'),
  },
});

/** The codec of `CompassAxes` documents (both `$type`s): use it with `mapped()`. */
export const compassAxisDefinitions = codecOf<CompassAxisDefinition>()(compassAxisCodec);
/** The codec of `ArchetypeDefinitions` documents. */
export const archetypeDefinitions = codecOf<ArchetypeDefinition>()(archetypeCodec);
/** The codec of `FantasyThemeDefinitions` documents. */
export const fantasyThemeDefinitions = codecOf<FantasyThemeDefinition>()(fantasyThemeCodec);
/** The codec of `EchoTypeDefinitions` documents. */
export const echoTypeDefinitions = codecOf<EchoTypeDefinition>()(echoTypeCodec);
/** The codec of `AgeGroupDefinitions` documents. */
export const ageGroupDefinitions = codecOf<AgeGroupDefinition>()(ageGroupCodec);

// --- The definition repositories' queries (reference 4.3; there are no specifications) --------

/**
 * `GetAllAsync` of the five definition repositories: not deleted, by name — and age groups by
 * minimum age, as the App's `AgeGroupDefinitionRepository` orders them.
 */
export function activeDefinitions<T extends Definition>(codec: EntityCodec<T>): Specification<T> {
  const s = specOf(codec as EntityCodec<Definition>).where((w) => w.eq('isDeleted', false));
  // Every definition has the base fields; the cast only widens what the builder may name.
  if (codec === (ageGroupDefinitions as unknown))
    return (s as unknown as Specification<AgeGroupDefinition>).orderBy(
      'minimumAge',
    ) as unknown as Specification<T>;
  return s.orderBy('name') as unknown as Specification<T>;
}

/** `GetByNameAsync`: `Name.ToLower() == name.ToLower()` (ASCII case folded), not deleted. */
export function definitionByName<T extends Definition>(
  codec: EntityCodec<T>,
  name: string,
): Specification<T> {
  return specOf(codec as EntityCodec<Definition>).where((w) =>
    w.and(w.eq('name', name, { ignoreCase: true }), w.eq('isDeleted', false)),
  ) as unknown as Specification<T>;
}

/** `AgeGroupDefinitionRepository.GetByValueAsync`: the value, not deleted. */
export function ageGroupByValue(value: string): Specification<AgeGroupDefinition> {
  return specOf(ageGroupDefinitions).where((w) =>
    w.and(w.eq('value', value), w.eq('isDeleted', false)),
  );
}
