/**
 * @mystira/polyglot: an entity kept in two stores while it moves from one to the other. Per-entity
 * routing by migration phase (`createPolyglot`), dual writes with a crash-safe outbox and a
 * version-gated replayer, resumable backfill, verification, shadow reads, and the in-memory
 * outbox, mirror and stores. It decorates any `Repository<T>` of `@mystira/repository`; the
 * PostgreSQL stores are in `@mystira/polyglot/postgres`, OpenTelemetry in `@mystira/polyglot/otel`,
 * the operator's CLI in `@mystira/polyglot-cli`.
 *
 * @packageDocumentation
 */
export {
  type BackfillCheckpoint,
  type BackfillOptions,
  type BackfillProgress,
  backfill,
  type CheckpointStore,
  compareIds,
  MemoryCheckpointStore,
} from './backfill.js';
export { Batcher } from './batcher.js';
export { diffItems, type FieldDiff } from './diff.js';
export {
  CheckpointMismatchError,
  PhaseChangeError,
  PolyglotConfigError,
  PolyglotError,
  type PolyglotErrorCode,
} from './errors.js';
export {
  gate,
  MemoryMirror,
  type MirrorHead,
  type MirrorResult,
  type MirrorStore,
  type MirrorWriteOptions,
  memoryMirror,
  removeGate,
  sameItem,
  type Tombstone,
} from './mirror.js';
export {
  EntityMetrics,
  LatencyRecorder,
  type LatencySummary,
  type PolyglotCounters,
  PolyglotEmitter,
  type PolyglotEventName,
  type PolyglotEvents,
} from './observe.js';
export {
  type ClaimOptions,
  MemoryOutbox,
  memoryOutbox,
  type Outbox,
  type OutboxEntry,
  type OutboxReason,
  type OutboxRecord,
  type OutboxStats,
} from './outbox.js';
export { MemoryPhaseStore, type PhaseStore } from './phase-store.js';
export { isPhase, needsSecondary, PHASES, type Phase, readsFrom, writesBoth } from './phases.js';
export {
  createPolyglot,
  type EntityBinding,
  type EntityMetricsSnapshot,
  type PhaseChangeOptions,
  Polyglot,
  type PolyglotHealthCheck,
  type PolyglotOptions,
} from './registry.js';
export {
  type BackoffOptions,
  backoffDelay,
  OutboxReplayer,
  type ReplayerOptions,
  type ReplayRound,
} from './replayer.js';
export {
  type BindingState,
  type Durability,
  PolyglotRepository,
  type ShadowReadOptions,
} from './repository.js';
export { type SyncOutcome, syncId, versionOfItem } from './sync.js';
export {
  type CompareOptions,
  type ConsistencyResult,
  type ConsistencyStatus,
  compareOne,
  type ScanOptions,
  type ScanReport,
  scanConsistency,
  validateConsistency,
} from './verify.js';
