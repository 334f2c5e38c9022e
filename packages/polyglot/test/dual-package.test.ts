/**
 * The dual-package hazard: a polyglot error from the CJS build is `instanceof` the ESM build's
 * class and the other way round (both loaded in one process).
 */
import type * as Polyglot from '@mystira/polyglot';
import { crossCopyErrorTests } from '../../../test-support/dual-package.js';

crossCopyErrorTests<typeof Polyglot>({
  packageDir: new URL('..', import.meta.url),
  construct: {
    PolyglotConfigError: (m) => new m.PolyglotConfigError('no binding'),
    PhaseChangeError: (m) => new m.PhaseChangeError('refused', { entity: 'accounts' }),
    CheckpointMismatchError: (m) => new m.CheckpointMismatchError('other run'),
  },
});
