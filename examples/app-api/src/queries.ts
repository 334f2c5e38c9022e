/**
 * The queries the App API runs, written once as specifications. Cosmos DB needs a composite
 * index for every ORDER BY of two or more keys, so `storyListSpecs` hands the list orders to
 * `ensureContainer` at startup.
 */
import { spec } from '@mystira/specification';
import { AccountEntity, StoryEntity } from './entities.ts';

export interface StoryListFilter {
  authorId?: string;
  status?: 'draft' | 'published';
  limit: number;
}

/** Newest first; several `where`s are ANDed. The id breaks ties (added by the library). */
export function storyListSpec(filter: StoryListFilter) {
  let s = spec(StoryEntity);
  if (filter.authorId !== undefined) {
    const authorId = filter.authorId;
    s = s.where((w) => w.eq('authorId', authorId));
  }
  if (filter.status !== undefined) {
    const status = filter.status;
    s = s.where((w) => w.eq('status', status));
  }
  return s.orderByDescending('createdAt').take(filter.limit);
}

/** One spec per distinct ORDER BY the API uses (filters do not change the index). */
export function storyListSpecs() {
  return [storyListSpec({ limit: 1 })];
}

/** An owner's account with this email: emails are unique per owner, not across owners. */
export function accountByOwnerAndEmailSpec(ownerId: string, email: string) {
  return spec(AccountEntity)
    .where((w) => w.eq('ownerId', ownerId))
    .where((w) => w.eq('email', email));
}
