import { createPolyglot, type Phase } from '@mystira/polyglot';
import { postgresMirror } from '@mystira/polyglot/postgres';
import {
  type ConformanceItemT,
  everyConformanceSpec,
  repositoryConformance,
} from '@mystira/repository/testing';
import { CosmosRepository, ensureContainer } from '@mystira/repository-cosmos';
import { createTableStatements, PostgresRepository } from '@mystira/repository-postgres';
import { describe, it } from 'vitest';
import { cosmosToPostgres } from './cosmos-fixture.js';

// The typical pair: documents in Cosmos DB (here the in-process cosmosdb-server over HTTPS),
// moving to PostgreSQL: the conformance kit through both dual-write phases.
const { db, schema, outbox, cosmos } = cosmosToPostgres();
let n = 0;

/** Every spec the kit runs, so the containers get the composite indexes they need. */
const specs = everyConformanceSpec();

for (const phase of ['DualWritePrimaryRead', 'DualWriteSecondaryRead'] as Phase[]) {
  describe(`polyglot (cosmosdb-server → postgres), ${phase}: conformance kit`, () => {
    const cases = repositoryConformance({
      largeCount: 300,
      async create(entity) {
        const k = ++n;
        const container = await ensureContainer(cosmos(), entity, {
          id: `c${k}`,
          specs,
          profile: 'cosmosdb-server',
        });
        const primary = new CosmosRepository<ConformanceItemT>(entity, {
          container,
          profile: 'cosmosdb-server',
        });
        const second = new PostgresRepository<ConformanceItemT>(db, entity, {
          schema,
          table: `s_${k}`,
        });
        for (const s of createTableStatements(second.mapping)) await db.query(s);
        const mirror = postgresMirror(db, second);
        if (k === 1) await mirror.migrate();
        return createPolyglot({
          outbox,
          entities: { items: { primary, secondary: mirror, phase } },
        }).repositories.items;
      },
    });
    for (const c of cases) it(c.name, c.run, 60_000);
  });
}
