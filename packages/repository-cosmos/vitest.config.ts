import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'repository-cosmos',
    include: ['test/**/*.test.ts'],
    // The in-process Cosmos server is CPU-bound JavaScript on a shared 2-core box.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
