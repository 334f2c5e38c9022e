/**
 * Migration phases. A phase says, per entity, which store takes writes and which answers reads.
 * The usual path moves one entity from its old store (primary) to its new one (secondary):
 *
 * PrimaryOnly → DualWritePrimaryRead → (backfill, verify) → DualWriteSecondaryRead → SecondaryOnly
 *
 * and `DualWrite` is the permanent "keep a copy" mode (e.g. an analytics copy in PostgreSQL of
 * documents that live in Cosmos DB): like `DualWritePrimaryRead`, with no intention to move on.
 */

export const PHASES = [
  'PrimaryOnly',
  'DualWritePrimaryRead',
  'DualWriteSecondaryRead',
  'SecondaryOnly',
  'DualWrite',
] as const;

/** Which store of an entity takes writes and which answers reads (see {@link PHASES}). */
export type Phase = (typeof PHASES)[number];

/** Whether `value` is the name of a phase. */
export function isPhase(value: unknown): value is Phase {
  return typeof value === 'string' && (PHASES as readonly string[]).includes(value);
}

/** Whether writes in this phase go to both stores (primary first). */
export function writesBoth(phase: Phase): boolean {
  return (
    phase === 'DualWritePrimaryRead' || phase === 'DualWriteSecondaryRead' || phase === 'DualWrite'
  );
}

/** Which store answers reads in this phase. */
export function readsFrom(phase: Phase): 'primary' | 'secondary' {
  return phase === 'DualWriteSecondaryRead' || phase === 'SecondaryOnly' ? 'secondary' : 'primary';
}

/** Whether the phase needs a secondary store at all. */
export function needsSecondary(phase: Phase): boolean {
  return phase !== 'PrimaryOnly';
}
