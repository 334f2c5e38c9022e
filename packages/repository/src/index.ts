/**
 * @mystira/repository: the `Repository<T>` port, its typed errors, the in-memory adapter, and the
 * helpers adapters share (query binding, validation, versions, keyset paging).
 * The conformance kit lives in `@mystira/repository/testing`.
 *
 * @packageDocumentation
 */

export { MultipleResultsError } from '@mystira/specification';
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
export { MemoryRepository, type MemoryRepositoryOptions, memoryRepository } from './memory.js';
export { type PageIO, pageQuery, pageVia } from './paging.js';
export * from './polyglot/index.js';
export type {
  CallObservation,
  CallOptions,
  DeclaredEntity,
  Id,
  PageOptions,
  Repository,
  RepositoryBackend,
  RepositoryPage,
  StreamOptions,
  WriteOptions,
} from './port.js';
