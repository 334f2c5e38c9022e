import { type CallContext, errorChain, isSafeToRepeat, prop } from './context.js';
import { grpcPushback } from './hints.js';

/**
 * gRPC status codes. The numeric values are fixed by the gRPC protocol and are the same in
 * `@connectrpc/connect`'s `Code` enum and `@grpc/grpc-js`'s `status`; they are hard-coded so
 * the classifier works without importing either.
 */
export const GrpcCode = {
  /** CANCELLED: the operation was cancelled, typically by the caller. */
  Canceled: 1,
  /** UNKNOWN: an error with no better status, e.g. one raised by a handler that set none. */
  Unknown: 2,
  /** INVALID_ARGUMENT: the request is invalid whatever the state of the system. */
  InvalidArgument: 3,
  /**
   * DEADLINE_EXCEEDED: the deadline expired before an answer; the operation may still have
   * completed.
   */
  DeadlineExceeded: 4,
  /** NOT_FOUND: a requested entity was not found. */
  NotFound: 5,
  /** ALREADY_EXISTS: the entity the request tried to create already exists. */
  AlreadyExists: 6,
  /** PERMISSION_DENIED: the caller is known but may not run the operation. */
  PermissionDenied: 7,
  /** RESOURCE_EXHAUSTED: a quota or the server's capacity ran out. */
  ResourceExhausted: 8,
  /** FAILED_PRECONDITION: the system is not in the state the operation needs. */
  FailedPrecondition: 9,
  /** ABORTED: the operation was aborted, typically by a concurrency conflict. */
  Aborted: 10,
  /** OUT_OF_RANGE: the operation went past the valid range (e.g. a read past the end). */
  OutOfRange: 11,
  /** UNIMPLEMENTED: the server does not implement or support the operation. */
  Unimplemented: 12,
  /** INTERNAL: an invariant of the server broke. */
  Internal: 13,
  /** UNAVAILABLE: the service cannot answer now; usually transient. */
  Unavailable: 14,
  /** DATA_LOSS: unrecoverable data loss or corruption. */
  DataLoss: 15,
  /** UNAUTHENTICATED: the request carries no valid credentials. */
  Unauthenticated: 16,
} as const;

/**
 * The gRPC status code of an error that looks like a ConnectError (`code` + `rawMessage`
 * or name) or a grpc-js ServiceError (`code` + `details`/`metadata`), else `undefined`.
 */
export function grpcCode(err: unknown): number | undefined {
  for (const e of errorChain(err)) {
    const code = prop(e, 'code');
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 16) continue;
    const looksGrpc =
      prop(e, 'name') === 'ConnectError' ||
      typeof prop(e, 'rawMessage') === 'string' ||
      typeof prop(e, 'details') === 'string' ||
      prop(e, 'metadata') !== undefined;
    if (looksGrpc) return code;
  }
  return undefined;
}

/**
 * Whether a Connect/gRPC error is worth retrying:
 * - UNAVAILABLE: yes, when the call is safe to repeat (idempotent or carries an idempotency key);
 * - RESOURCE_EXHAUSTED: only when the server sent a non-negative `grpc-retry-pushback-ms`
 *   (without pushback it usually means a quota that waiting will not fix);
 * - DEADLINE_EXCEEDED and ABORTED: only when safe to repeat (the first try may have applied);
 * - everything else (INVALID_ARGUMENT, UNAUTHENTICATED, NOT_FOUND, ...): never.
 * A negative/malformed pushback always means "do not retry". Non-gRPC errors return false.
 */
export function isTransientGrpc(err: unknown, ctx: CallContext = {}): boolean {
  const code = grpcCode(err);
  if (code === undefined) return false;
  const pushback = grpcPushback(err);
  if (pushback === 'stop') return false;
  if (!isSafeToRepeat(ctx)) return false;
  switch (code) {
    case GrpcCode.Unavailable:
    case GrpcCode.DeadlineExceeded:
    case GrpcCode.Aborted:
      return true;
    case GrpcCode.ResourceExhausted:
      return typeof pushback === 'number';
    default:
      return false;
  }
}
