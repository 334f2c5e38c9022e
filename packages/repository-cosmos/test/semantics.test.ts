/**
 * The semantics table of @mystira/specification (its executable conformance cases over `Probe`)
 * answered by Cosmos DB through the repository: same ids in the same order, same counts, same
 * projections as the in-memory evaluator.
 */
import { CosmosRepository } from '@mystira/repository-cosmos';
import { conformanceCases, Probe, type ProbeT, probeRows, spec } from '@mystira/specification';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCosmos } from './cosmos.js';

describe('specification semantics table on Cosmos', () => {
  const cosmos = useCosmos();
  let repo: CosmosRepository<ProbeT>;
  beforeAll(async () => {
    const container = await cosmos.container(
      Probe,
      'probe',
      conformanceCases.map((c) => c.spec(spec(Probe))),
    );
    repo = new CosmosRepository<ProbeT>(Probe, { container, profile: cosmos.profile });
    await repo.addMany(probeRows);
  });

  for (const c of conformanceCases) {
    it(`${c.id}: ${c.rule}`, async () => {
      const s = c.spec(spec(Probe));
      const e = c.expect;
      if ('ids' in e) expect((await repo.list(s)).map((r) => (r as ProbeT).id)).toEqual(e.ids);
      else if ('count' in e) expect(await repo.count(s)).toBe(e.count);
      else if ('any' in e) expect(await repo.any(s)).toBe(e.any);
      else expect(await repo.list(s)).toEqual(e.items);
    });
  }
});
