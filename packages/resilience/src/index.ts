/**
 * @mystira/resilience: the SDK's fault-handling vocabulary. Policies come from cockatiel (retry
 * loop, backoff, breaker, timeout, bulkhead, fallback) with defaults and classifiers for the
 * SDK's dependencies; hedging and the server-hint-aware retry budget are added on top.
 *
 * @packageDocumentation
 */

// The cockatiel building blocks a user may want for custom policies, re-exported so they need
// not depend on cockatiel directly.
export {
  ConsecutiveBreaker,
  CountBreaker,
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  type IPolicy,
  noop,
  SamplingBreaker,
  TaskCancelledError,
  wrap,
} from 'cockatiel';
export {
  BrokenCircuitError,
  breakerState,
  type CircuitBreakerOptions,
  CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  IsolatedCircuitError,
} from './breaker.js';
export {
  type BulkheadOptions,
  BulkheadPolicy,
  BulkheadRejectedError,
  bulkhead,
} from './bulkhead.js';
export {
  type CallContext,
  cosmosHadNoEffect,
  cosmosStatus,
  GrpcCode,
  grpcCode,
  grpcPushback,
  hadNoEffect,
  isDependencyFailure,
  isSafeToRepeat,
  isTransient,
  isTransientCosmos,
  isTransientGrpc,
  isTransientNetwork,
  isTransientPostgres,
  isTransientRedis,
  networkHadNoEffect,
  postgresHadNoEffect,
  readHeader,
  redisHadNoEffect,
  retryAfterMs,
  sqlState,
} from './classify/index.js';
export { HedgeLostError, RateLimitExceededError, TimeoutError } from './errors.js';
export {
  type AttemptEvent,
  type BreakerState,
  type BreakerStateEvent,
  type BulkheadRejectedEvent,
  type GiveUpEvent,
  type HedgeEvent,
  type RateLimitedEvent,
  type RateLimitStoreErrorEvent,
  ResilienceEvents,
  type RetryScheduledEvent,
  type TimeoutEvent,
} from './events.js';
export { type FallbackOptions, type FallbackPolicy, fallback } from './fallback.js';
export {
  type HedgeContext,
  type HedgeOptions,
  HedgePolicy,
  hedge,
  type PercentileDelay,
} from './hedge.js';
export { type Pipeline, type PipelineContext, type PipelineOptions, pipeline } from './pipeline.js';
export {
  type MemoryRateLimiter,
  type MemoryRateLimiterOptions,
  memoryRateLimiter,
  type RateLimitContext,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitOptions,
  RateLimitPolicy,
  type RateLimitRedis,
  type RedisRateLimiterOptions,
  rateLimit,
  redisRateLimiter,
  type TokenBucketOptions,
} from './rate-limit/index.js';
export {
  type RetryContext,
  type RetryDecisionContext,
  type RetryOptions,
  RetryPolicy,
  retry,
} from './retry.js';
export { type TimeoutOptions, TimeoutPolicy, timeout } from './timeout.js';
