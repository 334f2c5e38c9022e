import { repositoryConformance } from '@mystira/repository/testing';
import type { Layout } from '@mystira/repository-postgres';
import { describe, it } from 'vitest';
import { repositoryWithTable, useTestDatabase } from './helpers.js';

const t = useTestDatabase('conf');
let n = 0;

for (const layout of ['document', 'columns'] as Layout[]) {
  describe(`postgres ${layout} layout: conformance kit`, () => {
    const cases = repositoryConformance({
      async create(entity) {
        // A fresh table per case: cases never share rows.
        return (await repositoryWithTable(t, entity, {
          layout,
          table: `${layout}_${++n}`,
          indexes: ['name', 'score', 'profile.country', 'tags'],
        })) as never;
      },
    });
    for (const c of cases) it(c.name, c.run, 60_000);
  });
}
