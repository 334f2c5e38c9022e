import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'specification', include: ['test/**/*.test.ts'] } });
