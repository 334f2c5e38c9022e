import { Code, ConnectError } from '@connectrpc/connect';
import { RetryInfoSchema } from '@mystira/chain-protos/google-rpc';

/**
 * RESOURCE_EXHAUSTED that says when to come back, in both forms clients read: the
 * google.rpc.RetryInfo detail, and gRPC's `grpc-retry-pushback-ms` (in trailers, or Connect
 * headers), which retry policies such as `@mystira/resilience`'s (and so the Chain client) take
 * as "retry after this long" rather than "quota gone".
 */
export function retryLater(message: string, retryAfterMs: number): ConnectError {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return new ConnectError(
    message,
    Code.ResourceExhausted,
    { 'grpc-retry-pushback-ms': String(ms) },
    [
      {
        desc: RetryInfoSchema,
        value: {
          retryDelay: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
        },
      },
    ],
  );
}
