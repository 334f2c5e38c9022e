/**
 * How an entity is laid out in a table, and the SQL expression that reads each declared field.
 *
 * - `document`: `id`, `version`, `data jsonb` (the whole item minus its version). Made for
 *   entities moving over from Cosmos DB; queried fields get expression indexes.
 * - `columns`: one typed column per top-level field (`text COLLATE "C"`, `double precision`,
 *   `boolean`, `timestamptz`, `numeric`); arrays and objects in `jsonb` columns. Made for
 *   relational data. A column cannot tell "missing" from "null", so a top-level field may be
 *   optional or nullable here, not both (use the document layout for that).
 *
 * The compiler and the DDL generator both take expressions from here, so an expression index
 * is textually the expression the compiler emits, and the planner can use it.
 */
import type { EntityDef, FieldInfo, ScalarType } from '@mystira/specification';
import { LayoutError } from './errors.js';
import { quoteIdent, quoteKey } from './sql.js';

/**
 * How an entity is stored: `document` (`id`, `version`, `data jsonb`) or `columns` (one typed
 * column per top-level field).
 */
export type Layout = 'document' | 'columns';

/** Options of {@link tableMapping} (and of the repository and DDL that use it). */
export interface TableOptions {
  /** `document` (default) or `columns`. */
  layout?: Layout;
  /** Schema of the table. Default `public`. */
  schema?: string;
  /** Table name. Default: the entity name. */
  table?: string;
  /**
   * Fields that queries filter or sort on: each gets an index (an expression index in the
   * document layout, GIN `jsonb_path_ops` for arrays). The id always has the primary key.
   */
  indexes?: readonly string[];
}

/** SQL type of a scalar in the columns layout. */
const COLUMN_TYPE: Record<ScalarType, string> = {
  string: 'text COLLATE "C"',
  number: 'double precision',
  boolean: 'boolean',
  date: 'timestamptz',
  bigint: 'numeric',
};

/** Cast applied to a bound parameter of a scalar type (parameters are always sent as text). */
export function paramCast(type: ScalarType, layout: Layout): string {
  switch (type) {
    case 'string':
      return '::text COLLATE "C"';
    case 'number':
      return layout === 'columns' ? '::float8' : '::numeric';
    case 'boolean':
      return '::boolean';
    case 'date':
      return layout === 'columns' ? '::timestamptz' : '::text COLLATE "C"';
    case 'bigint':
      return '::numeric';
  }
}

/** How SQL reads a declared field in a layout: the expressions the compiler and the DDL share. */
export interface FieldAccess {
  /** The field, as the entity declares it. */
  readonly info: FieldInfo;
  /** Expression of the field's value, typed for comparison and ordering (NULL when absent). */
  readonly scalar: string | null;
  /** Expression that is NULL exactly when the field is absent (missing or null). */
  readonly presence: string;
  /** jsonb expression (arrays, objects) or null for typed scalar columns. */
  readonly json: string | null;
  /** Scalar type (for arrays: the element type). */
  readonly type: ScalarType | null;
  /** Cast for parameters compared with `scalar` (e.g. `::numeric`). */
  readonly cast: string;
}

/**
 * A column of the table.
 *
 * @inline
 */
export interface Column {
  /** The column's name, unquoted. */
  readonly name: string;
  /** The field it stores, or null (the `version` and `data` columns of the document layout). */
  readonly field: FieldInfo | null;
  /** Its SQL type, e.g. `text COLLATE "C"`. */
  readonly sqlType: string;
  /** Whether it is `NOT NULL`. */
  readonly notNull: boolean;
}

/** How an entity is laid out in a table (see {@link tableMapping}). */
export interface TableMapping {
  /** The entity the table stores. */
  readonly entity: EntityDef;
  /** The layout. */
  readonly layout: Layout;
  /** The schema, unquoted. */
  readonly schema: string;
  /** The table name, unquoted. */
  readonly table: string;
  /** `"schema"."table"` */
  readonly qualified: string;
  /** The id column, quoted for SQL. */
  readonly idColumn: string;
  /** The version column, quoted for SQL. */
  readonly versionColumn: string;
  /** Columns in insert order (document: id, version, data). */
  readonly columns: readonly Column[];
  /** The fields that get an index (`TableOptions.indexes`). */
  readonly indexes: readonly string[];
  /** Access expression for a declared field. */
  access(path: readonly string[]): FieldAccess;
}

function scalarOfInfo(info: FieldInfo): ScalarType | null {
  if (info.type === 'array') return info.element;
  if (info.type === 'object') return null;
  return info.type;
}

/**
 * How a field inside a jsonb value is read: `root` is the jsonb column, `keys` the path below it.
 * Nested number and date values compare as in the document layout (numeric, ISO text), whatever
 * the table's layout.
 */
