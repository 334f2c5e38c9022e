/**
 * How a chain client failure becomes one of this service's errors. The split that matters is
 * "try again later" (ChainUnavailableError: nothing the caller did wrong, retrying is safe because
 * every write carries an idempotency key) versus "the chain said no" (ChainRejectedError).
 */
import {
  ChainConflictError,
  ChainError,
  ChainInvalidArgumentError,
  ChainNotFoundError,
} from '@mystira/chain-client';
import { ConcurrencyError, RepositoryError } from '@mystira/repository';
import { ChainRejectedError, ChainUnavailableError } from './errors.ts';

/**
 * Codes that say "the service, not the request": it is down, overloaded or slow (after the
 * client's own retries), it broke (INTERNAL / UNKNOWN / DATA_LOSS, a contract violation), or it
 * cancelled the call itself. The request may well succeed later, unchanged.
 */
const UNAVAILABLE_CODES = new Set([
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'CANCELLED',
  'INTERNAL',
  'UNKNOWN',
  'DATA_LOSS',
]);

/**
 * Maps a chain client error to ChainUnavailableError or ChainRejectedError. The caller's own
 * abort is passed through untouched (the caller asked for it; it is not the chain's fault).
 * Anything that is not a ChainError (a bug) is rethrown as it is.
 */
export function fromChainFailure(error: unknown, action: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : asError(error);
  if (!(error instanceof ChainError)) return asError(error);
  if (UNAVAILABLE_CODES.has(error.codeName)) {
    return new ChainUnavailableError(
      `Chain service unavailable while ${action}: ${error.message}`,
      { cause: error, retryAfterMs: error.retryAfterMs },
    );
  }
  return new ChainRejectedError(`Chain service rejected ${action}: ${error.message}`, {
    code: error.codeName,
    statusCode: rejectionStatus(error),
    violations: error.fieldViolations.map((v) => ({
      field: v.field,
      description: v.description,
      ...(v.reason ? { reason: v.reason } : {}),
    })),
    cause: error,
  });
}

function rejectionStatus(error: ChainError): number {
  if (error instanceof ChainInvalidArgumentError) return 422;
  if (error instanceof ChainConflictError) return 409;
  if (error instanceof ChainNotFoundError) return 404;
  // UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED…: our configuration, not the caller's request.
  return 502;
}

/** INVALID_ARGUMENT: the request's content was refused, so resending the same content cannot succeed. */
export function isContentRejection(error: unknown): boolean {
  return error instanceof ChainInvalidArgumentError;
}

/** ALREADY_EXISTS / FAILED_PRECONDITION from the chain. */
export function isChainConflict(error: unknown): error is ChainConflictError {
  return error instanceof ChainConflictError;
}

export function isChainNotFound(error: unknown): error is ChainNotFoundError {
  return error instanceof ChainNotFoundError;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Failures background work waits out: the chain or the store is down or busy, or a version race. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ChainUnavailableError) return true;
  if (error instanceof ChainError)
    return fromChainFailure(error, '') instanceof ChainUnavailableError;
  return error instanceof ConcurrencyError || (error instanceof RepositoryError && error.transient);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
