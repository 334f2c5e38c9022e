/**
 * The dual-package hazard: an error from one copy of the client is `instanceof` the classes of
 * every other copy, and `isChainError` recognises it: the ESM and CJS builds, and the Node and
 * web entries (bundled apart, so four copies), all loaded in one process.
 */
import type * as ChainClient from '@mystira/chain-client';
import { expect, it } from 'vitest';
import { crossCopyErrorTests, loadCopies } from '../../../test-support/dual-package.js';

const packageDir = new URL('..', import.meta.url);
const entries = ['index', 'web'];

crossCopyErrorTests<typeof ChainClient>({
  packageDir,
  entries,
  construct: {
    ChainError: (m) => new m.ChainError({ code: 2, message: 'unknown' }),
    ChainInvalidArgumentError: (m) =>
      new m.ChainInvalidArgumentError({
        code: 3,
        message: 'invalid',
        fieldViolations: [{ field: 'content_id', description: 'is required' }],
      }),
    ChainCircuitOpenError: (m) => new m.ChainCircuitOpenError({ code: 14, message: 'open' }),
    // Built the way the client builds the errors it throws.
    ChainCanceledError: (m) =>
      m.toChainError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'IsRegistered'),
    ChainClientOptionsError: (m) => new m.ChainClientOptionsError('baseUrl', 'missing'),
  },
});

it('isChainError recognises the errors of every copy, and nothing else', async () => {
  const copies = (await loadCopies(packageDir, entries)).map((c) => c.module as typeof ChainClient);
  for (const a of copies) {
    for (const b of copies) {
      expect(a.isChainError(new b.ChainNotFoundError({ code: 5, message: 'gone' }))).toBe(true);
      // An error of another copy passes through toChainError unchanged, its class kept.
      const err = new b.ChainConflictError({ code: 6, message: 'exists' });
      expect(a.toChainError(err)).toBe(err);
      expect(a.isChainError(new b.ChainClientOptionsError('baseUrl', 'x'))).toBe(false);
    }
    expect(a.isChainError(new Error('plain'))).toBe(false);
    expect(a.isChainError(undefined)).toBe(false);
  }
});
