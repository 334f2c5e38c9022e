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
  // Trailing zeros of the fraction carry no value (`numeric` keeps its scale: `12.3400`); dropping
  // them keeps coefficients small, which is what the fast paths need.
  const frac = (m[3] ?? '').replace(/0+$/, '');
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

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Powers of ten that are exact doubles. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** `coef` as an exact double when it is one (|coef| < 2^53), else null. */
function exactCoef(coef: bigint): number | null {
  return coef <= SAFE && coef >= -SAFE ? Number(coef) : null;
}

/**
 * The double nearest to `d` (ties to even). Where `coef` and `10^|exp|` are both exact doubles,
 * one IEEE multiplication or division is that correctly rounded result (the classic fast path of
 * decimal parsing); otherwise the engine's correctly rounded parser reads the decimal.
 */
export function decimalToNumber(d: Decimal): number {
  if (d.coef === 0n) return 0;
  const c = exactCoef(d.coef);
  if (c !== null && d.exp <= 0 && d.exp >= -22) return c / EXACT_POWERS[-d.exp]!;
  if (c !== null && d.exp > 0 && d.exp <= 22) {
    const product = c * EXACT_POWERS[d.exp]!;
    if (Math.abs(product) <= Number.MAX_SAFE_INTEGER) return product;
  }
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
  // Fast path: both operands exact doubles, so one IEEE division is the correctly rounded quotient.
  const c = exactCoef(d.coef);
  if (c !== null && d.exp <= 0 && d.exp >= -22) {
    const divisor = n * EXACT_POWERS[-d.exp]!;
    if (divisor <= Number.MAX_SAFE_INTEGER) return c / divisor;
  }
  if (c !== null && d.exp > 0 && d.exp <= 22) {
    const dividend = c * EXACT_POWERS[d.exp]!;
    if (Math.abs(dividend) <= Number.MAX_SAFE_INTEGER) return dividend / n;
  }
  return divideExactly(d, n);
}

/** `d / n` through an 800-digit quotient and a sticky digit (see {@link QUOTIENT_DIGITS}). */
function divideExactly(d: Decimal, n: number): number {
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
