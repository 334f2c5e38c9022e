/**
 * Typed errors. Every failure of a client call is a {@link ChainError} (or a subclass chosen by
 * the gRPC status code), carrying the RPC name, the code and whatever structured detail the
 * server attached: google.rpc.BadRequest field violations, google.rpc.ErrorInfo and
 * google.rpc.RetryInfo.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import {
  BadRequestSchema,
  ErrorInfoSchema,
  RetryInfoSchema,
} from '@mystira/chain-protos/google-rpc';
import { brandErrors } from '../../../../shared/error-brand.js';

/** One invalid field of a request, as the server (or the client's own validation) reported it. */
export interface FieldViolation {
  /**
   * Path to the field in the contract's proto names, e.g. `contributors[0].share_basis_points`:
   * what google.rpc.BadRequest carries, the same for clients in every language.
   */
  field: string;
  /**
   * The same path in the names of this client's inputs, e.g. `contributors[0].shareBasisPoints`,
   * for pointing at the field of the object you passed: the proto3 JSON (camelCase) names, except
   * `contributor_type`, which is a contributor's `role` here.
   */
  inputField: string;
  /** What is wrong with the field, e.g. `must be 0x followed by 40 hex digits`. */
  description: string;
  /** Machine-readable reason, when the server sent one. */
  reason?: string;
}

/** A field violation to build an error with; `inputField` is derived from `field` when omitted. */
export type FieldViolationInit = Omit<FieldViolation, 'inputField'> & {
  /** Default: `field` in the client's input names (see {@link FieldViolation.inputField}). */
  inputField?: string;
};

/** What a {@link ChainError} is built from: the code, the message and the server's details. */
export interface ChainErrorInit {
  /** The gRPC status code. */
  code: Code;
  /** The error message. */
  message: string;
  /** The RPC that failed, when known. */
  rpc?: string;
  /** The violations to report; see {@link ChainError.fieldViolations}. */
  fieldViolations?: readonly FieldViolationInit[];
  /** google.rpc.ErrorInfo's reason, when the server sent one. */
  reason?: string;
  /** google.rpc.ErrorInfo's domain. */
  domain?: string;
  /** google.rpc.ErrorInfo's metadata. */
  errorMetadata?: Record<string, string>;
  /** google.rpc.RetryInfo's delay, in ms. */
  retryAfterMs?: number;
  /** Response headers and trailers of the failed call. */
  metadata?: Headers;
  /** The underlying error (a ConnectError, a network error ...). */
  cause?: unknown;
}

/** The base of every error this package throws. */
export class ChainError extends Error {
  /** The class name (each subclass sets its own), so logs and `err.name` show which error it is. */
  override name = 'ChainError';
  /** The gRPC status code (Connect's `Code` enum: same numbers as gRPC). */
  readonly code: Code;
  /** The code's canonical name, e.g. `INVALID_ARGUMENT`. */
  readonly codeName: string;
  /** The RPC that failed, e.g. `RegisterIpAsset`, when known. */
  readonly rpc: string | undefined;
  /** Field violations from a google.rpc.BadRequest detail (empty when there was none). */
  readonly fieldViolations: readonly FieldViolation[];
  /** google.rpc.ErrorInfo reason / domain / metadata, when present. */
  readonly reason: string | undefined;
  /** google.rpc.ErrorInfo's domain, when present. */
  readonly domain: string | undefined;
  /** google.rpc.ErrorInfo's metadata (empty when there was none). */
  readonly errorMetadata: Readonly<Record<string, string>>;
  /** The server's google.rpc.RetryInfo delay, in ms, when present. */
  readonly retryAfterMs: number | undefined;
  /** Response headers and trailers of the failed call. */
  readonly metadata: Headers;

