/**
 * How what a ledger (or a bug) threw reaches a client: a `LedgerError`'s code as its gRPC status,
 * a cancellation as CANCELLED, anything else as INTERNAL without its message.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { LedgerError } from './ledger.js';

/** Turns what the ledger (or a bug) threw into the status the client gets. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof LedgerError) {
    const code = {
      NOT_FOUND: Code.NotFound,
      ALREADY_EXISTS: Code.AlreadyExists,
      FAILED_PRECONDITION: Code.FailedPrecondition,
      UNAVAILABLE: Code.Unavailable,
    }[error.code];
    return new ConnectError(error.message, code);
  }
  if (error instanceof Error && error.name === 'AbortError')
    return new ConnectError('cancelled', Code.Canceled);
  // Never leak an internal message to a client; the cause stays attached for logging.
  return new ConnectError('internal error', Code.Internal, undefined, undefined, error);
}
