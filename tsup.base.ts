import type { Options } from 'tsup';

/**
 * The one tsup configuration every package builds with: ESM + CJS + .d.ts/.d.cts,
 * Node 22 syntax, source maps, dependencies left external. A package passes its
 * entry points (and, rarely, overrides).
 */
export function libraryConfig(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
