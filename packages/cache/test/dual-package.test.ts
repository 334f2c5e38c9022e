/**
 * The dual-package hazard: an error from the CJS build is `instanceof` the ESM build's class and
 * the other way round (both loaded in one process), for every error class.
 */
import type * as Cache from '@mystira/cache';
import { crossCopyErrorTests } from '../../../test-support/dual-package.js';

crossCopyErrorTests<typeof Cache>({
  packageDir: new URL('..', import.meta.url),
  construct: {
    CacheOptionsError: (m) => new m.CacheOptionsError('ttlMs must be positive'),
    CacheStoreError: (m) => new m.CacheStoreError('get', 'redis down'),
    CacheDecodeError: (m) => new m.CacheDecodeError('story:1', 'forged', { reason: 'signature' }),
    CacheEncodeError: (m) => new m.CacheEncodeError('cycle'),
  },
});
