/**
 * LIKE patterns to Cosmos SQL: native `LIKE` on azure (`[` escaped, `_` widened to `%`, since one
 * code point may be two UTF-16 units), and on cosmosdb-server, which has no LIKE, `=`,
 * `STARTSWITH`/`ENDSWITH` (+ `LENGTH`) or `CONTAINS` when that is exact, else a superset made of
 * the pattern's literal runs (re-checked in memory).
 */
import { foldAscii } from '@mystira/specification';
import { and, type Ctx, exact, FALSE, type Halves, or, relaxed, type Sql } from './sql-expr.js';

const ASCII = /^[^\u0080-\uFFFF]*$/;

type Token = { wild: '%' | '_' } | { char: string };

function likeTokens(pattern: string): Token[] {
  const out: Token[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\') out.push({ char: chars[++i] ?? '' });
    else if (ch === '%' || ch === '_') out.push({ wild: ch });
    else out.push({ char: ch });
  }
  return out;
}

/** LIKE: native on azure (`[` escaped, `_` widened), decomposed on cosmosdb-server. */
export function compileLike(ctx: Ctx, x: string, pattern: string, ignoreCase: boolean): Halves {
  const isString = `IS_STRING(${x})`;
  const tokens = likeTokens(pattern);
  const literalChars = tokens.flatMap((t) => ('char' in t ? [t.char] : []));
  if (ignoreCase && !ASCII.test(literalChars.join(''))) return relaxed(isString, isString);
  const fold = (s: string) => (ignoreCase ? foldAscii(s) : s);
  const subject = ignoreCase ? `LOWER(${x})` : x;
  const hasOne = tokens.some((t) => 'wild' in t && t.wild === '_');
  if (ctx.profile.like) {
    let cosmos = '';
    for (const t of tokens) {
      if ('wild' in t)
        cosmos += '%'; // `_` widened: exactness is restored by the re-check
      else cosmos += /[%_[\]\\]/.test(t.char) ? `\\${fold(t.char)}` : fold(t.char);
    }
    const match = `${subject} LIKE ${ctx.params.add(cosmos)} ESCAPE "\\\\"`;
    if (hasOne || ignoreCase) return relaxed(match, isString);
    return exact(match, and(isString, `NOT (${match})`));
  }
  // No LIKE: segments between `%`, each split at `_` into literal runs.
  const segments: Token[][] = [[]];
  for (const t of tokens) {
    if ('wild' in t && t.wild === '%') segments.push([]);
    else segments[segments.length - 1]!.push(t);
  }
  const text = (seg: Token[]) => fold(seg.map((t) => ('char' in t ? t.char : '')).join(''));
  if (!hasOne && !ignoreCase) {
    if (segments.length === 1) {
      const p = ctx.params.add(text(segments[0]!));
      return exact(`${x} = ${p}`, and(isString, `${x} != ${p}`));
    }
    if (segments.length === 2) {
      const pre = text(segments[0]!);
      const suf = text(segments[1]!);
      const yes: string[] = [];
      const no: string[] = [];
      if (pre) {
        const p = ctx.params.add(pre);
        yes.push(`STARTSWITH(${x}, ${p})`);
        no.push(`NOT STARTSWITH(${x}, ${p})`);
      }
      if (suf) {
        const p = ctx.params.add(suf);
        yes.push(`ENDSWITH(${x}, ${p})`);
        no.push(`NOT ENDSWITH(${x}, ${p})`);
      }
      if (pre && suf) {
        yes.push(`LENGTH(${x}) >= ${pre.length + suf.length}`);
        no.push(`LENGTH(${x}) < ${pre.length + suf.length}`);
      }
      // `%` alone (no literal at either end) matches every string.
      return exact(and(isString, ...yes), no.length === 0 ? FALSE : and(isString, or(...no)));
    }
    if (segments.length === 3 && segments[0]!.length === 0 && segments[2]!.length === 0) {
      const match = `CONTAINS(${x}, ${ctx.params.add(text(segments[1]!))})`;
      return exact(match, and(isString, `NOT ${match}`));
    }
  }
  // A superset: the literal runs must appear (anchored at the ends when no `%` is there).
  const parts: Sql[] = [isString];
  const runs: string[] = [];
  for (const seg of segments) {
    let run = '';
    for (const t of seg) {
      if ('char' in t) run += t.char;
      else {
        if (run) runs.push(run);
        run = '';
      }
    }
    if (run) runs.push(run);
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const leading = first.findIndex((t) => 'wild' in t);
  const prefix = text(leading < 0 ? first : first.slice(0, leading));
  if (prefix) parts.push(`STARTSWITH(${subject}, ${ctx.params.add(prefix)})`);
  const trailing = [...last].reverse().findIndex((t) => 'wild' in t);
  const suffix = text(trailing < 0 ? last : last.slice(last.length - trailing));
  if (suffix) parts.push(`ENDSWITH(${subject}, ${ctx.params.add(suffix)})`);
  for (const run of runs) parts.push(`CONTAINS(${subject}, ${ctx.params.add(fold(run))})`);
  return relaxed(and(...parts), isString);
}
