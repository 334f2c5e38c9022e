import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `bin` is the executable (`mystira-polyglot`, package bin → dist/bin.js); `index` is the same
// CLI as a function, for tests and for apps that embed the commands.
export default defineConfig(libraryConfig({ index: 'src/index.ts', bin: 'src/bin.ts' }));
