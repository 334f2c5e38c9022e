import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'chain-client', include: ['test/**/*.test.ts'] } });
