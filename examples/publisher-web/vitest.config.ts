import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-publisher-web',
    include: ['test/**/*.test.ts'],
    // Builds the page once (when stale) before the browser test files run.
    globalSetup: ['test/support/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
