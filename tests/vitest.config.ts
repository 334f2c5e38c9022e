import { defineProject } from 'vitest/config';

// Repo-level checks: the contract (Buf lint, breaking, drift), wire compatibility with protoc,
// and packaging (publint, attw, npm pack contents). They shell out to real tools, so they get
// generous timeouts.
export default defineProject({
  test: { name: 'repo', include: ['**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
