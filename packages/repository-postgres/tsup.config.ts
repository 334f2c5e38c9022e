import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// The CLI is a second entry: `mystira-pg` (package bin) runs dist/cli.js.
export default defineConfig(libraryConfig({ index: 'src/index.ts', cli: 'src/cli.ts' }));
