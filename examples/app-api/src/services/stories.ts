/**
 * Stories: drafts are created and edited here; publishing and royalties belong to the publishing
 * service. Reads by id go through the cache (see stores.ts); every write goes through the same
 * cached repository, so it invalidates before it returns.
 */
import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '@mystira/repository';
import type { Pipeline } from '@mystira/resilience';
import type { SpecSource } from '@mystira/specification';
import type { Scenario, Story, StoryContributor } from '../domain.ts';
import { ApiError, conflict, type FieldError, invalid, notFound } from '../problems.ts';
import { type StoryListFilter, storyListSpec } from '../queries.ts';
import type { StoryRepository } from '../story-documents.ts';
import type { AccountService } from './accounts.ts';
import { readPolicy } from './accounts.ts';

export interface CreateStoryInput {
  authorId: string;
  title: string;
  summary?: string;
  scenarios?: { title: string; body: string }[];
  contributors?: { accountId: string; shareBasisPoints: number; role: string }[];
}

export interface PatchStoryInput {
  title?: string;
  summary?: string;
  scenarios?: { title: string; body: string }[];
}

/** Royalty shares are in basis points and must add up to the whole. */
export const TOTAL_BASIS_POINTS = 10_000;

export class StoryService {
  readonly #stories: StoryRepository;
  readonly #accounts: AccountService;
  readonly #reads: Pipeline;

  constructor(stories: StoryRepository, accounts: AccountService, reads: Pipeline = readPolicy()) {
    this.#stories = stories;
    this.#accounts = accounts;
    this.#reads = reads;
  }

  async create(input: CreateStoryInput, signal?: AbortSignal): Promise<Story> {
    const shares = input.contributors ?? [
      { accountId: input.authorId, shareBasisPoints: TOTAL_BASIS_POINTS, role: 'author' },
    ];
    const errors: FieldError[] = [];
    const total = shares.reduce((sum, c) => sum + c.shareBasisPoints, 0);
    if (total !== TOTAL_BASIS_POINTS)
      errors.push({
        field: '/contributors',
        message: `shares must sum to ${TOTAL_BASIS_POINTS} basis points, got ${total}`,
      });
    const seen = new Set<string>();
    shares.forEach((c, i) => {
      if (seen.has(c.accountId))
        errors.push({ field: `/contributors/${i}/accountId`, message: 'appears twice' });
      seen.add(c.accountId);
    });
    const ids = [...new Set([input.authorId, ...shares.map((c) => c.accountId)])];
    const accounts = new Map(
      (await this.#accounts.findMany(ids, signal)).map((a) => [a.id, a] as const),
    );
    if (!accounts.has(input.authorId))
      errors.push({ field: '/authorId', message: 'no account with this id' });
    shares.forEach((c, i) => {
      if (!accounts.has(c.accountId) && c.accountId !== input.authorId)
        errors.push({ field: `/contributors/${i}/accountId`, message: 'no account with this id' });
    });
    if (errors.length > 0) throw invalid('the story cannot be created as given', errors);

    const contributors: StoryContributor[] = shares.map((c) => ({
      accountId: c.accountId,
      // Copied now: a later wallet change of the account does not move already-registered shares.
      walletAddress: accounts.get(c.accountId)!.walletAddress,
      shareBasisPoints: c.shareBasisPoints,
      role: c.role,
    }));
    const now = new Date().toISOString();
    return this.#stories.add(
      {
        id: randomUUID(),
        authorId: input.authorId,
        title: input.title,
        summary: input.summary ?? '',
        scenarios: withIds(input.scenarios ?? []),
        contributors,
        status: 'draft',
        createdAt: now,
        updatedAt: now,
      },
      { signal },
    );
  }

  /** Served from the cache when it holds the story. */
  async get(id: string, signal?: AbortSignal): Promise<Story> {
    const story = await this.#reads.execute(
      ({ signal: s }) => this.#stories.getById(id, { signal: s }),
      signal,
    );
    if (!story) throw notFound('story', id);
    return story;
  }

  async list(
    filter: StoryListFilter,
    cursor: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ items: Story[]; cursor: string | null }> {
    const page = await this.#reads.execute(
      ({ signal: s }) =>
        this.#stories.page(storyListSpec(filter) as unknown as SpecSource<Story, Story>, {
          cursor,
          signal: s,
        }),
      signal,
    );
    return { items: page.items, cursor: page.cursor };
  }

  /**
   * Edits a draft. `expectedVersion` comes from If-Match: a mismatch is 412 (the client's copy is
   * stale); without it, a concurrent edit between our read and write is a 409.
   */
  async patch(
    id: string,
    changes: PatchStoryInput,
    expectedVersion: number | undefined,
    signal?: AbortSignal,
  ): Promise<Story> {
    let story = await this.get(id, signal);
    if (expectedVersion !== undefined && story.version !== expectedVersion) {
      // The client may know a newer version than our cached copy (written through another
      // instance): judge If-Match by what is stored, not by the cache.
      await this.#stories.invalidate([id]);
      story = await this.get(id, signal);
      if (story.version !== expectedVersion) throw preconditionFailed(story);
    }
    if (story.status !== 'draft' || story.registration)
      throw conflict(
        `story ${id} is ${story.registration ? 'being published' : story.status}; only drafts can be edited`,
      );
    const next: Story = {
      ...story,
      ...(changes.title !== undefined ? { title: changes.title } : {}),
      ...(changes.summary !== undefined ? { summary: changes.summary } : {}),
      ...(changes.scenarios !== undefined ? { scenarios: withIds(changes.scenarios) } : {}),
      updatedAt: new Date().toISOString(),
    };
    try {
      return await this.#stories.update(next, { signal });
    } catch (err) {
      // The version we read lost (the cache has dropped its copy, so the client's retry reads
      // what is stored).
      if (err instanceof ConcurrencyError && expectedVersion !== undefined)
        throw preconditionFailed(story);
      throw err;
    }
  }
}

function withIds(scenarios: { title: string; body: string }[]): Scenario[] {
  return scenarios.map((s) => ({ id: randomUUID(), title: s.title, body: s.body }));
}

function preconditionFailed(story: Story): ApiError {
  return new ApiError(
    412,
    'precondition-failed',
    'Precondition failed',
    `If-Match does not match the current version of story ${story.id}`,
  );
}
