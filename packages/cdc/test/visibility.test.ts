/**
 * The visibility test of a decoded transaction's 32-bit xid against a fresh snapshot, across an
 * epoch boundary. (The race it guards against is covered end to end by mirror-sync.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { parseSnapshot, visibleIn } from '../src/visibility.js';

describe('visibleIn', () => {
  it('below xmin is visible, at or past xmax is not, in between unless in progress', () => {
    const s = parseSnapshot('100:110:103,107');
    expect(visibleIn(s, 99)).toBe(true);
    expect(visibleIn(s, 105)).toBe(true);
    expect(visibleIn(s, 103)).toBe(false);
    expect(visibleIn(s, 110)).toBe(false);
    expect(visibleIn(s, 200)).toBe(false); // not ended yet: xmax has not passed it
  });

  it('puts the 32-bit xid in the epoch just below xmax', () => {
    const epoch = 1n << 32n;
    const s = parseSnapshot(`${epoch + 5n}:${epoch + 10n}:${epoch + 7n}`);
    expect(visibleIn(s, 7)).toBe(false);
    expect(visibleIn(s, 8)).toBe(true);
    expect(visibleIn(s, 0xfffffff0)).toBe(true); // the end of the previous epoch: before xmin
    expect(visibleIn(s, 12)).toBe(false); // not yet: past xmax
  });
});
