/**
 * Upgrades of the elements of embedded collections for a legacy generation: a generation's own
 * `rename` and `renumber` reach top-level properties only, and the legacy domain renumbered enums
 * inside the collections too (reference 1.4).
 */
import { renumber, type StoredDocument } from '@mystira/repository';

/** Whether `v` is a stored object (not null, not an array). */
export const isStoredObject = (v: unknown): v is StoredDocument =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `doc` with each object in the array `collection` passed through `upgrade` (others kept). */
export function upgradeElements(
  doc: StoredDocument,
  collection: string,
  upgrade: (element: StoredDocument) => StoredDocument,
): StoredDocument {
  const v = doc[collection];
  if (!Array.isArray(v)) return doc;
  return { ...doc, [collection]: v.map((e) => (isStoredObject(e) ? upgrade(e) : e)) };
}

/** `doc` with the number in each element's `key` translated by `table` (old → current). */
export function renumberElements(
  doc: StoredDocument,
  collection: string,
  key: string,
  table: Readonly<Record<number, number>>,
): StoredDocument {
  return upgradeElements(doc, collection, (e) => renumber(e, key, table));
}

/** `element` with the text in its `key` replaced by its number in `table` (other values kept). */
export function numberOfName(
  element: StoredDocument,
  key: string,
  table: Readonly<Record<string, number>>,
): StoredDocument {
  const v = element[key];
  return typeof v === 'string' && Object.hasOwn(table, v)
    ? { ...element, [key]: table[v] }
    : element;
}
