import { entity, field, type Infer } from '@mystira/specification';

/** A small entity for the polyglot tests (string ids, a version field). */
export const Account = entity(
  'accounts',
  {
    id: field.string(),
    version: field.number(),
    name: field.string(),
    balance: field.number(),
    tags: field.array(field.string()),
  },
  { id: 'id', version: 'version' },
);
export type AccountT = Infer<typeof Account>;

export const account = (id: string, patch: Partial<AccountT> = {}): AccountT => ({
  id,
  version: 1,
  name: `n-${id}`,
  balance: 0,
  tags: [],
  ...patch,
});

/** Deterministic PRNG (mulberry32) for reproducible random op streams. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
