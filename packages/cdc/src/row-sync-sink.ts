/**
 * `rowSyncSink(tables)`: a {@link ChangeSink} that, for every changed row, brings a copy kept
 * elsewhere in line with the database by id. It is the change-data-capture alternative to dual
 * writes for `@mystira/polyglot`: pass `(id, signal) => syncId(primary, mirror, id, { signal })`,
 * which reads the mirror's head and the primary's truth and writes with a compare-and-set, so a
 * change seen twice, late or out of order still ends with the mirror equal to the primary.
 *
 * The sink reads the truth again instead of copying the change's row: the event may be older than
 * the row (a later change is still on its way), and a delete carries only the key.
 */
import type { ChangeBatch, ChangeSink } from './change.js';
import { CdcOptionsError, CdcSinkError } from './errors.js';
import { idsOfChange, qualifiedTable, type RowIdOf, singleColumnId } from './table-keys.js';

/** One table's copy: how to sync one id, and how its row key becomes the id. */
export interface RowSyncBinding {
  /**
   * Makes the copy of `id` equal to the database's row (or absent when the row is). Resolve
   * `'unsettled'` (as polyglot's `syncId` does when the row kept changing) or reject to have the
   * batch handled again; anything else counts as done.
   */
  sync(id: string | number, signal: AbortSignal): Promise<unknown>;
  /** The entity id of a row key. Default: the value of the key's only column. */
  id?: RowIdOf;
  /**
   * The table was truncated: resync everything (e.g. run polyglot's backfill). Without it a
   * truncate fails the batch with a `CdcSinkError`, so the copy never silently diverges.
   */
  truncated?(signal: AbortSignal): Promise<unknown>;
}

/** A sink that syncs, for every changed row, its id through the table's binding. */
export function rowSyncSink(tables: Readonly<Record<string, RowSyncBinding>>): ChangeSink {
  const bindings = new Map<string, RowSyncBinding & { id: RowIdOf }>();
  for (const [table, binding] of Object.entries(tables ?? {})) {
    if (typeof binding?.sync !== 'function') {
      throw new CdcOptionsError(`rowSyncSink: ${table} has no sync function`);
    }
    bindings.set(qualifiedTable(table), { ...binding, id: binding.id ?? singleColumnId });
  }
  if (bindings.size === 0) throw new CdcOptionsError('rowSyncSink needs a table');

  return {
    async handle(batch: ChangeBatch, signal: AbortSignal): Promise<void> {
      const work = new Map<RowSyncBinding, Set<string | number>>();
      const truncated = new Set<RowSyncBinding>();
      for (const event of batch.events) {
        const binding = bindings.get(event.table);
        if (!binding) continue;
        if (event.operation === 'truncate') {
          if (!binding.truncated) {
            throw new CdcSinkError(
              `${event.table} was truncated and its binding has no truncated()`,
            );
          }
          truncated.add(binding);
          continue;
        }
        let ids = work.get(binding);
        if (!ids) {
          ids = new Set();
          work.set(binding, ids);
        }
        for (const id of idsOfChange(event, binding.id)) ids.add(id);
      }
      for (const binding of truncated) await binding.truncated?.(signal);
      for (const [binding, ids] of work) {
        // A truncated table was resynced whole; its row changes of the same batch are covered.
        if (truncated.has(binding)) continue;
        for (const id of ids) {
          let outcome: unknown;
          try {
            outcome = await binding.sync(id, signal);
          } catch (err) {
            throw new CdcSinkError(`sync of ${String(id)} failed: ${(err as Error).message}`, {
              cause: err,
            });
          }
          if (outcome === 'unsettled') {
            throw new CdcSinkError(`sync of ${String(id)} did not settle: the row kept changing`);
          }
        }
      }
    },
  };
}
