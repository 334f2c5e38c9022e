import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base.js';

// `otel` needs the optional peer @opentelemetry/api and `testing` the optional peer fast-check,
// so each is its own entry (opt-in by import path): the main entry never imports them. `testing`
// imports the main entry by its package name (kept external), so it throws and compares the very
// classes the main entry exports.
export default defineConfig(
  libraryConfig(
    { index: 'src/index.ts', testing: 'src/testing.ts', otel: 'src/otel.ts' },
    { external: ['@mystira/chain-server'] },
  ),
);
