/**
 * Generation tokens: the values of the generation keys (see keys.ts) that every fill is guarded
 * by and every entry records. A write replaces them; a value filled under other tokens is a miss.
 */
import { freshToken } from './envelope.js';
import type { GuardedStore } from './guard.js';
import type { Guard } from './store.js';

/** What `freshToken()` makes (and nothing that would break an envelope header: no '|' or ','). */
const TOKEN = /^[\w.-]{1,64}$/;

/**
 * Entity-wide generation keys (epoch, query generation, tags) expire after a day without writes:
 * an expired one comes back as a fresh token, which only turns the values filled under the old one
 * into misses, so any expiry is safe; it just keeps abandoned prefixes from living forever.
 */
export const GENERATION_TTL_MS = 86_400_000;

/**
 * A generation token as read from the store: null when absent, false when the key holds something
 * no instance wrote (then it is replaced by a fresh token, which is what a write does anyway).
 */
export function tokenOf(b: Uint8Array | number | null): string | null | false {
  if (b === null) return null;
  if (typeof b === 'number' || b.length > 64) return false;
  const text = (
    Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  ).toString('latin1');
  return TOKEN.test(text) ? text : false;
}

/** The tokens an entry records, in guard order; absent generation keys are recorded as ''. */
export function joinTokens(tokens: readonly (string | null)[]): string {
  // A loop rather than map and join: one string, no array, on every read.
  let text = tokens.length > 0 ? (tokens[0] ?? '') : '';
  for (let i = 1; i < tokens.length; i++) text += `,${tokens[i] ?? ''}`;
  return text;
}

/**
 * Creates the shared generation keys among `guards` that were read absent (each with a fresh
 * token, and only if still absent), then reads every guard's token again; null if one now holds
 * junk. Done by a read before it loads: if the fills created them instead, concurrent cold fills
 * of different keys would each try to, and all but the first would be refused.
 */
export async function createdGenerations(
  store: GuardedStore,
  guards: readonly string[],
  creatable: readonly boolean[],
  tokens: readonly (string | null)[],
): Promise<(string | null)[] | null> {
  const create: Guard[] = [];
  tokens.forEach((t, i) => {
    if (t === null && creatable[i])
      create.push({
        key: guards[i]!,
        expected: null,
        create: freshToken(),
        createTtlMs: GENERATION_TTL_MS,
      });
  });
  await store.call('fill', (s) => s.fill(create, []));
  const again = (await store.call('get', (s) => s.get(guards, 64))).map(tokenOf);
  return again.includes(false) ? null : (again as (string | null)[]);
}
