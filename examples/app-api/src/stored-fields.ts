/**
 * The @mystira/specification fields of a flat TypeBox object, so that a stored entity is derived
 * from the same schema as its type and its API (see account.ts) instead of being declared again.
 * Only what a flat record needs: strings (`format: 'date-time'` becomes a date field, which the
 * stores order and compare as instants) and numbers. A property the schema does not require is
 * optional, except those named in `alwaysSet`: the id and version, which the repository sets.
 */
import { type Field, field } from '@mystira/specification';
import type { Static, TObject, TOptional, TProperties, TSchema } from 'typebox';

/** The specification field of each property, with the property's type and optionality. */
export type StoredFields<P extends TProperties, AlwaysSet extends keyof P> = {
  [K in keyof P]: Field<
    Static<P[K]>,
    K extends AlwaysSet ? false : P[K] extends TOptional<TSchema> ? true : false
  >;
};

export function storedFields<P extends TProperties, AlwaysSet extends keyof P & string>(
  schema: TObject<P>,
  alwaysSet: readonly AlwaysSet[],
): StoredFields<P, AlwaysSet> {
  const required = (schema.required ?? []) as readonly string[];
  const present = new Set<string>([...required, ...alwaysSet]);
  const fields = Object.entries(schema.properties).map(([name, property]) => {
    const scalar = scalarField(name, property);
    return [name, present.has(name) ? scalar : scalar.optional()];
  });
  return Object.fromEntries(fields) as StoredFields<P, AlwaysSet>;
}

function scalarField(name: string, property: TSchema & { type?: unknown; format?: unknown }) {
  if (property.type === 'string') {
    return property.format === 'date-time' ? field.date() : field.string();
  }
  if (property.type === 'integer' || property.type === 'number') return field.number();
  throw new TypeError(`${name}: only string and number properties are stored as fields here`);
}
