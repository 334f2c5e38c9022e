/**
 * The dual-package hazard: an error from the CJS build is `instanceof` the ESM build's class and
 * the other way round (both loaded in one process), for every error class of ours (cockatiel's,
 * re-exported, are one copy shared by both builds).
 */
import type * as Resilience from '@mystira/resilience';
import { crossCopyErrorTests } from '../../../test-support/dual-package.js';

crossCopyErrorTests<typeof Resilience>({
  packageDir: new URL('..', import.meta.url),
  construct: {
    TimeoutError: (m) => new m.TimeoutError(50, { cause: new Error('slow') }),
    HedgeLostError: (m) => new m.HedgeLostError(),
    RateLimitExceededError: (m) => new m.RateLimitExceededError('caller', 250, 10),
  },
});
