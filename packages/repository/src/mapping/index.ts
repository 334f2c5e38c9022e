/**
 * The mapping layer: entity codecs between a TypeScript shape and the documents another program
 * (Mystira's .NET App) stores, and the `mapped` decorator that puts one in front of any
 * repository.
 */
export {
  type EntityCodec,
  type EntityCodecOptions,
  entityCodec,
  type ItemOf,
  specOf,
  storedDocumentOf,
} from './codec.js';
export { dotnetDate, parseDotnetDate } from './dates.js';
export {
  aliased,
  booleanField,
  type ComputedFieldCodec,
  type ComputedKeys,
  commaListField,
  computedField,
  type DefaultOptions,
  type DomainOf,
  dateField,
  enumField,
  enumNameField,
  type FieldCodec,
  type FieldCodecKind,
  jsonEqual,
  jsonTextField,
  jsonValueField,
  type NullableFieldCodec,
  numberField,
  type ObjectOf,
  objectField,
  objectsField,
  STORED,
  stringArrayField,
  stringField,
} from './fields.js';
export {
  type Generation,
  type GenerationOptions,
  generation,
  generationOf,
  renameProperty,
  renumber,
  type StoredDocument,
} from './generations.js';
export {
  deterministicGuid,
  dotnetGuidText,
  type IdFormat,
  idFormatOf,
  type LegacyId,
  newEntityId,
  newGuid,
  newGuidN,
  parseLegacyId,
} from './ids.js';
export { mapped } from './mapped.js';
export { mapQuery, UnmappableQueryError } from './query.js';