  constructor(init: ChainErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.codeName = codeName(init.code);
    this.rpc = init.rpc;
    this.fieldViolations = (init.fieldViolations ?? []).map(withInputField);
    this.reason = init.reason;
    this.domain = init.domain;
    this.errorMetadata = init.errorMetadata ?? {};
    this.retryAfterMs = init.retryAfterMs;
    this.metadata = init.metadata ?? new Headers();
  }
}

/** INVALID_ARGUMENT, OUT_OF_RANGE, or a local validation failure before sending. See `fieldViolations`. */
export class ChainInvalidArgumentError extends ChainError {
  override name = 'ChainInvalidArgumentError';
}
/** NOT_FOUND: the asset, transaction or wallet does not exist. */
export class ChainNotFoundError extends ChainError {
  override name = 'ChainNotFoundError';
}
/** ALREADY_EXISTS / FAILED_PRECONDITION, e.g. an idempotency key reused with a different request. */
export class ChainConflictError extends ChainError {
  override name = 'ChainConflictError';
}
/** UNAUTHENTICATED: missing or invalid credentials. */
export class ChainUnauthenticatedError extends ChainError {
  override name = 'ChainUnauthenticatedError';
}
/** PERMISSION_DENIED: valid credentials without the RPC's scope. */
export class ChainPermissionDeniedError extends ChainError {
  override name = 'ChainPermissionDeniedError';
}
/** UNAVAILABLE / RESOURCE_EXHAUSTED / ABORTED after the retries allowed were spent. */
export class ChainUnavailableError extends ChainError {
  override name = 'ChainUnavailableError';
}
/** The endpoint's circuit breaker is open: the call was not sent. Code UNAVAILABLE. */
export class ChainCircuitOpenError extends ChainUnavailableError {
  override name = 'ChainCircuitOpenError';
}
/** DEADLINE_EXCEEDED: the call's timeout elapsed (on the client or on the server). */
export class ChainDeadlineExceededError extends ChainError {
  override name = 'ChainDeadlineExceededError';
}
/** CANCELED: the caller's AbortSignal aborted. */
export class ChainCanceledError extends ChainError {
  override name = 'ChainCanceledError';
}
/** UNIMPLEMENTED, or an RPC the transport cannot carry (client streaming from a browser). */
export class ChainUnsupportedError extends ChainError {
  override name = 'ChainUnsupportedError';
}
/** The server answered with something the contract does not allow (e.g. a malformed wei string). */
export class ChainProtocolError extends ChainError {
  override name = 'ChainProtocolError';
}
/** `ready()` gave up: the service did not report SERVING before its timeout. */
export class ChainNotReadyError extends ChainError {
  override name = 'ChainNotReadyError';
}

/**
 * `createChainClient` was given options it cannot work with (`option` names the first bad one).
 * Thrown at creation, before any call, so it is not a {@link ChainError}: it has no status code.
 * A `TypeError`, as a bad argument to a constructor is.
 */
