/**
 * Freezes a tree. Stops at objects that are already frozen: every node this package creates is
 * frozen bottom-up (children before parents), so a frozen node is frozen all the way down, and
 * re-walking shared subtrees on every builder step would make building quadratic.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
