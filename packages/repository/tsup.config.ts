import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `testing` imports the main entry by its package name (kept external), so both entries share
// one copy of the error classes and `instanceof` works across them.
export default defineConfig(
  libraryConfig(
    { index: 'src/index.ts', testing: 'src/testing.ts' },
    { external: ['@mystira/repository'] },
  ),
);
