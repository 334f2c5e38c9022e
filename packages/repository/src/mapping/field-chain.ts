/**
 * The field codecs along a TypeScript field path, as the query and aggregate mappings both need
 * them before deciding what the stored shape allows.
 */
import type { FieldCodec } from './fields.js';

/**
 * The codec of every segment of `path` (root first), walking into object fields. A segment that
 * is not a field, or a computed field (the .NET model computes or ignores it, so nothing is
 * stored), is passed to `refuse` with the reason.
 */
export function fieldChain(
  fields: Readonly<Record<string, FieldCodec>>,
  path: readonly string[],
  refuse: (reason: string) => never,
): FieldCodec[] {
  let current: Readonly<Record<string, FieldCodec>> | undefined = fields;
  const chain: FieldCodec[] = [];
  for (const seg of path) {
    const c: FieldCodec | undefined =
      current && Object.hasOwn(current, seg) ? current[seg] : undefined;
    if (!c) return refuse('no such field');
    if (c.kind === 'computed') {
      return refuse(`it is not stored (the .NET model computes or ignores it); ${c.hint}`);
    }
    chain.push(c);
    current = c.kind === 'object' ? c.fields : undefined;
  }
  return chain;
}
