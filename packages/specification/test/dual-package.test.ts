/**
 * The dual-package hazard: an error from the CJS build is `instanceof` the ESM build's class and
 * the other way round (both loaded in one process), for every error class.
 */
import type * as Specification from '@mystira/specification';
import { crossCopyErrorTests } from '../../../test-support/dual-package.js';

crossCopyErrorTests<typeof Specification>({
  packageDir: new URL('..', import.meta.url),
  construct: {
    SpecificationError: (m) => new m.SpecificationError('INVALID_VALUE', 'bad', { path: '/x' }),
    UnknownFieldError: (m) => new m.UnknownFieldError('no such field', { field: 'nope' }),
    LimitExceededError: (m) => new m.LimitExceededError('maxDepth', 'too deep'),
    MultipleResultsError: (m) => new m.MultipleResultsError(),
  },
});
