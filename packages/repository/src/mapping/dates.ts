/**
 * .NET `DateTime` text as EF Core's Cosmos provider writes it (Newtonsoft, `IsoDateFormat`,
 * round-trip kind): `yyyy-MM-ddTHH:mm:ss[.fffffff]` with trailing fraction zeros trimmed, plus
 * `Z` for UTC values and nothing for values of unspecified kind.
 */

const DOTNET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * The instant of a .NET date string in `Date#toISOString()` form (millisecond precision; finer
 * digits are dropped), or null when the text is not one. Text without an offset is read as UTC,
 * as every Mystira writer uses `DateTime.UtcNow`.
 */
export function parseDotnetDate(text: string): string | null {
  const m = DOTNET.exec(text);
  if (!m) return null;
  const ms = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const offset = m[8] === undefined || m[8] === 'Z' ? 'Z' : m[8];
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${ms}${offset}`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The .NET text of an instant given in `toISOString()` form: UTC, fraction trimmed, `Z`. */
export function dotnetDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new TypeError(`not a date: "${iso}"`);
  const s = new Date(t).toISOString(); // yyyy-MM-ddTHH:mm:ss.fffZ
  const fraction = s.slice(20, 23).replace(/0+$/, '');
  return `${s.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}
