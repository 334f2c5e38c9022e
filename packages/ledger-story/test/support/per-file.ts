/**
 * A resource one test file shares (a chain, a node), as a value instead of a `let` assigned in
 * `beforeAll` and closed in `afterAll`.
 */
import { afterAll, beforeAll } from 'vitest';

/**
 * Starts the resource before the file's tests and closes it after them. What it returns stands
 * for the resource from the tests on (reading it before `beforeAll` has started it throws); its
 * methods are called on the resource itself.
 */
export function perFile<T extends { close(): Promise<unknown> }>(start: () => Promise<T>): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (started === undefined) throw new Error('the per-file resource starts in beforeAll');
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