export class ChainClientOptionsError extends TypeError {
  /** Always `ChainClientOptionsError`. */
  override name = 'ChainClientOptionsError';
  constructor(
    /** The option at fault, e.g. `baseUrl`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

brandErrors('@mystira/chain-client', {
  ChainError,
  ChainInvalidArgumentError,
  ChainNotFoundError,
  ChainConflictError,
  ChainUnauthenticatedError,
  ChainPermissionDeniedError,
  ChainUnavailableError,
  ChainCircuitOpenError,
  ChainDeadlineExceededError,
  ChainCanceledError,
  ChainUnsupportedError,
  ChainProtocolError,
  ChainNotReadyError,
  ChainClientOptionsError,
});

/**
 * Whether `err` is a {@link ChainError}, from this copy of the package or another one (its ESM
 * and CJS builds, or another version); `instanceof` answers the same.
 */
export function isChainError(err: unknown): err is ChainError {
  return err instanceof ChainError;
}

/**
 * The proto path of a violation in the client's input names: each name from snake_case to the
 * proto3 JSON camelCase (the names of the facade's inputs), list indexes kept.
 */
export function inputFieldPath(protoPath: string): string {
  return protoPath
    .replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    .replace(/\.contributorType$/, '.role');
}

function withInputField(v: FieldViolationInit): FieldViolation {
  const { field, inputField, ...rest } = v;
  return { field, inputField: inputField ?? inputFieldPath(field), ...rest };
}

const CODE_NAMES: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

/** The canonical name of a gRPC status code, e.g. `INVALID_ARGUMENT` for 3. */
export function codeName(code: Code): string {
  return CODE_NAMES[code] ?? `CODE_${code}`;
}

function classFor(code: Code): typeof ChainError {
  switch (code) {
    case Code.InvalidArgument:
    case Code.OutOfRange:
      return ChainInvalidArgumentError;
    case Code.NotFound:
      return ChainNotFoundError;
    case Code.AlreadyExists:
    case Code.FailedPrecondition:
      return ChainConflictError;
    case Code.Unauthenticated:
      return ChainUnauthenticatedError;
    case Code.PermissionDenied:
      return ChainPermissionDeniedError;
    case Code.Unavailable:
    case Code.ResourceExhausted:
    case Code.Aborted:
      return ChainUnavailableError;
    case Code.DeadlineExceeded:
      return ChainDeadlineExceededError;
    case Code.Canceled:
      return ChainCanceledError;
    case Code.Unimplemented:
      return ChainUnsupportedError;
    default:
      return ChainError;
  }
}

/** Builds the typed error for a code (used for errors raised by the client itself). */
export function chainError(init: ChainErrorInit): ChainError {
  const Ctor = classFor(init.code);
  return new Ctor(init);
}

function isAbortError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    ((err as { name?: unknown }).name === 'AbortError' ||
      (err as { name?: unknown }).name === 'TimeoutError')
  );
}

/**
 * Converts anything a call can throw into a {@link ChainError}: ConnectErrors keep their code and
 * decoded details, abort reasons become {@link ChainCanceledError} (or deadline exceeded for a
 * `TimeoutError` from `AbortSignal.timeout`).
 */
export function toChainError(err: unknown, rpc?: string): ChainError {
  if (err instanceof ChainError) return err;
  if (isAbortError(err) && !(err instanceof ConnectError)) {
    const timeout = (err as { name: string }).name === 'TimeoutError';
    return chainError({
      code: timeout ? Code.DeadlineExceeded : Code.Canceled,
      message: (err as Error).message || 'aborted',
      rpc,
      cause: err,
    });
  }
  const ce = ConnectError.from(err);
  const fieldViolations: FieldViolationInit[] = [];
  let reason: string | undefined;
  let domain: string | undefined;
  let errorMetadata: Record<string, string> | undefined;
  let retryAfterMs: number | undefined;
  try {
    for (const br of ce.findDetails(BadRequestSchema)) {
      for (const v of br.fieldViolations) {
        fieldViolations.push(
          v.reason
            ? { field: v.field, description: v.description, reason: v.reason }
            : { field: v.field, description: v.description },
        );
      }
    }
    const info = ce.findDetails(ErrorInfoSchema)[0];
    if (info) {
      reason = info.reason || undefined;
      domain = info.domain || undefined;
      errorMetadata = { ...info.metadata };
    }
    const retry = ce.findDetails(RetryInfoSchema)[0];
    if (retry?.retryDelay) {
      retryAfterMs =
        Number(retry.retryDelay.seconds) * 1000 + Math.floor(retry.retryDelay.nanos / 1e6);
    }
  } catch {
    // Undecodable details are not worth failing the error mapping for; the code and message stand.
  }
  return chainError({
    code: ce.code,
    message: ce.rawMessage,
    rpc,
    fieldViolations,
    reason,
    domain,
    errorMetadata,
    retryAfterMs,
    metadata: ce.metadata,
    cause: err,
  });
}
