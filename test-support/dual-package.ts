/**
 * The dual-package hazard, tested on the builds a user installs: a package's ESM (`dist/*.js`)
 * and CJS (`dist/*.cjs`) copies are loaded into one process, and every error class it exports
 * must answer `instanceof` across them as it does within one copy (see shared/error-brand.ts).
 * Each package with errors calls `crossCopyErrorTests` from a test/dual-package.test.ts.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

type Module = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: error classes take any constructor arguments
type ErrorClass = new (...args: any[]) => Error;

export interface CrossCopyOptions<M> {
  /** The package folder, e.g. `new URL('..', import.meta.url)` from its test folder. */
  packageDir: URL;
  /** Entry points to load, each as ESM and CJS (entries bundled apart are separate copies too). */
  entries?: readonly string[];
  /** Real instances to check, by class name: built with each copy's own constructor. */
  construct: Record<string, (copy: M) => Error>;
}

export interface Copy {
  label: string;
  module: Module;
}

const require = createRequire(import.meta.url);
// The ordinary prototype-chain test, which no Symbol.hasInstance can change: the tests' oracle.
const hasInChain = Object.prototype.isPrototypeOf;

export async function loadCopies(
  packageDir: URL,
  entries: readonly string[] = ['index'],
): Promise<Copy[]> {
  const copies: Copy[] = [];
  for (const entry of entries) {
    const esm = new URL(`dist/${entry}.js`, packageDir);
    const cjs = fileURLToPath(new URL(`dist/${entry}.cjs`, packageDir));
    copies.push({ label: `${entry}.js`, module: (await import(esm.href)) as Module });
    copies.push({ label: `${entry}.cjs`, module: require(cjs) as Module });
  }
  return copies;
}

/** The exported classes that extend Error, by export name. */
export function errorClasses(module: Module): Map<string, ErrorClass> {
  const found = new Map<string, ErrorClass>();
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function' && hasInChain.call(Error.prototype, value.prototype)) {
      found.set(name, value as ErrorClass);
    }
  }
  // Sorted: an ESM namespace lists exports alphabetically, a CJS exports object in its own order.
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

/** Whether `Sub` is `Base` or extends it, by the ordinary prototype chain (no `instanceof`). */
function extendsClass(Sub: ErrorClass, Base: ErrorClass): boolean {
  return Sub === Base || hasInChain.call(Base.prototype, Sub.prototype);
}

/** `M` is the package's module type (`typeof import('@mystira/<name>')`), for `construct`. */
export function crossCopyErrorTests<M>(options: CrossCopyOptions<M>): void {
  describe('error classes across the ESM and CJS builds loaded in one process', () => {
    let copies: Copy[] = [];
    // Classes every copy shares (a dependency's, re-exported: cockatiel's in resilience) have no
    // hazard to test.
    let shared = new Set<string>();
    const ours = (module: Module) =>
      new Map([...errorClasses(module)].filter(([name]) => !shared.has(name)));
    const pairs = () =>
      copies.flatMap((a) => copies.filter((b) => b !== a).map((b) => [a, b] as const));
    beforeAll(async () => {
      copies = await loadCopies(options.packageDir, options.entries);
      const [first] = copies;
      shared = new Set(
        [...errorClasses(first!.module)]
          .filter(([name, cls]) => copies.every((c) => c.module[name] === cls))
          .map(([name]) => name),
      );
    });

    it('loads distinct copies that export the same error classes', () => {
      const [first, ...rest] = copies.map((c) => errorClasses(c.module));
      expect(first?.size, 'error classes exported').toBeGreaterThan(0);
      for (const other of rest) expect([...(other?.keys() ?? [])]).toEqual([...first!.keys()]);
      // The ESM and CJS builds must hold distinct classes of our own, or the test proves nothing.
      const [esm, cjs] = copies;
      expect(ours(esm!.module).size).toBeGreaterThan(0);
      for (const name of ours(esm!.module).keys()) {
        expect(esm!.module[name]).not.toBe(cjs!.module[name]);
      }
    });

    it('answers instanceof across copies, both ways, as within one copy', () => {
      for (const [a, b] of pairs()) {
        const classesA = ours(a.module);
        const classesB = ours(b.module);
        for (const [nameA, A] of classesA) {
          const instance = Object.create(A.prototype) as object;
          for (const [nameB, B] of classesB) {
            const expected = extendsClass(A, classesA.get(nameB)!);
            expect(
              instance instanceof B,
              `${a.label} ${nameA} instanceof ${b.label} ${nameB}`,
            ).toBe(expected);
          }
        }
      }
    });

    it('checks real instances, built by each copy, against every other copy', () => {
      expect(Object.keys(options.construct).length).toBeGreaterThan(0);
      for (const [a, b] of pairs()) {
        for (const [name, build] of Object.entries(options.construct)) {
          const err = build(a.module as M);
          expect(err).toBeInstanceOf(a.module[name] as ErrorClass);
          expect(err instanceof (b.module[name] as ErrorClass), `${a.label} ${name}`).toBe(true);
          for (const [other, B] of ours(b.module)) {
            const related = extendsClass(
              a.module[name] as ErrorClass,
              a.module[other] as ErrorClass,
            );
            expect(err instanceof B, `${a.label} ${name} instanceof ${b.label} ${other}`).toBe(
              related,
            );
          }
        }
      }
    });

    it("keeps the ordinary instanceof for a user's subclass", () => {
      for (const [a, b] of pairs()) {
        for (const [name, Base] of ours(a.module)) {
          class UserError extends Base {}
          const user = Object.create(UserError.prototype) as object;
          const plain = Object.create(Base.prototype) as object;
          const BaseB = b.module[name] as ErrorClass;
          expect(user instanceof Base && user instanceof BaseB, `${name} subclass`).toBe(true);
          expect(user instanceof UserError).toBe(true);
          expect(plain instanceof UserError, `a ${name} is not the user's subclass`).toBe(false);
          expect(Object.create(BaseB.prototype) instanceof UserError).toBe(false);
          expect(new Error('x') instanceof Base).toBe(false);
        }
      }
    });
  });
}
