import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `testing` and `otel` import the main entry by its package name (kept external), so every entry
// shares one copy of the error classes and `instanceof` works across them. `otel` is its own entry
// because it needs the optional peer @opentelemetry/api: opt-in by import path.
export default defineConfig(
  libraryConfig(
    { index: 'src/index.ts', testing: 'src/testing.ts', otel: 'src/otel.ts' },
    { external: ['@mystira/repository'] },
  ),
);
