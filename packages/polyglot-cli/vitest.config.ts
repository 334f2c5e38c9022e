import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'polyglot-cli', include: ['test/**/*.test.ts'] } });
