/** PostgreSQL adapters of the polyglot layer of `@mystira/repository`: outbox, mirror, checkpoints, phases. */
export { PgCheckpointStore, postgresCheckpoints } from './checkpoint.js';
export type { TableReport } from './ensure-tables.js';
export { PgMirror, type PgMirrorOptions, postgresMirror } from './mirror.js';
export { PgOutbox, type PgOutboxOptions, postgresOutbox } from './outbox.js';
export { PgPhaseStore, postgresPhases } from './phases.js';
