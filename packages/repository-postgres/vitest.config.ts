import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'repository-postgres', include: ['test/**/*.test.ts'] },
});
