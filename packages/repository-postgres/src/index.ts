/**
 * @mystira/repository-postgres: `Repository<T>` on PostgreSQL (`pg`). The specification AST
 * compiles to parameterized SQL; entities live in a document (jsonb) or typed-column layout;
 * migrations (generated and hand-written) run under an advisory lock; transactions, replica
 * routing, statement timeouts and a health check come with `PgDatabase`.
 *
 * @packageDocumentation
 */
export { compileAggregate, partialGroups } from './aggregate.js';
export {
  compileAny,
  compileCount,
  compileOrder,
  compilePredicate,
  compileSelect,
  selectList,
} from './compiler.js';
export {
  createDatabase,
  type HealthReport,
  type IsolationLevel,
  PgDatabase,
  type PgDatabaseOptions,
  type PoolSource,
  type Queryable,
  type QueryOptions,
  type TransactionOptions,
} from './database.js';
export { createTableStatements, dropTableStatements, entityDdl, entityMigration } from './ddl.js';
export { type EnsureTablesSpec, ensureTables, type TableReport } from './ensure-tables.js';
export {
  type ClassifyContext,
  classifyPgError,
  isUnavailable,
  LayoutError,
  MigrationError,
  sqlState,
} from './errors.js';
export {
  type FieldAccess,
  type Layout,
  type TableMapping,
  type TableOptions,
  tableMapping,
} from './mapping.js';
export {
  checksumOf,
  loadSqlMigrations,
  type Migration,
  type MigrationStatus,
  Migrator,
  type MigratorOptions,
} from './migrations.js';
export {
  type BulkOptions,
  type PgCallOptions,
  PostgresRepository,
  type PostgresRepositoryOptions,
  postgresRepository,
} from './repository.js';
export { type CompiledQuery, Params, quoteIdent, quoteKey } from './sql.js';
