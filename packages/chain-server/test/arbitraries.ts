import fc from 'fast-check';

/** Random shares in basis points summing to exactly 10000. */
export const sharesArb = fc
  .array(fc.integer({ min: 1, max: 10000 }), { minLength: 1, maxLength: 12 })
  .map((weights) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const shares = weights.map((w) => Math.max(1, Math.floor((w * 10000) / total)));
    let sum = shares.reduce((a, b) => a + b, 0);
    // Fix rounding so the shares sum to 10000 and stay >= 1.
    let i = 0;
    while (sum !== 10000) {
      const j = i % shares.length;
      if (sum < 10000) {
        shares[j] = (shares[j] as number) + 1;
        sum++;
      } else if ((shares[j] as number) > 1) {
        shares[j] = (shares[j] as number) - 1;
        sum--;
      }
      i++;
    }
    return shares;
  })
  .filter((s) => s.length <= 10000);
