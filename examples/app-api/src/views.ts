/**
 * What a story looks like to whom. The author (the owner of the story's author account) sees it
 * all; everyone else sees the public view of a published story: its content, the roles and shares
 * of its royalty split, and the registration's on-chain facts. The public view names no account
 * (no author id, no contributor ids) and no wallet, so reading or listing stories gives nobody a
 * way to find accounts; the registration's idempotency key and error stay with the author.
 *
 * Accounts have no public view: only their owner reads them (see routes/accounts.ts).
 */
import type {
  Scenario,
  ScenarioRegistration,
  Story,
  StoryContributor,
  StoryLicense,
  StoryRegistration,
} from './domain.ts';

export type StoryView = 'full' | 'public';

export type PublicContributor = Pick<StoryContributor, 'role' | 'shareBasisPoints'>;

export type PublicRegistration = Omit<StoryRegistration, 'idempotencyKey' | 'error'>;

export type PublicStory = Omit<
  Story,
  'authorId' | 'contributors' | 'registration' | 'scenarios' | 'license'
> & {
  contributors: PublicContributor[];
  registration?: PublicRegistration;
  scenarios: (Omit<Scenario, 'registration'> & {
    registration?: Omit<ScenarioRegistration, 'idempotencyKey' | 'error'>;
  })[];
  license?: Omit<StoryLicense, 'error'>;
};

export function publicRegistration(registration: StoryRegistration): PublicRegistration {
  const { idempotencyKey: _key, error: _error, ...onChain } = registration;
  return onChain;
}

export function publicStory(story: Story): PublicStory {
  const { authorId: _author, contributors, registration, license, scenarios, ...content } = story;
  return {
    ...content,
    // A scenario's registration and the license: on-chain facts only (no key, no error).
    scenarios: scenarios.map(({ registration: scenarioRegistration, ...scenario }) => ({
      ...scenario,
      ...(scenarioRegistration ? { registration: withoutKeyAndError(scenarioRegistration) } : {}),
    })),
    ...(license ? { license: withoutKeyAndError(license) } : {}),
    contributors: contributors.map(({ role, shareBasisPoints }) => ({ role, shareBasisPoints })),
    ...(registration ? { registration: publicRegistration(registration) } : {}),
  };
}

function withoutKeyAndError<T extends { idempotencyKey?: string; error?: string }>(
  value: T,
): Omit<T, 'idempotencyKey' | 'error'> {
  const { idempotencyKey: _key, error: _error, ...shown } = value;
  return shown;
}

export function storyAs(view: StoryView, story: Story): Story | PublicStory {
  return view === 'full' ? story : publicStory(story);
}
