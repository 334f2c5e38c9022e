/**
 * Exact tests on .NET date text. EF Core stores a `DateTime` as `yyyy-MM-ddTHH:mm:ss` plus a
 * fraction with its trailing zeros trimmed (1-7 digits, or none) and `Z` (or nothing, for values
 * of unspecified kind). Such text does not compare like the instants it spells within one second
 * (`…:00.1Z` sorts after `…:00.15Z`, because `Z` sorts after digits), so a comparison with an
 * instant cannot be a plain text comparison. These predicates decide it exactly for every
 * spelling a .NET writer produces, at the millisecond precision the TypeScript value has
 * (finer digits are truncated on reading, and here alike).
 */
import type { FieldRef, Literal, Predicate } from '@mystira/specification';

function str(value: string): Literal {
  return { kind: 'value', type: 'string', value };
}

/** The seconds part (`yyyy-MM-ddTHH:mm:ss`) and the three millisecond digits of an instant. */
function split(iso: string): { seconds: string; ms: string } {
  const s = new Date(Date.parse(iso)).toISOString();
  return { seconds: s.slice(0, 19), ms: s.slice(20, 23) };
}

function plusOneMs(iso: string): string {
  return new Date(Date.parse(iso) + 1).toISOString();
}

/** `field >= instant`, exactly, on .NET date text. */
export function dateAtLeast(field: FieldRef, iso: string): Predicate {
  const { seconds, ms } = split(iso);
  if (ms === '000')
    return { kind: 'compare', op: 'gte', field, value: str(seconds), ignoreCase: false };
  const bound = `${seconds}.${ms}`;
  // Text order is right except for the short spellings that are a prefix of the bound's digits:
  // list those whose text comparison disagrees with their value.
  const wronglyIn: Literal[] = [];
  const wronglyOut: Literal[] = [];
  for (const digits of ['', ms.slice(0, 1), ms.slice(0, 2)]) {
    for (const end of ['Z', '']) {
      const text = `${seconds}${digits ? `.${digits}` : ''}${end}`;
      const value = digits.padEnd(3, '0');
      const byText = text >= bound;
      const byValue = value >= ms;
      if (byText && !byValue) wronglyIn.push(str(text));
      if (!byText && byValue) wronglyOut.push(str(text));
    }
  }
  const atLeast: Predicate = {
    kind: 'compare',
    op: 'gte',
    field,
    value: str(bound),
    ignoreCase: false,
  };
  const corrected: Predicate =
    wronglyIn.length === 0
      ? atLeast
      : {
          kind: 'and',
          operands: [
            atLeast,
            { kind: 'in', op: 'notIn', field, values: wronglyIn, ignoreCase: false },
          ],
        };
  return wronglyOut.length === 0
    ? corrected
    : {
        kind: 'or',
        operands: [
          corrected,
          { kind: 'in', op: 'in', field, values: wronglyOut, ignoreCase: false },
        ],
      };
}

/** `field > instant`. */
export function dateAfter(field: FieldRef, iso: string): Predicate {
  return dateAtLeast(field, plusOneMs(iso));
}

/** `field < instant` (absent fields stay unknown, as for any comparison). */
export function dateBefore(field: FieldRef, iso: string): Predicate {
  return { kind: 'not', operand: dateAtLeast(field, iso) };
}

/** `field <= instant`. */
export function dateAtMost(field: FieldRef, iso: string): Predicate {
  return { kind: 'not', operand: dateAtLeast(field, plusOneMs(iso)) };
}

/** `field = instant` at millisecond precision: the exact short spellings, or the digits as a prefix. */
export function dateEquals(field: FieldRef, iso: string): Predicate {
  const { seconds, ms } = split(iso);
  const trimmed = ms.replace(/0+$/, '');
  const prefix: Predicate = {
    kind: 'stringMatch',
    op: 'startsWith',
    field,
    value: `${seconds}.${ms}`,
    ignoreCase: false,
  };
  if (trimmed.length === 3) return prefix;
  const short = `${seconds}${trimmed ? `.${trimmed}` : ''}`;
  return {
    kind: 'or',
    operands: [
      { kind: 'in', op: 'in', field, values: [str(`${short}Z`), str(short)], ignoreCase: false },
      prefix,
    ],
  };
}
