/**
 * @mystira/health: a registry of named health checks, exposed as `/healthz` + `/readyz` (HTTP)
 * and as the standard grpc.health.v1 service (Connect handlers), with ready-made checks for
 * PostgreSQL, Redis, Cosmos DB and remote gRPC servers.
 *
 * @packageDocumentation
 */

export {
  type CosmosCheckOptions,
  type CosmosClientLike,
  type CosmosRequestOptions,
  cosmosCheck,
} from './checks/cosmos.js';
export { type GrpcHealthCheckOptions, grpcHealthCheck } from './checks/grpc.js';
export type { ReadyCheckOptions } from './checks/options.js';
export { type PgQueryable, postgresCheck } from './checks/postgres.js';
export { type RedisPingable, redisCheck } from './checks/redis.js';
export { CheckFailedError, CheckTimeoutError, DuplicateCheckError, HealthError } from './errors.js';
// The generated grpc.health.v1 descriptors, so clients (e.g. @mystira/chain-client) can call a
// health service with `createClient(Health, transport)`.
export {
  file_grpc_health_v1_health,
  Health,
  type HealthCheckRequest,
  HealthCheckRequestSchema,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponse_ServingStatusSchema,
  HealthCheckResponseSchema,
  type HealthListRequest,
  HealthListRequestSchema,
  type HealthListResponse,
  HealthListResponseSchema,
} from './gen/grpc/health/v1/health_pb.js';
export {
  createGrpcHealthService,
  type GrpcHealthOptions,
  grpcHealthRoutes,
} from './grpc-health.js';
export {
  type HealthHttpBody,
  type HealthHttpOptions,
  type HealthRequest,
  type HealthResponse,
  healthHttpHandler,
} from './http.js';
export {
  aggregateStatus,
  type CheckContext,
  type CheckEntry,
  type CheckOutcome,
  createHealthRegistry,
  type HealthCheck,
  type HealthRegistry,
  type HealthRegistryOptions,
  type HealthReport,
  type HealthStatus,
  type RunOptions,
} from './registry.js';
export { HealthStatusBoard, type ServingStatus, type StatusListener } from './status-board.js';
