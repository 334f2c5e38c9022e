/**
 * Golden master-data documents, written from the data-model reference (1.2.12, 1.5, 2.3): the
 * seeder's deterministic ids, a current and a legacy compass axis (`$type` `CompassAxis`), and
 * one current document of each other definition container.
 */
import { deterministicGuid, type StoredDocument } from '@mystira/repository';

const base = (kind: string, value: string, name: string, type: string): StoredDocument => ({
  id: deterministicGuid(kind, value),
  Name: name,
  Description: `${name}.`,
  IsDeleted: false,
  CreatedAt: '2026-01-05T08:00:00Z',
  UpdatedAt: null,
  $type: type,
});

/** A `CompassAxes` document of the current domain. */
export const compassAxisCurrent = base(
  'compass-axis',
  'courage',
  'Courage',
  'CompassAxisDefinition',
);
/** A legacy `CompassAxes` document: the class was `CompassAxis`. */
export const compassAxisLegacy: StoredDocument = {
  ...base('compass-axis', 'Self-Regulation', 'Self-Regulation', 'CompassAxis'),
  CreatedAt: '2025-11-16T10:00:00',
  UpdatedAt: '2025-11-16T10:00:00',
};
/** An `ArchetypeDefinitions` document. */
export const archetypeCurrent = base('archetype', 'sage', 'Sage', 'ArchetypeDefinition');
/** A `FantasyThemeDefinitions` document. */
export const fantasyThemeCurrent = base(
  'fantasy-theme',
  'Classic Fantasy',
  'Classic Fantasy',
  'FantasyThemeDefinition',
);
/** An `EchoTypeDefinitions` document (the `Category` before `IsDeleted`, as the class orders it). */
export const echoTypeCurrent: StoredDocument = {
  id: deterministicGuid('echo-type', 'memory'),
  Name: 'Memory',
  Description: 'Memory.',
  Category: 'inner',
  IsDeleted: false,
  CreatedAt: '2026-01-05T08:00:00Z',
  UpdatedAt: null,
  $type: 'EchoTypeDefinition',
};
/** An `AgeGroupDefinitions` document. */
export const ageGroupCurrent: StoredDocument = {
  id: deterministicGuid('age-group', '6-9'),
  Name: 'School age',
  Value: '6-9',
  MinimumAge: 6,
  MaximumAge: 9,
  Description: 'School age.',
  IsDeleted: false,
  CreatedAt: '2026-01-05T08:00:00Z',
  UpdatedAt: null,
  $type: 'AgeGroupDefinition',
};
