import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `postgres` and `otel` import the main entry by its package name (kept external), so every entry
// shares one copy of the error classes and `instanceof` works across them. Each is its own entry
// because it needs an optional peer (`@mystira/repository-postgres`, `@opentelemetry/api`): opt-in
// by import path, and the main entry never loads either.
export default defineConfig(
  libraryConfig(
    { index: 'src/index.ts', postgres: 'src/postgres.ts', otel: 'src/otel.ts' },
    { external: ['@mystira/polyglot'] },
  ),
);
