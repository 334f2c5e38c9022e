import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'polyglot', include: ['test/**/*.test.ts'] } });
