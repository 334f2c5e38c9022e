import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `otel` is its own entry: it needs the optional peer @opentelemetry/api, so it is opt-in by
// import path and the main entry never loads it.
export default defineConfig(libraryConfig({ index: 'src/index.ts', otel: 'src/otel.ts' }));
