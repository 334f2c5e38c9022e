/**
 * DDL generated from entity definitions: the table for either layout and the indexes on the
 * declared query fields. Index expressions are taken from the same mapping the compiler uses,
 * so `WHERE <expr> = $1` and `ORDER BY <expr>` can use them. Wrapped as a `Migration`, generated
 * DDL runs through the same runner (checksums, lock, up/down) as hand-written SQL.
 */
import { createHash } from 'node:crypto';
import type { EntityDef } from '@mystira/specification';
import { type TableMapping, type TableOptions, tableMapping } from './mapping.js';
import type { Migration } from './migrations.js';
import { quoteIdent } from './sql.js';

function indexName(table: string, field: string): string {
  const base = `${table}_${field.replace(/\./g, '_')}_idx`;
  if (base.length <= 63) return base;
  // PostgreSQL truncates names at 63 bytes; keep them unique with a short hash instead.
  return `${base.slice(0, 50)}_${createHash('sha256').update(base).digest('hex').slice(0, 12)}`;
}

/** `CREATE TABLE` + `CREATE INDEX` statements for the mapping (idempotent: IF NOT EXISTS). */
export function createTableStatements(mapping: TableMapping): string[] {
  const cols = mapping.columns.map((c) => {
    const isId = `"${c.name}"` === mapping.idColumn;
    return `${quoteIdent(c.name)} ${c.sqlType}${isId ? ' PRIMARY KEY' : c.notNull ? ' NOT NULL' : ''}`;
  });
  const out = [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(mapping.schema)}`,
    `CREATE TABLE IF NOT EXISTS ${mapping.qualified} (${cols.join(', ')})`,
  ];
  for (const field of mapping.indexes) {
    if (field === mapping.entity.id) continue;
    const a = mapping.access(field.split('.'));
    const name = quoteIdent(indexName(mapping.table, field));
    if (a.json !== null && a.info.type === 'array') {
      out.push(
        `CREATE INDEX IF NOT EXISTS ${name} ON ${mapping.qualified} USING gin (${a.json} jsonb_path_ops)`,
      );
    } else if (a.scalar !== null) {
      // NULLS FIRST + the id: a forward scan yields exactly the compiler's ascending order
      // (absent first, id tiebreaker), a backward scan the descending one up to the tiebreaker
      // (an incremental sort finishes it), so ordered, limited queries need not sort the table.
      out.push(
        `CREATE INDEX IF NOT EXISTS ${name} ON ${mapping.qualified} ((${a.scalar}) NULLS FIRST, ${mapping.idColumn})`,
      );
    }
  }
  return out;
}

/** `DROP TABLE` for the mapping. */
export function dropTableStatements(mapping: TableMapping): string[] {
  return [`DROP TABLE IF EXISTS ${mapping.qualified}`];
}

/** The DDL of an entity as SQL text (statements separated by `;\n`). */
export function entityDdl(entity: EntityDef, options: TableOptions = {}): string {
  return `${createTableStatements(tableMapping(entity, options)).join(';\n')};\n`;
}

/**
 * A migration that creates (up) or drops (down) the entity's table and indexes. Its checksum
 * covers the generated SQL, so changing the entity definition after the migration ran is
 * reported as drift: add a new, hand-written migration for the change instead.
 */
export function entityMigration(
  id: string,
  entity: EntityDef,
  options: TableOptions = {},
): Migration {
  const mapping = tableMapping(entity, options);
  return {
    id,
    up: `${createTableStatements(mapping).join(';\n')};\n`,
    down: `${dropTableStatements(mapping).join(';\n')};\n`,
  };
}
