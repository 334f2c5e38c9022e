/**
 * How both conformance kits (the repository's and the aggregates') turn their checks into cases:
 * a case runs its body on a fresh repository from `options.create` and hands it to
 * `options.dispose` afterwards, pass or fail; a name in `options.skip` is left out.
 */
import type { Repository } from '@mystira/repository';
import type { EntityDef } from '@mystira/specification';
import type { ConformanceCase, ConformanceItemT, ConformanceOptions } from './testing.js';

/** A body of a case: the checks, on the fresh repository. */
export type CaseBody = (repo: Repository<ConformanceItemT>) => Promise<void>;

/** The kit's cases so far, and `define` to add one. */
export function caseList(
  options: ConformanceOptions,
  entity: EntityDef,
): { cases: ConformanceCase[]; define: (name: string, body: CaseBody) => void } {
  const skip = new Set(options.skip ?? []);
  const cases: ConformanceCase[] = [];
  const define = (name: string, body: CaseBody) => {
    if (skip.has(name)) return;
    cases.push({
      name,
      run: async () => {
        const repo = await options.create(entity);
        try {
          await body(repo);
        } finally {
          await options.dispose?.(repo);
        }
      },
    });
  };
  return { cases, define };
}
