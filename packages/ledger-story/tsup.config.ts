import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `embedded` is the development chain (Hardhat's EDR and the Story test contracts): a separate
// entry, so that a production ledger never loads Hardhat.
export default defineConfig(libraryConfig({ index: 'src/index.ts', embedded: 'src/embedded.ts' }));
