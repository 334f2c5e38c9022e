import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-demo',
    include: ['test/**/*.test.ts'],
    // Each test starts the whole system (embedded PostgreSQL included) in a child process.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
