import { formatUnits, MAX_UINT256, parseUint256, splitByBasisPoints } from '@mystira/chain-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharesArb } from './arbitraries.js';

describe('splitByBasisPoints', () => {
  it('never loses or creates a wei, and gives each share its floor or floor + 1', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_UINT256 }), sharesArb, (amount, shares) => {
        const parts = splitByBasisPoints(amount, shares);
        expect(parts.reduce((a, b) => a + b, 0n)).toBe(amount);
        for (const [i, part] of parts.entries()) {
          const floor = (amount * BigInt(shares[i] as number)) / 10000n;
          expect(part === floor || part === floor + 1n).toBe(true);
        }
      }),
    );
  });

  it('gives the leftover wei to the largest remainder, ties to the first listed', () => {
    expect(splitByBasisPoints(1n, [5000, 5000])).toEqual([1n, 0n]);
    expect(splitByBasisPoints(10n, [3333, 3333, 3334])).toEqual([3n, 3n, 4n]);
    expect(splitByBasisPoints(1000000000000000001n, [7000, 3000])).toEqual([
      700000000000000001n,
      300000000000000000n,
    ]);
  });

  it('refuses shares that do not sum to 10000', () => {
    expect(() => splitByBasisPoints(1n, [5000, 4999])).toThrow(RangeError);
  });
});

describe('parseUint256 / formatUnits', () => {
  it('accepts exactly the decimal uint256 values', () => {
    expect(parseUint256('0')).toBe(0n);
    expect(parseUint256(MAX_UINT256.toString())).toBe(MAX_UINT256);
    for (const bad of [
      '',
      '-1',
      '01',
      '1.5',
      ' 1',
      '1e18',
      '0x10',
      (MAX_UINT256 + 1n).toString(),
      '9'.repeat(79),
    ]) {
      expect(parseUint256(bad), bad).toBeUndefined();
    }
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_UINT256 }),
        (n) => parseUint256(n.toString()) === n,
      ),
    );
  });

  it('formats with decimals like formatUnits', () => {
    expect(formatUnits(1500000000000000000n, 18)).toBe('1.5');
    expect(formatUnits(1n, 18)).toBe('0.000000000000000001');
    expect(formatUnits(2000000n, 6)).toBe('2.0');
    expect(formatUnits(0n, 18)).toBe('0.0');
    expect(formatUnits(42n, 0)).toBe('42');
  });
});
