/**
 * The entity of the multi-page and plan tests: sort keys with every kind of absence (optional,
 * nullable, both, and nested under a parent that can be either), the keys Cosmos DB's
 * continuations once got wrong.
 */
import { entity, field } from '@mystira/specification';

export function absentKeysEntity<N extends string>(name: N) {
  return entity(name, {
    id: field.string(),
    n: field.number().optional().nullable(),
    flag: field.boolean().optional(),
    title: field.string().optional(),
    label: field.string().nullable(),
    meta: field
      .object({ deep: field.object({ code: field.string().optional() }).optional() })
      .optional()
      .nullable(),
  });
}
