import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// Two entries share one copy of the core (errors, AST helpers) through a chunk, so an error thrown
// by the cursor entry is `instanceof` the classes exported by the main entry.
export default defineConfig(
  libraryConfig({ index: 'src/index.ts', cursor: 'src/cursor.ts' }, { splitting: true }),
);