function jsonbAccess(info: FieldInfo, root: string, keys: readonly string[]): FieldAccess {
  const type = scalarOfInfo(info);
  const quoted = keys.map(quoteKey);
  const parent = [root, ...quoted.slice(0, -1)].join('->');
  const last = quoted[quoted.length - 1];
  const text = `(${parent}->>${last})`;
  const json = `(${parent}->${last})`;
  let scalar: string | null = null;
  if (info.type !== 'array' && info.type !== 'object') {
    scalar =
      type === 'string' || type === 'date'
        ? `(${text} COLLATE "C")`
        : type === 'boolean'
          ? `(${text}::boolean)`
          : `(${text}::numeric)`;
  }
  return {
    info,
    scalar,
    presence: text,
    json,
    type,
    cast: type ? paramCast(type, 'document') : '',
  };
}

/** Builds the mapping of `entity` to a table, validating that the layout can represent it. */
export function tableMapping(entity: EntityDef, options: TableOptions = {}): TableMapping {
  const layout = options.layout ?? 'document';
  if (layout !== 'document' && layout !== 'columns')
    throw new LayoutError(`unknown layout "${String(layout)}"`);
  const schema = options.schema ?? 'public';
  const table = options.table ?? entity.name;
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const idInfo = entity.fieldAt(entity.id)!;
  const idType = idInfo.type === 'number' ? 'double precision' : 'text COLLATE "C"';
  const cache = new Map<string, FieldAccess>();
  const indexes = [...(options.indexes ?? [])];
  for (const name of indexes) {
    if (!entity.fieldAt(name)) throw new LayoutError(`index on unknown field "${name}"`);
  }

  let columns: Column[];
  let versionColumn: string;
  let access: (info: FieldInfo) => FieldAccess;

  if (layout === 'document') {
    versionColumn = '"version"';
    columns = [
      {
        name: 'id',
        field: idInfo,
        sqlType: idType,
        notNull: true,
      },
      { name: 'version', field: null, sqlType: 'integer', notNull: true },
      { name: 'data', field: null, sqlType: 'jsonb', notNull: true },
    ];
    access = (info) => {
      const type = scalarOfInfo(info);
      if (info.name === entity.id) {
        const id = '"id"';
        const cast = idInfo.type === 'number' ? '::float8' : '::text COLLATE "C"';
        return {
          info,
          scalar: idInfo.type === 'number' ? id : `(${id} COLLATE "C")`,
          presence: id,
          json: null,
          type,
          cast,
        };
      }
      if (info.name === entity.version) {
        // The version lives in its column only (never in `data`), so writes can bump it in SQL.
        return {
          info,
          scalar: '"version"',
          presence: '"version"',
          json: null,
          type,
          cast: '::numeric',
        };
      }
      return jsonbAccess(info, '"data"', info.path);
    };
  } else {
    columns = [];
    for (const info of entity.fields.values()) {
      if (info.path.length !== 1) continue;
      const f = entity.shape[info.name]!;
      if (f.isOptional && f.isNullable) {
        throw new LayoutError(
          `field "${info.name}" of "${entity.name}" is both optional and nullable; a column cannot tell missing from null (use the document layout)`,
        );
      }
      const scalar = scalarOfInfo(info);
      const isJson = info.type === 'array' || info.type === 'object';
      const sqlType =
        info.name === entity.version
          ? 'integer'
          : isJson
            ? 'jsonb'
            : COLUMN_TYPE[scalar as ScalarType];
      columns.push({
        name: info.name,
        field: info,
        sqlType,
        notNull: !info.maybeAbsent,
      });
    }
    if (entity.version) {
      versionColumn = quoteIdent(entity.version);
    } else {
      if (entity.fieldAt('_version'))
        throw new LayoutError('"_version" is reserved for the version column');
      versionColumn = '"_version"';
      columns.push({
        name: '_version',
        field: null,
        sqlType: 'integer',
        notNull: true,
      });
    }
    access = (info) => {
      const type = scalarOfInfo(info);
      const top = quoteIdent(info.path[0]!);
      if (info.path.length === 1) {
        if (info.type === 'array' || info.type === 'object') {
          return {
            info,
            scalar: null,
            presence: top,
            json: top,
            type,
            cast: type ? paramCast(type, layout) : '',
          };
        }
        const scalar = type === 'string' ? `(${top} COLLATE "C")` : top;
        return { info, scalar, presence: top, json: null, type, cast: paramCast(type!, layout) };
      }
      // Nested fields live in the top-level object's jsonb column: same expressions as documents.
      return jsonbAccess(info, top, info.path.slice(1));
    };
  }

  const mapping: TableMapping = {
    entity,
    layout,
    schema,
    table,
    qualified,
    idColumn: layout === 'document' ? '"id"' : quoteIdent(entity.id),
    versionColumn,
    columns,
    indexes,
    access(path) {
      const name = path.join('.');
      let a = cache.get(name);
      if (!a) {
        const info = entity.fieldAt(name);
        if (!info) throw new LayoutError(`unknown field "${name}"`);
        a = access(info);
        cache.set(name, a);
      }
      return a;
    },
  };
  return mapping;
}
