import { defineConfig } from 'vitest/config';

// One test runner for the repo: every package (and the repo-level checks in tests/) is a
// Vitest project with its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      'tests/vitest.config.ts',
    ],
  },
});
