/**
 * `arrayContains` on a field that holds JSON null or no array at all (documents written by another
 * application, such as the .NET App's null lists): UNKNOWN, as the evaluator and Cosmos DB's
 * ARRAY_CONTAINS have it, so that `not(arrayContains)` leaves those rows out too. A plain
 * `@>` answers false for them, and NOT false brought them in.
 */
import type { Layout, PostgresRepository } from '@mystira/repository-postgres';
import { entity, evaluate, field, type Infer, spec } from '@mystira/specification';
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryWithTable, useTestDatabase } from './helpers.js';

// The columns layout cannot tell a missing field from null, so there `tags` is only nullable.
const entities = {
  document: entity(
    'tagged',
    { id: field.string(), tags: field.array(field.string()).nullable().optional() },
    { id: 'id' },
  ),
  columns: entity(
    'tagged',
    { id: field.string(), tags: field.array(field.string()).nullable() },
    { id: 'id' },
  ),
};
type TaggedT = Infer<(typeof entities)['document']>;

const rows: TaggedT[] = [
  { id: 'a', tags: ['x'] },
  { id: 'b', tags: ['y'] },
  { id: 'c', tags: [] },
  { id: 'd', tags: null },
  { id: 'e' },
];

const t = useTestDatabase('nullarr');

for (const layout of ['document', 'columns'] as const satisfies Layout[]) {
  describe(`${layout} layout`, () => {
    const Tagged = entities[layout] as (typeof entities)['document'];
    const stored = layout === 'document' ? rows : rows.filter((r) => 'tags' in r);
    let repo: PostgresRepository<TaggedT>;
    beforeAll(async () => {
      repo = await repositoryWithTable<TaggedT>(t, Tagged, { layout, table: `tagged_${layout}` });
      await repo.addMany(stored);
    });

    const cases = {
      contains: spec(Tagged).where((w) => w.arrayContains('tags', 'x')),
      'not contains': spec(Tagged).where((w) => w.not(w.arrayContains('tags', 'x'))),
      'not (contains or null)': spec(Tagged).where((w) =>
        w.not(w.or(w.arrayContains('tags', 'x'), w.isNull('tags'))),
      ),
      'not not contains': spec(Tagged).where((w) => w.not(w.not(w.arrayContains('tags', 'y')))),
    };
    for (const [name, s] of Object.entries(cases)) {
      it(`${name}: the rows the evaluator selects, in order`, async () => {
        expect((await repo.list(s)).map((r) => r.id)).toEqual(evaluate(s, stored).map((r) => r.id));
      });
    }
  });
}
