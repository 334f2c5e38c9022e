/**
 * `ensureContainer` on a container that already exists never costs its documents. It once
 * replaced the container to add composite indexes, and on cosmosdb-server a container replace
 * starts the container empty. Now the index change is made in place where the target builds
 * indexes online (`azure`), and is left out and reported where it cannot (cosmosdb-server).
 */
import { randomUUID } from 'node:crypto';
import type { CompositePath } from '@azure/cosmos';
import { CosmosRepository, ensureContainer } from '@mystira/repository-cosmos';
import { entity, field, type Infer, spec } from '@mystira/specification';
import { describe, expect, it } from 'vitest';
import { useCosmos } from './cosmos.js';

const Note = entity('notes', {
  id: field.string(),
  author: field.string(),
  rank: field.number(),
});
type NoteT = Infer<typeof Note>;

const notes: NoteT[] = Array.from({ length: 12 }, (_, i) => ({
  id: `n${String(i).padStart(2, '0')}`,
  author: `a${i % 3}`,
  rank: i % 4,
}));

describe('ensureContainer on an existing container', () => {
  const cosmos = useCosmos();

  it('keeps every document when the specs need indexes the container lacks', async () => {
    const id = `notes-${randomUUID().slice(0, 8)}`;
    const byAuthor = spec(Note).orderBy('author');
    const byRank = spec(Note).orderBy('rank').thenBy('author', 'desc');
    const first = await ensureContainer(cosmos.database, Note, {
      id,
      specs: [byAuthor],
      profile: cosmos.profile,
    });
    const repo = new CosmosRepository<NoteT>(Note, { container: first, profile: cosmos.profile });
    await repo.addMany(notes);
    const before = (await first.read()).resource?.indexingPolicy?.compositeIndexes ?? [];

    const reported: CompositePath[][] = [];
    const again = await ensureContainer(cosmos.database, Note, {
      id,
      specs: [byAuthor, byRank],
      profile: cosmos.profile,
      onIndexesNotAdded: (missing) => reported.push(...missing),
    });

    const after = new CosmosRepository<NoteT>(Note, { container: again, profile: cosmos.profile });
    expect(await after.count(spec(Note))).toBe(notes.length);
    expect((await after.list(byAuthor)).map((n) => n.id)).toEqual(
      [...notes]
        .sort((a, b) => a.author.localeCompare(b.author) || a.id.localeCompare(b.id))
        .map((n) => n.id),
    );
    const indexes = (await again.read()).resource?.indexingPolicy?.compositeIndexes ?? [];
    const wanted = [
      { path: '/rank', order: 'ascending' },
      { path: '/author', order: 'descending' },
      { path: '/id', order: 'ascending' },
    ];
    if (cosmos.profile.indexUpdateInPlace) {
      // azure: the policy is replaced in place, the service builds the index online.
      expect(reported).toEqual([]);
      expect(indexes).toContainEqual(wanted);
      expect((await after.list(byRank)).length).toBe(notes.length);
    } else {
      // cosmosdb-server: the container is left as it was; the missing index is reported.
      expect(reported).toEqual([wanted]);
      expect(indexes).toEqual(before);
    }
  });

  it('without a callback, the indexes it could not add are a process warning', async () => {
    if (cosmos.profile.indexUpdateInPlace) return;
    const id = `notes-${randomUUID().slice(0, 8)}`;
    await ensureContainer(cosmos.database, Note, { id, profile: cosmos.profile });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await ensureContainer(cosmos.database, Note, {
        id,
        specs: [spec(Note).orderBy('rank')],
        profile: cosmos.profile,
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => (w as Error & { code?: string }).code)).toContain(
      'MYSTIRA_COSMOS_INDEXES_NOT_ADDED',
    );
  });
});
