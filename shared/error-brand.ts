/**
 * `instanceof` for our error classes that holds across copies of a package.
 *
 * Each package ships an ESM and a CJS build; when both load in one process (an ESM app using a
 * CJS dependency that requires the same package, or two installed versions), there are two
 * `ChainError` classes and an error from one copy is not `instanceof` the other: a catch that
 * tests `instanceof ConcurrencyError` silently stops matching. `brandErrors` gives each class a
 * brand, `Symbol.for('<scope>/<ClassName>')` (the global symbol registry is shared by every
 * copy), on its prototype, so every instance of the class and of its subclasses carries it, and
 * a `static [Symbol.hasInstance]` that tests for the brand instead of one copy's prototype.
 *
 * This file is not a package: every package that has errors imports it and tsup bundles it into
 * that package's build, so no package gains a dependency for it and its source exists once.
 * (No package sits under all the others: specification, resilience and health have no common
 * dependency, so a shared export would mean a new dependency for most of them.)
 */

// biome-ignore lint/suspicious/noExplicitAny: any constructor signature is accepted
type ErrorClass = abstract new (...args: any[]) => Error;

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

/**
 * Brands `classes` (keyed by their public names, which the brands are made of: a minifier may
 * rename the classes themselves). Call it once per module, after the classes. A class left out
 * keeps the ordinary `instanceof`, so forgetting one is never wrong, only not cross-copy.
 */
export function brandErrors(scope: string, classes: Record<string, ErrorClass>): void {
  for (const [name, cls] of Object.entries(classes)) {
    const brand = Symbol.for(`${scope}/${name}`);
    Object.defineProperty(cls.prototype, brand, { value: true });
    Object.defineProperty(cls, Symbol.hasInstance, {
      value(this: unknown, value: unknown): boolean {
        // A subclass a user declares inherits this method: for it, the ordinary prototype test.
        if (this !== cls) return ordinaryInstanceOf.call(this, value);
        return (
          typeof value === 'object' &&
          value !== null &&
          (value as Record<symbol, unknown>)[brand] === true
        );
      },
    });
  }
}
