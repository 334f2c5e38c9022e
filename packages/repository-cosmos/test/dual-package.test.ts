/**
 * The dual-package hazard: an error from the CJS build is `instanceof` the ESM build's class and
 * the other way round (both loaded in one process), for every error class, and for the
 * `@mystira/repository` classes they extend, whichever copy of that package the caller has.
 */
import * as Repository from '@mystira/repository';
import type * as Cosmos from '@mystira/repository-cosmos';
import { expect, it } from 'vitest';
import { crossCopyErrorTests, loadCopies } from '../../../test-support/dual-package.js';

const packageDir = new URL('..', import.meta.url);

crossCopyErrorTests<typeof Cosmos>({
  packageDir,
  construct: {
    CosmosAccessError: (m) => new m.CosmosAccessError('refused', 403, { entity: 'story' }),
    UnsupportedQueryError: (m) => new m.UnsupportedQueryError('sort too large'),
    CosmosEntityError: (m) => new m.CosmosEntityError('reserved property "_etag"'),
  },
});

it("is the caller's RepositoryError, whichever build of @mystira/repository it came through", async () => {
  for (const { module } of await loadCopies(packageDir)) {
    const cosmos = module as typeof Cosmos;
    const denied = new cosmos.CosmosAccessError('refused', 401);
    expect(denied).toBeInstanceOf(Repository.UnavailableError);
    expect(denied.transient).toBe(false);
    expect(new cosmos.UnsupportedQueryError('x')).toBeInstanceOf(Repository.ValidationError);
    expect(new cosmos.UnsupportedQueryError('x')).not.toBeInstanceOf(Repository.NotFoundError);
  }
});
