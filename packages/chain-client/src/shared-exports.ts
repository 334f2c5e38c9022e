// Everything both entries export (the Node entry adds TLS/HTTP/2 options; the web entry fetch options).
export type { AccessToken, ChainAuth, TokenCredentialLike } from './core/auth.js';
export { apiKeyInterceptor, bearerInterceptor, TokenCache } from './core/auth.js';
export type {
  CallOptions,
  ChainClient,
  ChainClientOptions,
  ChainProtocol,
  RawChainClient,
  ReadyOptions,
  StreamCallOptions,
} from './core/client.js';
export * from './core/convert.js';
export {
  ChainCanceledError,
  ChainCircuitOpenError,
  ChainClientOptionsError,
  ChainConflictError,
  ChainDeadlineExceededError,
  ChainError,
  type ChainErrorInit,
  ChainInvalidArgumentError,
  ChainNotFoundError,
  ChainNotReadyError,
  ChainPermissionDeniedError,
  ChainProtocolError,
  ChainUnauthenticatedError,
  ChainUnavailableError,
  ChainUnsupportedError,
  codeName,
  type FieldViolation,
  type FieldViolationInit,
  isChainError,
  toChainError,
} from './core/errors.js';
export { type ChainHealthCheckOptions, chainHealthCheck } from './core/health-check.js';
export type { IpClient, RawIpClients } from './core/ip-client.js';
export * from './core/ip-convert.js';
export type * from './core/ip-types.js';
export {
  type AttemptContext,
  type BreakerOptions,
  type CallPolicy,
  type CallSpec,
  type CircuitState,
  createCallPolicy,
  type HedgingOptions,
  type PolicyOptions,
  type RetryOptions,
} from './core/policy.js';
export {
  createUuidV7Generator,
  isUuidV7,
  type UuidV7Generator,
  uuidV7Timestamp,
  uuidv7,
} from './core/uuidv7.js';
export type { WatchOptions } from './core/watch.js';
