/**
 * The dual-package hazard: a `LedgerError` thrown by a ledger adapter built against the CJS copy
 * is `instanceof` the ESM copy's class and the other way round (both loaded in one process).
 */
import type * as ChainServer from '@mystira/chain-server';
import { crossCopyErrorTests } from '../../../test-support/dual-package.js';

crossCopyErrorTests<typeof ChainServer>({
  packageDir: new URL('..', import.meta.url),
  construct: {
    LedgerError: (m) => new m.LedgerError('NOT_FOUND', 'no such asset'),
  },
});
