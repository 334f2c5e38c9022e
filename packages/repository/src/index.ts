/**
 * @mystira/repository: the `Repository<T>` port, its typed errors, the in-memory adapter, and the
 * helpers adapters share (query binding, validation, versions, keyset paging, the in-memory query
 * half). The conformance kit lives in `@mystira/repository/testing`, OpenTelemetry in
 * `@mystira/repository/otel`. Decorators live in packages of their own (`@mystira/cache`,
 * `@mystira/polyglot`).
 *
 * @packageDocumentation
 */

export { MultipleResultsError } from '@mystira/specification';
export { bindAggregate, runAggregate } from './aggregate.js';
export {
  bindQuery,
  checkId,
  clone,
  expectedVersionOf,
  idOf,
  prepareForWrite,
  queryOf,
  specErrors,
  toValidation,
  validateItem,
  withVersion,
} from './core.js';
export { type CursorCodec, createCursorCodec, defaultCursorCodec } from './cursor.js';
export {
  AbortedError,
  AlreadyExistsError,
  ConcurrencyError,
  ConflictError,
  isRepositoryError,
  NotFoundError,
  RepositoryError,
  type RepositoryErrorCode,
  type RepositoryErrorDetails,
  throwIfAborted,
  UnavailableError,
  ValidationError,
  type ValidationIssue,
} from './errors.js';
export * from './mapping/index.js';
export { MemoryRepository, type MemoryRepositoryOptions, memoryRepository } from './memory.js';
export { InMemoryQueries } from './memory-queries.js';
export { type PageIO, pageQuery, pageVia } from './paging.js';
export { passThrough } from './pass-through.js';
export type {
  CallObservation,
  CallOptions,
  DeclaredEntity,
  Id,
  PageOptions,
  Repository,
  RepositoryBackend,
  RepositoryDecorator,
  RepositoryPage,
  StreamOptions,
  WriteOptions,
} from './port.js';
