import { createClient, type Transport } from '@connectrpc/connect';
import { CheckFailedError } from '../errors.js';
import { Health, HealthCheckResponse_ServingStatus } from '../gen/grpc/health/v1/health_pb.js';
import type { HealthCheck } from '../registry.js';
import { checkFields, type ReadyCheckOptions } from './options.js';

export interface GrpcHealthCheckOptions extends ReadyCheckOptions {
  /** The service to ask about; `""` (default) is the remote server as a whole. */
  service?: string;
}

/**
 * Calls `grpc.health.v1.Health/Check` on a remote server through any Connect transport (gRPC,
 * gRPC-Web or Connect; from `@connectrpc/connect-node` or `-web`) and is healthy only on SERVING.
 */
export function grpcHealthCheck(
  transport: Transport,
  options: GrpcHealthCheckOptions = {},
): HealthCheck {
  const client = createClient(Health, transport);
  const service = options.service ?? '';
  return {
    ...checkFields({ name: service ? `grpc:${service}` : 'grpc' }, options),
    async check({ signal }) {
      const res = await client.check({ service }, { signal });
      if (res.status !== HealthCheckResponse_ServingStatus.SERVING) {
        throw new CheckFailedError(
          `remote health service reports ${HealthCheckResponse_ServingStatus[res.status] ?? res.status} for "${service}"`,
        );
      }
    },
  };
}
