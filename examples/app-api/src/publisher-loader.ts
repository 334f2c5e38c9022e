/**
 * Builds the publishing service (src/publishing, the contract's `StoryPublisher`). Loaded
 * dynamically so the host still boots while that service is absent from a checkout: publishing
 * routes then answer 503 and say why, every other route works.
 */
import type { ChainClient } from '@mystira/chain-client';
import type { Repository } from '@mystira/repository';
import type { Logger } from 'pino';
import type { Account, Story } from './domain.ts';
import { ApiError } from './problems.ts';
import type { Publisher } from './publisher-port.ts';

export interface PublisherDeps {
  stories: Repository<Story>;
  accounts: Repository<Account>;
  chain: ChainClient;
  log?: Logger;
}

export async function createPublisher(deps: PublisherDeps): Promise<Publisher> {
  let module: { StoryPublisher?: new (deps: PublisherDeps) => Publisher };
  try {
    module = await import('./publishing/index.ts');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    deps.log?.warn('src/publishing is missing: publishing and royalty routes answer 503');
    return unavailablePublisher();
  }
  if (!module.StoryPublisher) throw new Error('src/publishing/index.ts exports no StoryPublisher');
  return new module.StoryPublisher(deps);
}

function unavailablePublisher(): Publisher {
  const fail = async (): Promise<never> => {
    throw new ApiError(
      503,
      'publishing-unavailable',
      'Publishing unavailable',
      'the publishing service is not installed in this build',
      { retryable: false },
    );
  };
  return {
    publish: fail,
    refreshRegistration: fail,
    payRoyalties: fail,
    royalties: fail,
    claim: fail,
    start() {},
    async stop() {},
  };
}
