import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'chain-protos', include: ['test/**/*.test.ts'] } });
