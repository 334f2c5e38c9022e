/**
 * Copying the primary's truth for one id to the mirror: what every replay, repair and resumed
 * backfill does. It reads the mirror's head FIRST and the primary SECOND, then writes with a
 * compare-and-set against that head. Whatever the mirror holds after a successful CAS was the
 * primary's truth at some moment after the head was read; anything written to the mirror in
 * between makes the CAS fail and the round repeat. A final round re-reads both and stops only
 * when they agree, so concurrent dual writes, other replayers and late (timed-out) writes all
 * end in agreement rather than in a race.
 */

import { type CallOptions, type Id, idOf, type Repository } from '@mystira/repository';
import type { EntityDef } from '@mystira/specification';
import { type MirrorHead, type MirrorStore, sameItem } from './mirror.js';

/**
 * What syncing one id did: nothing to do (`in-sync`), brought the secondary in line (`repaired`),
 * or gave up because the primary kept changing meanwhile (`unsettled`).
 */
export type SyncOutcome = 'in-sync' | 'repaired' | 'unsettled';

/** The version of an item by the entity's version field. */
export function versionOfItem(entity: EntityDef, item: object): number {
  const v = entity.version ? (item as Record<string, unknown>)[entity.version] : undefined;
  if (typeof v !== 'number')
    throw new TypeError(`${entity.name}: items need a numeric version field to be mirrored`);
  return v;
}

/**
 * Whether the mirror holds the truth. Equal versions are compared by content too: an id deleted
 * and re-created starts again at version 1, so "version 1" may be another generation's item.
 */
async function agrees<T extends object>(
  mirror: MirrorStore<T>,
  truth: T | undefined,
  head: MirrorHead | undefined,
  options: CallOptions,
): Promise<boolean> {
  const entity = mirror.entity;
  if (!truth) return !head || head.deleted;
  if (!head || head.deleted || head.version !== versionOfItem(entity, truth)) return false;
  const copy = await mirror.repository.getById(idOf(entity, truth), options);
  return sameItem(entity, copy, truth);
}

/**
 * Makes the mirror's copy of `id` equal to the primary's (same version, same content).
 * Returns `unsettled` after `maxRounds` rounds of concurrent interference (the caller retries later).
 */
export async function syncId<T extends object>(
  primary: Repository<T>,
  mirror: MirrorStore<T>,
  id: Id,
  options: CallOptions & { maxRounds?: number } = {},
): Promise<SyncOutcome> {
  const entity = primary.entity;
  const rounds = options.maxRounds ?? 6;
  let wrote = false;
  for (let round = 0; round < rounds; round++) {
    const head = await mirror.head(id, options);
    const truth = await primary.getById(id, options);
    if (await agrees(mirror, truth, head, options)) return wrote ? 'repaired' : 'in-sync';
    const expect = head ?? null;
    const r = truth
      ? await mirror.put(truth, versionOfItem(entity, truth), { ...options, expect })
      : await mirror.remove(id, head?.version ?? 0, { ...options, expect });
    if (r === 'applied') wrote = true;
  }
  return 'unsettled';
}
