/**
 * The one table a polyglot store (checkpoints, phases, outbox) owns: where it lives and how
 * `migrate()` creates it. The three stores differ only in their columns and queries.
 */
import type { CallOptions } from '@mystira/repository';
import {
  ensureTables,
  type PgDatabase,
  quoteIdent,
  type TableReport,
} from '@mystira/repository-postgres';
import { guardPool } from './guard.js';

/** Where a store's table lives; both default (`public`, the store's own table name). */
export interface StoreTableOptions {
  /** Schema of the table. Default `public`. */
  schema?: string;
  /** Table name. Default: the store's. */
  table?: string;
}

/** A store's table on `db`: its names, and its creation under an advisory lock. */
export class StoreTable {
  readonly #db: PgDatabase;
  /** The schema, unquoted. */
  readonly schema: string;
  /** The table name, unquoted. */
  readonly name: string;
  /** The table, quoted: `"schema"."table"`. */
  readonly qualified: string;

  constructor(db: PgDatabase, options: StoreTableOptions, defaultName: string) {
    this.#db = db;
    guardPool(db.primary);
    this.schema = options.schema ?? 'public';
    this.name = options.table ?? defaultName;
    this.qualified = `${quoteIdent(this.schema)}.${quoteIdent(this.name)}`;
  }

  /**
   * Runs `statements` (the store's idempotent DDL), creating the schema first when it is missing,
   * under an advisory lock so concurrent starts do not race; says what it found.
   */
  create(statements: string[], options: CallOptions): Promise<TableReport[]> {
    return ensureTables(
      this.#db,
      { schema: this.schema, tables: [this.name], statements },
      options,
    );
  }
}

/**
 * The base of the three stores: their table, `tables()`, and `migrate()` running the store's own
 * `statements()`.
 */
export abstract class TableStore {
  /** The store's table: its names, and its creation. */
  protected readonly table: StoreTable;
  /** The table, quoted: `"schema"."table"`. */
  readonly qualified: string;

  constructor(db: PgDatabase, options: StoreTableOptions, defaultName: string) {
    this.table = new StoreTable(db, options, defaultName);
    this.qualified = this.table.qualified;
  }

  /** The DDL of the table, for apps that run their own migrations. Idempotent. */
  abstract statements(): string[];

  /** The table `migrate()` creates (quoted), e.g. for a "missing table" hint. */
  tables(): string[] {
    return [this.qualified];
  }

  /**
   * Creates the schema and the table (and its indexes) if needed, under an advisory lock so
   * concurrent starts do not race, and says what it found. `mystira-polyglot migrate` calls it.
   */
  async migrate(options: CallOptions = {}): Promise<TableReport[]> {
    return this.table.create(this.statements(), options);
  }
}
