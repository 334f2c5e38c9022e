import { createUuidV7Generator, isUuidV7, uuidV7Timestamp, uuidv7 } from '@mystira/chain-client';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('uuidv7', () => {
  it('has the RFC 9562 layout: version 7, variant 10, the millisecond timestamp first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (ms, rnd) => {
          const gen = createUuidV7Generator(
            () => ms,
            (b) => {
              b.set(rnd);
              return b;
            },
          );
          const id = gen();
          expect(isUuidV7(id)).toBe(true);
          expect(id[14]).toBe('7');
          expect('89ab').toContain(id[19]);
          expect(uuidV7Timestamp(id)).toBe(ms);
        },
      ),
    );
  });

  it('is strictly increasing for one generator, whatever the clock does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1_600_000_000_000, max: 1_600_000_000_010 }), {
          minLength: 2,
          maxLength: 6000,
        }),
        (times) => {
          let i = 0;
          const gen = createUuidV7Generator(() => times[i++ % times.length] as number);
          let prev = '';
          for (let k = 0; k < times.length; k++) {
            const id = gen();
            expect(isUuidV7(id)).toBe(true);
            expect(id > prev).toBe(true);
            prev = id;
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('does not repeat across many keys from the default generator', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => uuidv7()));
    expect(ids.size).toBe(20_000);
    const now = Date.now();
    expect(Math.abs(uuidV7Timestamp(uuidv7()) - now)).toBeLessThan(60_000);
  });

  it('rejects what is not a v7 UUID', () => {
    expect(isUuidV7('00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(() => uuidV7Timestamp('nope')).toThrow(TypeError);
  });
});
