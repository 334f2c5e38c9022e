/**
 * Exact decimal arithmetic for aggregates. A sum of doubles depends on the order the values are
 * added in, which no database promises, so the aggregate rules are exact instead: `sum` is the
 * exact sum of the values (each read as the shortest decimal that round-trips, which is what JSON
 * and PostgreSQL's `numeric` hold) rounded once to the nearest double, and `avg` is that exact sum
 * divided by the count, rounded once. Every backend hands its partial sums (JS numbers, `numeric`
 * text) to these functions, so every backend rounds the same way.
 */

/** An exact decimal `coef × 10^exp`. */
export interface Decimal {
  /** The coefficient (an integer of any size). */
  readonly coef: bigint;
  /** The power of ten it is scaled by. */
  readonly exp: number;
}

/** Zero. */
export const ZERO: Decimal = Object.freeze({ coef: 0n, exp: 0 });

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads a decimal numeral (`-12.5`, `1e+21`, `0.000`, PostgreSQL `numeric` text) exactly.
 * Throws a `RangeError` on anything else (NaN, Infinity).
 */
export function parseDecimal(text: string): Decimal {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new RangeError(`not a finite decimal: ${text.slice(0, 40)}`);
  const frac = m[3] ?? '';
  const digits = `${m[2]}${frac}`.replace(/^0+(?=\d)/, '');
  const coef = BigInt(digits === '' ? '0' : digits);
  return { coef: m[1] === '-' ? -coef : coef, exp: Number(m[4] ?? 0) - frac.length };
}

/** A finite double as the exact value of its shortest round-trip decimal (what JSON stores). */
export function decimalOfNumber(n: number): Decimal {
  if (Number.isSafeInteger(n)) return { coef: BigInt(n), exp: 0 };
  return parseDecimal(String(n));
}

/** A decimal from a number, a decimal numeral, a bigint, or a Decimal. */
export function toDecimal(v: Decimal | number | string | bigint): Decimal {
  if (typeof v === 'number') return decimalOfNumber(v);
  if (typeof v === 'string') return parseDecimal(v);
  if (typeof v === 'bigint') return { coef: v, exp: 0 };
  return v;
}

/** `a + b`, exactly. */
export function addDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.coef === 0n) return b;
  if (b.coef === 0n) return a;
  if (a.exp === b.exp) return { coef: a.coef + b.coef, exp: a.exp };
  const [lo, hi] = a.exp < b.exp ? [a, b] : [b, a];
  return { coef: lo.coef + hi.coef * 10n ** BigInt(hi.exp - lo.exp), exp: lo.exp };
}

/** The double nearest to `d` (ties to even), by the engine's correctly rounded parser. */
export function decimalToNumber(d: Decimal): number {
  if (d.coef === 0n) return 0;
  return Number(`${d.coef}e${d.exp}`);
}

/** `d` as a canonical decimal integer string (bigint sums; `d` is an integer). */
export function decimalToIntegerString(d: Decimal): string {
  if (d.exp >= 0) return (d.coef * 10n ** BigInt(d.exp)).toString();
  return (d.coef / 10n ** BigInt(-d.exp)).toString();
}

/**
 * Significant digits kept by {@link divideToNumber}: more than any midpoint between two doubles
 * has (at most 767), so a quotient truncated there plus a sticky digit rounds like the exact one.
 */
const QUOTIENT_DIGITS = 800;

/** The double nearest to `d / n` (n > 0), rounded once. */
export function divideToNumber(d: Decimal, n: number): number {
  if (d.coef === 0n) return 0;
  const divisor = BigInt(n);
  const negative = d.coef < 0n;
  const magnitude = negative ? -d.coef : d.coef;
  const scale = Math.max(
    0,
    QUOTIENT_DIGITS - magnitude.toString().length + divisor.toString().length,
  );
  const scaled = magnitude * 10n ** BigInt(scale);
  const q = scaled / divisor;
  const sticky = scaled % divisor === 0n ? '0' : '1';
  const value = Number(`${q}${sticky}e${d.exp - scale - 1}`);
  return negative ? -value : value;
}

/**
 * Sums doubles exactly: a plain number while every value and the running total are safe
 * integers (the common case, and as fast as `+`), exact decimals from the first value that is not.
 */
export class ExactSum {
  #int = 0;
  #decimal: Decimal | null = null;

  /** Adds a finite double. */
  add(n: number): void {
    if (this.#decimal === null) {
      const next = this.#int + n;
      if (Number.isSafeInteger(n) && Number.isSafeInteger(next)) {
        this.#int = next;
        return;
      }
      this.#decimal = decimalOfNumber(this.#int);
    }
    this.#decimal = addDecimal(this.#decimal, decimalOfNumber(n));
  }

  /** Adds an exact decimal. */
  addDecimal(d: Decimal): void {
    this.#decimal = addDecimal(this.#decimal ?? decimalOfNumber(this.#int), d);
  }

  /** The exact total. */
  get value(): Decimal {
    return this.#decimal ?? decimalOfNumber(this.#int);
  }
}
