/**
 * The dual-package hazard: an error from the CJS build is `instanceof` the ESM build's class and
 * the other way round (both loaded in one process), for every error class.
 */
import type * as Health from '@mystira/health';
import { crossCopyErrorTests } from '../../../test-support/dual-package.js';

crossCopyErrorTests<typeof Health>({
  packageDir: new URL('..', import.meta.url),
  construct: {
    DuplicateCheckError: (m) => new m.DuplicateCheckError('db'),
    CheckTimeoutError: (m) => new m.CheckTimeoutError('db', 500),
    CheckFailedError: (m) => new m.CheckFailedError('PING answered "nope"'),
  },
});
