import { type CallContext, errorChain, isSafeToRepeat, prop } from './context.js';
import { grpcPushback } from './hints.js';

/**
 * gRPC status codes. The numeric values are fixed by the gRPC protocol and are the same in
 * `@connectrpc/connect`'s `Code` enum and `@grpc/grpc-js`'s `status`; they are hard-coded so
 * the classifier works without importing either.
 */
export const GrpcCode = {
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
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
