/**
 * Stories and accounts for the publishing tests: the App API's own stored shapes (src/entities.ts)
 * and story mapping (src/story-documents.ts) over the memory adapter of @mystira/repository, plus
 * a draft story with contributors whose accounts exist, and a bounded wait for background work.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { memoryRepository, type Repository } from '@mystira/repository';
import type { Account, Story } from '../../src/domain.ts';
import { AccountEntity, type StoryDocument, StoryEntity } from '../../src/entities.ts';
import { StoryRepository } from '../../src/story-documents.ts';

export interface PublishingStores {
  stories: Repository<Story>;
  accounts: Repository<Account>;
}

export function memoryStores(): PublishingStores {
  return {
    stories: new StoryRepository(memoryRepository<StoryDocument>(StoryEntity)),
    accounts: memoryRepository<Account>(AccountEntity),
  };
}

export function randomWallet(): string {
  return `0x${randomBytes(20).toString('hex')}`;
}

/**
 * Adds one account per share and a draft story they share in (roles: the first is the author,
 * the others artists). `shares` default to a single author with 10 000 basis points.
 */
export async function seedDraftStory(
  stores: PublishingStores,
  options: { shares?: number[]; title?: string } = {},
): Promise<Story> {
  const shares = options.shares ?? [10_000];
  const now = new Date().toISOString();
  const accounts = await Promise.all(
    shares.map((_, i) =>
      stores.accounts.add({
        id: randomUUID(),
        email: `contributor-${i}-${randomUUID().slice(0, 8)}@example.test`,
        displayName: `Contributor ${i}`,
        walletAddress: randomWallet(),
        createdAt: now,
        updatedAt: now,
      }),
    ),
  );
  return stores.stories.add({
    id: randomUUID(),
    authorId: accounts[0]!.id,
    title: options.title ?? 'The Lighthouse Keeper',
    summary: 'A keeper, a storm, a ship that should not be there.',
    scenarios: [{ id: randomUUID(), title: 'Night one', body: 'The lamp goes out.' }],
    contributors: accounts.map((a, i) => ({
      accountId: a.id,
      walletAddress: a.walletAddress,
      shareBasisPoints: shares[i]!,
      role: i === 0 ? 'author' : 'artist',
    })),
    status: 'draft',
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * Stores `story` as a publisher that crashed after step 1 leaves it: its registration pending
 * under `idempotencyKey`, with nothing recorded of the chain. Answers the stored story.
 */
export function leavePending(
  stores: PublishingStores,
  story: Story,
  idempotencyKey: string,
): Promise<Story> {
  const now = new Date().toISOString();
  return stores.stories.update({
    ...story,
    registration: { state: 'pending', idempotencyKey, requestedAt: now, updatedAt: now },
  });
}

/**
 * Polls `probe` until it returns something other than undefined. Bounded (the test fails with
 * `what` after `timeoutMs`), never a timing assertion.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the story's registration reaches `state` and returns the story. */
export function registrationReaches(
  stories: Repository<Story>,
  storyId: string,
  state: 'submitted' | 'confirmed' | 'failed',
): Promise<Story> {
  return eventually(`story ${storyId} to be ${state}`, async () => {
    const story = await stories.getById(storyId);
    return story?.registration?.state === state ? story : undefined;
  });
}
