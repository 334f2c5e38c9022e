import { createPolyglot, PHASES, type Phase } from '@mystira/polyglot';
import { postgresMirror, postgresOutbox } from '@mystira/polyglot/postgres';
import { type ConformanceItemT, repositoryConformance } from '@mystira/repository/testing';
import { createTableStatements, PostgresRepository } from '@mystira/repository-postgres';
import { beforeAll, describe, it } from 'vitest';
import { database, useSchema } from './helpers.js';

// PostgreSQL → PostgreSQL (two tables, one server): the kit through the polyglot repository in
// every phase, with the PostgreSQL outbox and mirror doing the dual writes.
const db = database();
const schema = useSchema(db, 'pgc');
const outbox = postgresOutbox(db, { schema });
let n = 0;

beforeAll(async () => {
  await outbox.migrate();
});

for (const phase of PHASES) {
  describe(`polyglot (postgres → postgres), ${phase}: conformance kit`, () => {
    const cases = repositoryConformance({
      largeCount: 400,
      async create(entity) {
        const k = ++n;
        const primary = new PostgresRepository<ConformanceItemT>(db, entity, {
          schema,
          table: `p_${k}`,
        });
        const second = new PostgresRepository<ConformanceItemT>(db, entity, {
          schema,
          table: `s_${k}`,
          layout: 'document',
        });
        for (const s of [
          ...createTableStatements(primary.mapping),
          ...createTableStatements(second.mapping),
        ])
          await db.query(s);
        const mirror = postgresMirror(db, second);
        if (k === 1) await mirror.migrate();
        const polyglot = createPolyglot({
          outbox,
          entities: { items: { primary, secondary: mirror, phase: phase as Phase } },
        });
        return polyglot.repositories.items;
      },
    });
    for (const c of cases) it(c.name, c.run, 60_000);
  });
}
