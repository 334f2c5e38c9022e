/**
 * A proxy answering some properties itself and every other one from its target, methods bound
 * to the target: the base of decorators that change a few methods of a repository (or of
 * anything) and leave the rest alone. Binding matters because adapters keep their state in
 * `#private` fields, which a method called on the proxy could not reach.
 */
export function passThrough<R extends object>(
  target: R,
  overrides: ReadonlyMap<PropertyKey, unknown>,
): R {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      if (overrides.has(prop)) return overrides.get(prop);
      const value = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      let fn = bound.get(prop);
      if (!fn) {
        fn = (value as (...a: unknown[]) => unknown).bind(t);
        bound.set(prop, fn);
      }
      return fn;
    },
  });
}
