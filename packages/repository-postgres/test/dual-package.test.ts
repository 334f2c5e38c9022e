/**
 * The dual-package hazard: an error from the CJS build is `instanceof` the ESM build's class and
 * the other way round (both loaded in one process), for every error class.
 */
import type * as Postgres from '@mystira/repository-postgres';
import { crossCopyErrorTests } from '../../../test-support/dual-package.js';

crossCopyErrorTests<typeof Postgres>({
  packageDir: new URL('..', import.meta.url),
  construct: {
    MigrationError: (m) => new m.MigrationError('checksum drift', { migration: '001_init' }),
    LayoutError: (m) => new m.LayoutError('cannot store this entity'),
  },
});
