/** Amounts: people type whole or decimal units; the chain counts wei (10^-18 of a unit). */
export const DECIMALS = 18;

/** Parses "1.5" into 1500000000000000000n; undefined when it is not a positive decimal amount. */
export function parseUnits(text: string, decimals = DECIMALS): bigint | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > decimals) return undefined;
  const wei =
    BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  return wei > 0n ? wei : undefined;
}

/** Formats wei as units without losing precision: 1500000000000000000n → "1.5". */
export function formatUnits(wei: bigint, decimals = DECIMALS): string {
  const base = 10n ** BigInt(decimals);
  const whole = wei / base;
  const fraction = (wei % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}
