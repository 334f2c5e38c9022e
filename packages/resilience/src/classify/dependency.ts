import { cosmosStatus } from './cosmos.js';
import { GrpcCode, grpcCode } from './grpc.js';
import { sqlState } from './postgres.js';

// gRPC codes that describe the request or the caller, not the health of the dependency.
const callerGrpc = new Set<number>([
  GrpcCode.Canceled,
  GrpcCode.InvalidArgument,
  GrpcCode.NotFound,
  GrpcCode.AlreadyExists,
  GrpcCode.PermissionDenied,
  GrpcCode.FailedPrecondition,
  GrpcCode.OutOfRange,
  GrpcCode.Unauthenticated,
]);

/**
 * Whether an error says something about the dependency's health, which is what a circuit
 * breaker should count: everything except errors caused by the request itself (gRPC
 * INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, FAILED_PRECONDITION,
 * OUT_OF_RANGE, UNAUTHENTICATED, CANCELLED; PostgreSQL classes 22 data, 23 constraint, 42 syntax
 * or access; HTTP/Cosmos 4xx other than 408 and 429), aborts by the caller and our own
 * `RateLimitExceededError`.
 */
export function isDependencyFailure(err: unknown): boolean {
  if (
    typeof err === 'object' &&
    err !== null &&
    ((err as { name?: unknown }).name === 'AbortError' ||
      // Our own rate limiter's refusal: the caller was over its limit, the dependency is fine.
      (err as { isRateLimitExceededError?: unknown }).isRateLimitExceededError === true)
  ) {
    return false;
  }
  const code = grpcCode(err);
  if (code !== undefined) return !callerGrpc.has(code);
  const state = sqlState(err);
  if (state !== undefined) return !['22', '23', '42'].includes(state.slice(0, 2));
  const status = cosmosStatus(err);
  if (status !== undefined && status >= 400 && status < 500)
    return status === 408 || status === 429;
  return true;
}
