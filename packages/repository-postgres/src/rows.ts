/**
 * Items <-> rows for both layouts. Writes send every value as a parameter (jsonb as JSON text,
 * dates as ISO text cast by the column type); reads rebuild exactly the item that was written
 * (missing stays missing, null stays null), with the version taken from the version column.
 */
import { ValidationError } from '@mystira/repository';
import type { Column, TableMapping } from './mapping.js';
import { isWellFormed } from './sql.js';

export type Row = Record<string, unknown>;

/** Rejects strings PostgreSQL cannot store (U+0000) anywhere in the item. */
function checkNul(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      throw new ValidationError(`PostgreSQL text cannot contain U+0000 (NUL) (field "${path}")`, {
        issues: [{ field: path, message: 'contains U+0000' }],
      });
    }
    // A lone surrogate has no UTF-8 encoding: pg would silently send U+FFFD instead (columns)
    // or jsonb would refuse it; reject it for both layouts alike.
    if (!isWellFormed(value)) {
      throw new ValidationError(
        `PostgreSQL text must be well-formed Unicode (field "${path}" has a lone surrogate)`,
        {
          issues: [{ field: path, message: 'lone surrogate' }],
        },
      );
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkNul(value[i], `${path}[${i}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) checkNul(v, path ? `${path}.${k}` : k);
  }
}

/** The parameter values of one row, in `mapping.columns` order. */
export function itemToRow(
  mapping: TableMapping,
  item: Record<string, unknown>,
  version: number,
): unknown[] {
  checkNul(item, '');
  const entity = mapping.entity;
  if (mapping.layout === 'document') {
    const data: Record<string, unknown> = { ...item };
    if (entity.version) delete data[entity.version];
    return [item[entity.id], version, JSON.stringify(data)];
  }
  return mapping.columns.map((c) => columnValue(mapping, c, item, version));
}

function columnValue(
  mapping: TableMapping,
  c: Column,
  item: Record<string, unknown>,
  version: number,
): unknown {
  if (c.field === null || c.name === mapping.entity.version) return version;
  const v = Object.hasOwn(item, c.name) ? item[c.name] : undefined;
  if (v === undefined || v === null) return null;
  if (c.sqlType === 'jsonb') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return v;
}

/**
 * One row as a JSON object keyed by column name, for `jsonb_to_recordset` bulk loads: values stay
 * JSON (numbers as numbers, objects as objects), so a whole chunk is one `JSON.stringify`.
 */
export function itemToRecord(
  mapping: TableMapping,
  item: Record<string, unknown>,
  version: number,
): Record<string, unknown> {
  checkNul(item, '');
  const entity = mapping.entity;
  if (mapping.layout === 'document') {
    const data: Record<string, unknown> = { ...item };
    if (entity.version) delete data[entity.version];
    return { id: item[entity.id], version, data };
  }
  const out: Record<string, unknown> = {};
  for (const c of mapping.columns) {
    if (c.field === null || c.name === entity.version) out[c.name] = version;
    else
      out[c.name] = Object.hasOwn(item, c.name) && item[c.name] !== undefined ? item[c.name] : null;
  }
  return out;
}

/** Rebuilds an item from a row read with `selectList(mapping)`. */
export function rowToItem<T>(mapping: TableMapping, row: Row): T {
  const entity = mapping.entity;
  if (mapping.layout === 'document') {
    const data = row.data as Record<string, unknown>;
    if (entity.version) data[entity.version] = row.version;
    return data as T;
  }
  const out: Record<string, unknown> = {};
  for (const c of mapping.columns) {
    if (c.field === null) continue;
    const v = row[c.name];
    if (v === null || v === undefined) {
      // A NULL column is whichever of missing/null the field allows (never both: see mapping).
      const f = entity.shape[c.name]!;
      if (f.isNullable) out[c.name] = null;
      continue;
    }
    out[c.name] = c.sqlType === 'double precision' && typeof v === 'string' ? Number(v) : v;
  }
  return out as T;
}

/** The version stored in a row. */
export function rowVersion(mapping: TableMapping, row: Row): number {
  if (mapping.layout === 'document') return row.version as number;
  const name = mapping.entity.version ?? '_version';
  return row[name] as number;
}
