/** The CommonJS build works too, and its two entries share one copy of the error classes. */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);

it('require() loads both entries; cursor errors are instances of the main entry classes', () => {
  const core = require('@mystira/specification') as typeof import('@mystira/specification');
  const cursor =
    require('@mystira/specification/cursor') as typeof import('@mystira/specification/cursor');
  const s = core.spec(core.Probe).orderBy('name').take(2);
  expect(core.evaluate(s, core.probeRows).map((r) => r.id)).toEqual(['p04', 'p05']);
  const codec = cursor.createCursorCodec({ secret: 'a-secret-of-at-least-16-bytes' });
  let caught: unknown;
  try {
    codec.decode(s, 'garbage.garbage');
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(core.SpecificationError);
  expect(caught).toBeInstanceOf(cursor.InvalidCursorError);
  expect(cursor.InvalidCursorError).toBe(core.InvalidCursorError);
});
