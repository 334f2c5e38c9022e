import { memoryRepository, runAggregate, ValidationError } from '@mystira/repository';
import { tracedRepository } from '@mystira/repository/otel';
import { aggregateConformance, ConformanceItem } from '@mystira/repository/testing';
import { spec } from '@mystira/specification';
import { describe, expect, it } from 'vitest';

describe('memory adapter: aggregate conformance', () => {
  for (const c of aggregateConformance({ create: (e) => memoryRepository(e) })) {
    it(c.name, c.run, 30_000);
  }
});

describe('runAggregate', () => {
  it('refuses a repository without aggregate clearly', async () => {
    const repo = memoryRepository(ConformanceItem);
    const bare = { ...repo, entity: repo.entity, backend: repo.backend, aggregate: undefined };
    await expect(runAggregate(bare as never, spec(ConformanceItem).count())).rejects.toThrow(
      /memory does not run aggregates/,
    );
    await expect(runAggregate(bare as never, spec(ConformanceItem).count())).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('passes through tracedRepository', async () => {
    const repo = tracedRepository(memoryRepository(ConformanceItem));
    expect(await runAggregate(repo, spec(ConformanceItem).count())).toBe(0);
  });
});
