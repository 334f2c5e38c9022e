import { defineProject } from 'vitest/config';

// Tests run against an EVM node in process (Hardhat's EDR) and, for the multi-process cases,
// against one served over HTTP on 127.0.0.1; transactions take milliseconds, setup seconds.
export default defineProject({
  test: {
    name: 'ledger-story',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
