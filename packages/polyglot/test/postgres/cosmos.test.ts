import { createPolyglot, type Phase } from '@mystira/polyglot';
import {
  type ConformanceItemT,
  everyConformanceSpec,
  repositoryConformance,
} from '@mystira/repository/testing';
import { describe, it } from 'vitest';
import { cosmosToPostgres } from './cosmos-fixture.js';

// The typical pair: documents in Cosmos DB (here the in-process cosmosdb-server over HTTPS),
// moving to PostgreSQL: the conformance kit through both dual-write phases.
const pair = cosmosToPostgres();
const { outbox } = pair;
let n = 0;

/** Every spec the kit runs, so the containers get the composite indexes they need. */
const specs = everyConformanceSpec();

for (const phase of ['DualWritePrimaryRead', 'DualWriteSecondaryRead'] as Phase[]) {
  describe(`polyglot (cosmosdb-server → postgres), ${phase}: conformance kit`, () => {
    const cases = repositoryConformance({
      largeCount: 300,
      async create(entity) {
        const k = ++n;
        const primary = await pair.primary<ConformanceItemT>(entity, `c${k}`, specs);
        const mirror = await pair.mirror<ConformanceItemT>(entity, `s_${k}`);
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
