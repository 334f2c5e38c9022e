import { createPolyglot, memoryMirror, memoryOutbox, PHASES, type Phase } from '@mystira/polyglot';
import { memoryRepository } from '@mystira/repository';
import { type ConformanceItemT, repositoryConformance } from '@mystira/repository/testing';
import { describe, it } from 'vitest';

// The polyglot repository is a Repository<T> like any other: the kit must pass in every phase,
// reading and writing through whichever store(s) the phase routes to.
for (const phase of PHASES) {
  describe(`polyglot (memory → memory), ${phase}: conformance kit`, () => {
    const cases = repositoryConformance({
      create(entity) {
        const polyglot = createPolyglot({
          outbox: memoryOutbox(),
          entities: {
            items: {
              primary: memoryRepository<ConformanceItemT>(entity),
              secondary: memoryMirror<ConformanceItemT>(entity),
              phase: phase as Phase,
              shadowReads: true,
            },
          },
        });
        return polyglot.repositories.items;
      },
    });
    for (const c of cases) it(c.name, c.run, 30_000);
  });
}
