/**
 * What the sinks share: tables named as the source names them (`schema.table`, with `public`
 * assumed for a bare name), and the entity id of a changed row (the value of its only key column
 * unless the binding maps composite keys itself).
 */
import type { ChangeEvent } from './change.js';
import { CdcSinkError } from './errors.js';

/** How a row key becomes an entity id; undefined skips the row. */
export type RowIdOf = (
  key: Readonly<Record<string, unknown>>,
  event: ChangeEvent,
) => string | number | undefined;

/** `accounts` -> `public.accounts`; `app.accounts` stays. */
export const qualifiedTable = (table: string) => (table.includes('.') ? table : `public.${table}`);

/** The value of the key's only column. */
export const singleColumnId: RowIdOf = (key, event) => {
  const columns = Object.keys(key);
  if (columns.length !== 1) {
    throw new CdcSinkError(
      `${event.table} has a ${columns.length}-column key: give its binding an id function`,
    );
  }
  const value = key[columns[0] as string];
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return value.toString();
  return undefined;
};

/** The ids a row change concerns: its key, and its previous key when an update changed it. */
export function idsOfChange(event: ChangeEvent, idOf: RowIdOf): (string | number)[] {
  const ids: (string | number)[] = [];
  for (const key of event.previousKey ? [event.key, event.previousKey] : [event.key]) {
    const id = idOf(key, event);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}
