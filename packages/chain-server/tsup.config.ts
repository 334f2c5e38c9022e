import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `otel` needs the optional peer @opentelemetry/api, so it is its own entry (opt-in by import
// path): the main entry never imports it.
export default defineConfig(libraryConfig({ index: 'src/index.ts', otel: 'src/otel.ts' }));
