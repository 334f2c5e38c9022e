/**
 * @mystira/chain-server: host the mystira.chain.v1 contract over a Ledger port, and the
 * mystira.chain.ip.v1 services (collections, licensing, IP assets) over its `ip` port.
 *
 * `createChainServer({ ledger: new DevnetLedger() })` gives one port speaking gRPC, gRPC-Web and
 * Connect; the pieces (handlers, validation, idempotency stores, auth, reflection) are exported
 * for hosts that assemble their own.
 *
 * @packageDocumentation
 */

export {
  type BadRequest,
  type BadRequest_FieldViolation,
  BadRequest_FieldViolationSchema,
  BadRequestSchema,
  type RetryInfo,
  RetryInfoSchema,
  type Status,
  StatusSchema,
} from '@mystira/chain-protos/google-rpc';
export {
  Admission,
  admissionInterceptor,
  authInterceptor,
  type CallerInfo,
  peerKey,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitOptions,
} from './admission.js';
export {
  type ApiKeyEntry,
  Authenticator,
  type AuthOptions,
  type BearerVerifier,
  defaultOpenProcedures,
  defaultProcedureScopes,
  hashApiKey,
  type JwtVerifierOptions,
  jwtVerifier,
  type Principal,
  principalKey,
  type Scope,
} from './auth.js';
export { toConnectError } from './connect-errors.js';
export {
  DevnetLedger,
  type DevnetLedgerOptions,
  type DevnetTxKind,
  NATIVE_TOKEN,
} from './devnet.js';
export {
  type CallContext,
  type ChainHandlerOptions,
  type ChainHandlers,
  chainServiceImpl,
  createChainHandlers,
  defaultStreamLimits,
  type StreamLimits,
} from './handlers.js';
export {
  type IdempotencyBegin,
  type IdempotencyRedis,
  type IdempotencyStore,
  idempotencyMismatch,
  MemoryIdempotencyStore,
  type MemoryIdempotencyStoreOptions,
  RedisIdempotencyStore,
  type RedisIdempotencyStoreOptions,
} from './idempotency.js';
export { IP_LIMITS } from './ip-fields.js';
export {
  createIpHandlers,
  type IpHandlerOptions,
  type IpHandlers,
} from './ip-handlers.js';
export type {
  CollectionRecord,
  CreateCollectionInput,
  DerivativeLink,
  IpAssetRecord,
  IpLedger,
  LicenseTermsInput,
  LicenseTermsRecord,
  LicenseTermsRegistration,
  LicenseTokensRecord,
  MetadataInput,
  MetadataJsonInput,
  MetadataRecord,
  MetadataReferenceInput,
  MintAndRegisterInput,
  MintLicenseTokensInput,
  OperationRecord,
  OperationState,
  RoyaltyPolicy,
} from './ip-ledger.js';
export {
  type CommercialPresetInput,
  commercialRemixTerms,
  commercialUseTerms,
  nonCommercialSocialRemixingTerms,
  PIL_PRESET_URIS,
} from './ip-presets.js';
export { ipServiceImpls, ipServices, registerIpServices } from './ip-services.js';
export type {
  AssetRecord,
  Balance,
  ClaimRecord,
  Ledger,
  LedgerHealth,
  LedgerInfo,
  LedgerWriteKind,
  PaymentRecord,
  RegisterAssetInput,
  RoyaltyRules,
  Split,
  SplitUpdate,
  TxState,
} from './ledger.js';
export { LedgerError } from './ledger.js';
export { type CallInfo, type CallObserver, observingInterceptor, protocolOf } from './observe.js';
export { ReflectionIndex, reflectionFiles, registerReflection } from './reflection.js';
export { retryLater } from './retry-later.js';
export {
  type ChainServer,
  type ChainServerOptions,
  createChainServer,
  defaultServerLimits,
  type ExtraRoutes,
  type ServerLimits,
} from './server.js';
export { type CallScope, type RpcTelemetry, telemetryInterceptor } from './telemetry.js';
export { TransactionListeners } from './transaction-listeners.js';
export { badRequest, LIMITS, type Violation } from './validation.js';
export { formatUnits, MAX_UINT256, parseUint256, splitByBasisPoints } from './wei.js';
