/**
 * The dual-package hazard: an error from the CJS build is `instanceof` the ESM build's class and
 * the other way round (both loaded in one process), for every error class.
 */
import type * as Repository from '@mystira/repository';
import { expect, it } from 'vitest';
import { crossCopyErrorTests, loadCopies } from '../../../test-support/dual-package.js';

const packageDir = new URL('..', import.meta.url);

crossCopyErrorTests<typeof Repository>({
  packageDir,
  construct: {
    ConcurrencyError: (m) => new m.ConcurrencyError('stale', { expectedVersion: 1 }),
    NotFoundError: (m) => new m.NotFoundError('gone', { entity: 'story', id: 1 }),
    ValidationError: (m) =>
      new m.ValidationError('bad', { issues: [{ field: 'x', message: 'y' }] }),
    MultipleResultsError: (m) => new m.MultipleResultsError(),
  },
});

it('isRepositoryError recognises an error of the other copy', async () => {
  const [esm, cjs] = (await loadCopies(packageDir)).map((c) => c.module as typeof Repository);
  expect(esm!.isRepositoryError(new cjs!.AbortedError())).toBe(true);
  expect(cjs!.isRepositoryError(new esm!.UnavailableError('down'))).toBe(true);
  expect(esm!.isRepositoryError(new Error('plain'))).toBe(false);
});
