/**
 * @mystira/repository-cosmos: `Repository<T>` on Azure Cosmos DB. A capability-aware compiler
 * turns the specification AST into parameterized Cosmos SQL for the real service (`azure`) or
 * `@vercel/cosmosdb-server`, and the repository adds partition-aware point operations, etag
 * concurrency, continuation paging, bulk, RU reporting and resilience.
 *
 * @packageDocumentation
 */

export { type CosmosAggregatePlan, compileAggregate } from './aggregate.js';
export type { CosmosBulkOperation, CosmosBulkResult } from './bulk.js';
export {
  type CosmosClientConfig,
  compositeIndexesFor,
  compositeIndexesOf,
  cosmosClient,
  cosmosClientOptions,
  type EnsureContainerOptions,
  ensureContainer,
  type IndexingOptions,
  indexingPolicyFor,
  type TokenCredential,
} from './client.js';
export {
  type Absence,
  absenceOf,
  type CompiledPredicate,
  type CompileOptions,
  compilePredicate,
} from './compiler.js';
export {
  CosmosAccessError,
  CosmosEntityError,
  mapCosmosError,
  UnsupportedQueryError,
} from './errors.js';
export { type DocMapping, docMapping } from './mapping.js';
export type {
  CosmosCallOptions,
  CosmosEntry,
  CosmosRepositoryOptions,
  CosmosRequestEvent,
  CosmosWriteOptions,
  CrossPartitionEvent,
} from './options.js';
export {
  type CosmosQueryPart,
  type CosmosQueryPlan,
  compileQuery,
} from './plan.js';
export {
  azureProfile,
  type CapabilityProfile,
  cosmosdbServerProfile,
  profiles,
  resolveProfile,
} from './profile.js';
export { CosmosRepository, cosmosRepository } from './repository.js';
export { jsonPointer, Params, propertyPath, type SqlParameter, type SqlQuerySpec } from './sql.js';
