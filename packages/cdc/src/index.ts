/**
 * @mystira/cdc: change data capture. Committed changes from the database's own change stream
 * (PostgreSQL logical replication with `pgoutput`) flow through a small source/sink interface to
 * whatever must follow them, first of all `@mystira/cache`, so rows changed outside the SDK stop
 * being served stale. At-least-once (a position is acknowledged only after the sink handled it),
 * bounded memory (reading pauses while the consumer is behind), one replication slot per consumer
 * group, and a health check for a slot that lags or was lost.
 *
 * @packageDocumentation
 */
export {
  type CacheTableBinding,
  type CacheTables,
  cacheInvalidationSink,
  type InvalidatableCache,
} from './cache-sink.js';
export type {
  ChangeBatch,
  ChangeEvent,
  ChangeOperation,
  ChangeSink,
  ChangeSource,
} from './change.js';
export { type ConsumeOptions, consumeChanges } from './consumer.js';
export {
  CdcClosedError,
  CdcError,
  type CdcErrorCode,
  CdcOptionsError,
  CdcSinkError,
  CdcSlotError,
  CdcSourceError,
} from './errors.js';
export { replicationSlotHealthCheck, type SlotHealthOptions } from './health.js';
export { compareLsn } from './lsn.js';
export {
  type PostgresChangeSource,
  type PostgresChangeSourceOptions,
  postgresChangeSource,
} from './postgres-source.js';
export { type RowSyncBinding, rowSyncSink } from './row-sync-sink.js';
export type { SlotStatus } from './slot.js';
export type { RowIdOf } from './table-keys.js';
