import {
  ConcurrencyError,
  memoryRepository,
  NotFoundError,
  ValidationError,
} from '@mystira/repository';
import {
  ConformanceItem,
  type ConformanceItemT,
  fixture,
  repositoryConformance,
} from '@mystira/repository/testing';
import { entity, field, spec } from '@mystira/specification';
import { describe, expect, it } from 'vitest';

describe('memory adapter: conformance kit', () => {
  for (const c of repositoryConformance({ create: (e) => memoryRepository(e) })) {
    it(c.name, c.run, 30_000);
  }
});

describe('memory adapter: specifics', () => {
  const Counter = entity('counters', { id: field.number(), n: field.number() }, { id: 'id' });

  it('tracks versions for entities without a version field', async () => {
    const repo = memoryRepository<{ id: number; n: number }>(Counter);
    await repo.add({ id: 1, n: 0 });
    await repo.update({ id: 1, n: 1 }, { expectedVersion: 1 });
    await expect(repo.update({ id: 1, n: 2 }, { expectedVersion: 1 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    // Without a version field and without expectedVersion the write is unconditional.
    await repo.update({ id: 1, n: 3 });
    expect(await repo.getById(1)).toEqual({ id: 1, n: 3 });
    await expect(repo.delete(2)).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.getById('1' as unknown as number)).rejects.toBeInstanceOf(ValidationError);
  });

  it('seeds from options and answers specs', async () => {
    const repo = memoryRepository<ConformanceItemT>(ConformanceItem, {
      // A kit fixture row under a new id and name, seeded with a version the adapter resets to 1.
      seed: [{ ...fixture()[0]!, id: 'x', version: 9, name: 'x' }],
    });
    expect(repo.size).toBe(1);
    expect((await repo.getById('x'))?.version).toBe(1);
    expect(await repo.count(spec(ConformanceItem).where((w) => w.eq('name', 'x')))).toBe(1);
  });
});
