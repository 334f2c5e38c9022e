/**
 * Reads and writes of a story's registration, each write checked against the version the writer
 * read (optimistic concurrency), so two publishers — in one process or in several — never both
 * move a registration: the loser re-reads and sees what the winner did. The re-read after a lost
 * race goes to the store: the cache in front of it drops its copy when a write conflicts.
 */
import { ConcurrencyError, NotFoundError, type Repository } from '@mystira/repository';
import type { Story, StoryRegistration } from '../domain.ts';
import { NotRegisteredYetError, StoryNotFoundError } from './errors.ts';

/** Optimistic-concurrency retries of one step before the conflict is reported to the caller. */
const MAX_WRITE_ATTEMPTS = 8;

/** A registration change to apply to a story, if it still is where the caller saw it. */
export interface RegistrationStep {
  /** Only apply while the story's registration has this key and this state. */
  expectKey: string;
  expectState: StoryRegistration['state'];
  registration: Partial<StoryRegistration> & Pick<StoryRegistration, 'state'>;
  status?: Story['status'];
}

export class RegistrationStore {
  readonly #stories: Repository<Story>;
  readonly #now: () => Date;

  constructor(stories: Repository<Story>, now: () => Date) {
    this.#stories = stories;
    this.#now = now;
  }

  /** The repository itself (for the queries of the background work). */
  get stories(): Repository<Story> {
    return this.#stories;
  }

  now(): string {
    return this.#now().toISOString();
  }

  /** @throws StoryNotFoundError */
  async load(storyId: string, signal: AbortSignal | undefined): Promise<Story> {
    const story = await this.#stories.getById(storyId, { signal });
    if (!story) throw new StoryNotFoundError(storyId);
    return story;
  }

  /**
   * Writes `next` if the stored story still has the version of `read`.
   * @throws ConcurrencyError (from @mystira/repository) when it does not; StoryNotFoundError
   */
  async write(next: Story, read: Story, signal: AbortSignal | undefined): Promise<Story> {
    try {
      return await this.#stories.update(next, {
        signal,
        ...(typeof read.version === 'number' ? { expectedVersion: read.version } : {}),
      });
    } catch (error) {
      if (error instanceof NotFoundError) throw new StoryNotFoundError(read.id);
      throw error;
    }
  }

  /**
   * Applies a registration step, re-reading on conflicts. Resolves with the stored story, or
   * undefined when the registration is no longer the one the step was for (another writer moved
   * it on — which is how concurrent publishes of one story converge).
   */
  async advance(
    storyId: string,
    step: RegistrationStep,
    signal: AbortSignal | undefined,
  ): Promise<Story | undefined> {
    let conflict: unknown;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const story = await this.load(storyId, signal);
      const current = story.registration;
      if (
        !current ||
        current.idempotencyKey !== step.expectKey ||
        current.state !== step.expectState
      ) {
        return undefined;
      }
      const now = this.now();
      const next: Story = {
        ...story,
        ...(step.status ? { status: step.status } : {}),
        updatedAt: now,
        registration: withoutUndefined({ ...current, ...step.registration, updatedAt: now }),
      };
      try {
        return await this.write(next, story, signal);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        conflict = error;
      }
    }
    throw conflict;
  }

  /**
   * Runs `attempt` (read, decide, write on one story) again while it loses a version race;
   * the conflicting write dropped the cached copy, so the next attempt reads the winner's version.
   * @throws the last ConcurrencyError after MAX_WRITE_ATTEMPTS losses
   */
  async retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
    let conflict: unknown;
    for (let i = 0; i < MAX_WRITE_ATTEMPTS; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        conflict = error;
      }
    }
    throw conflict;
  }

  /** The IP asset of a story whose registration is confirmed. @throws NotRegisteredYetError */
  async confirmedAsset(
    storyId: string,
    needed: string,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const story = await this.load(storyId, signal);
    const registration = story.registration;
    if (registration?.state !== 'confirmed' || !registration.ipAssetId) {
      throw new NotRegisteredYetError(storyId, registration?.state, needed);
    }
    return registration.ipAssetId;
  }
}

/** Optional fields absent rather than `undefined` (document stores drop them anyway). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
