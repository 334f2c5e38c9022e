/**
 * @mystira/polyglot/postgres: the polyglot stores on PostgreSQL, built on
 * `@mystira/repository-postgres` (an optional peer dependency: only this entry needs it). The
 * outbox, the mirror (the secondary kept in the table a `PostgresRepository` reads, plus
 * tombstones), backfill checkpoints and phases, each with a `migrate()` that creates its tables
 * under an advisory lock (`ensureTables` of `@mystira/repository-postgres`).
 *
 * @packageDocumentation
 */
export { PgCheckpointStore, postgresCheckpoints } from './postgres/checkpoint.js';
export { PgMirror, type PgMirrorOptions, postgresMirror } from './postgres/mirror.js';
export { PgOutbox, type PgOutboxOptions, postgresOutbox } from './postgres/outbox.js';
export { PgPhaseStore, postgresPhases } from './postgres/phases.js';
export { StoreTable, type StoreTableOptions } from './postgres/table.js';
