/**
 * Client and container set-up: a `CosmosClient` configured for this adapter (key or Azure AD
 * credential, the SDK's own retries off so `@mystira/resilience` is the one retry loop), and
 * container provisioning with the partition key and the composite indexes the specs need
 * (Cosmos DB refuses an ORDER BY on two or more keys without a matching composite index).
 */
import type { Agent } from 'node:http';
import {
  type CompositePath,
  type Container,
  CosmosClient,
  type CosmosClientOptions,
  type Database,
  type IndexingPolicy,
} from '@azure/cosmos';
import { bindQuery, queryOf } from '@mystira/repository';
import type { EntityDef, QueryNode, SpecSource } from '@mystira/specification';
import { docMapping } from './mapping.js';
import { type CosmosQueryPlan, compileQuery } from './plan.js';
import { type CapabilityProfile, resolveProfile } from './profile.js';
import { jsonPointer } from './sql.js';

/** An Azure AD credential (`@azure/identity`'s DefaultAzureCredential, ManagedIdentityCredential, ...). */
export type TokenCredential = NonNullable<CosmosClientOptions['aadCredentials']>;

/** Options of {@link cosmosClient} and {@link cosmosClientOptions}. */
export interface CosmosClientConfig {
  /** The account endpoint, e.g. `https://<account>.documents.azure.com:443/`. */
  endpoint: string;
  /** Account key (primary or secondary). Give this or `credential`. */
  key?: string;
  /** Azure AD credential (managed identity, workload identity, developer login). */
  credential?: TokenCredential;
  /**
   * HTTP(S) agent, e.g. `new https.Agent({ rejectUnauthorized: false })` for a local emulator's
   * self-signed certificate: it applies to this client only (never set NODE_TLS_REJECT_UNAUTHORIZED).
   */
  agent?: Agent;
  /** Keep the SDK's own throttling retries (off by default: the repository retries). */
  sdkRetries?: boolean;
  /** Region discovery (off by default: single-endpoint emulators and tests need none). */
  endpointDiscovery?: boolean;
  /** Anything else for `CosmosClient`. */
  options?: Omit<CosmosClientOptions, 'endpoint' | 'key' | 'aadCredentials' | 'agent'>;
}

/** The client options this adapter expects (exported for callers who build the client themselves). */
export function cosmosClientOptions(config: CosmosClientConfig): CosmosClientOptions {
  if (!config.key && !config.credential)
    throw new TypeError('cosmosClient: give a key or a credential');
  if (config.key && config.credential)
    throw new TypeError('cosmosClient: give a key or a credential, not both');
  const extra = config.options ?? {};
  return {
    ...extra,
    endpoint: config.endpoint,
    ...(config.key ? { key: config.key } : { aadCredentials: config.credential }),
    ...(config.agent ? { agent: config.agent } : {}),
    connectionPolicy: {
      ...extra.connectionPolicy,
      enableEndpointDiscovery: config.endpointDiscovery ?? false,
      retryOptions: config.sdkRetries
        ? (extra.connectionPolicy?.retryOptions ?? {
            maxRetryAttemptCount: 9,
            fixedRetryIntervalInMilliseconds: 0,
            maxWaitTimeInSeconds: 30,
          })
        : { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 0 },
    },
  };
}

/** A `CosmosClient` configured for the repository. Dispose it with `client.dispose()`. */
export function cosmosClient(config: CosmosClientConfig): CosmosClient {
  return new CosmosClient(cosmosClientOptions(config));
}

/** The ORDER BY lists (stored paths) with two or more keys a spec needs composite indexes for. */
export function compositeIndexesOf(plan: CosmosQueryPlan): {
  /** The stored path as a JSON pointer, e.g. `/profile/city`. */
  path: string;
  /** The key's direction. */
  order: 'ascending' | 'descending';
}[][] {
  return plan.parts
    .filter((p) => p.orderBy.length >= 2)
    .map((p) =>
      p.orderBy.map((k) => ({
        path: `/${k.path.join('/')}`,
        order: k.direction === 'asc' ? 'ascending' : 'descending',
      })),
    );
}

/** Options of {@link compositeIndexesFor} and {@link indexingPolicyFor}. */
export interface IndexingOptions {
  /** The specs the container must serve; their multi-key orders become composite indexes. */
  specs?: readonly (
    | QueryNode
    | {
        /** The query's AST (a specification builder has it). */
        build(): QueryNode;
      }
  )[];
  /** The target's capabilities, which decide how the specs compile. Default `azure`. */
  profile?: CapabilityProfile | 'azure' | 'cosmosdb-server';
}

/** The composite indexes the specs need (deduplicated), as Cosmos `CompositePath` lists. */
export function compositeIndexesFor(
  entity: EntityDef,
  options: IndexingOptions = {},
): CompositePath[][] {
  const map = docMapping(entity);
  const seen = new Map<string, CompositePath[]>();
  for (const spec of options.specs ?? []) {
    const plan = compileQuery(bindQuery(entity, queryOf(spec as SpecSource<unknown, unknown>)), {
      profile: resolveProfile(options.profile),
      entity,
      storedPath: map.storedPath,
    });
    for (const index of compositeIndexesOf(plan)) seen.set(JSON.stringify(index), index);
  }
  return [...seen.values()];
}

/** Consistent indexing of every path, plus the composite indexes of `compositeIndexesFor`. */
export function indexingPolicyFor(
  entity: EntityDef,
  options: IndexingOptions = {},
): IndexingPolicy {
  return {
    indexingMode: 'consistent',
    automatic: true,
    includedPaths: [{ path: '/*' }],
    excludedPaths: [{ path: '/"_etag"/?' }],
    compositeIndexes: compositeIndexesFor(entity, options),
  };
}

/** Options of {@link ensureContainer}. */
export interface EnsureContainerOptions extends IndexingOptions {
  /** Container id. Default: the entity name. */
  id?: string;
  /** Provisioned throughput (RU/s); omit for serverless accounts or shared database throughput. */
  throughput?: number;
  /**
   * Called with the composite indexes an existing container lacks when the profile cannot add
   * them without losing the container's documents (cosmosdb-server). Default: a process warning.
   */
  onIndexesNotAdded?: (missing: CompositePath[][]) => void;
}

/**
 * Creates the container for `entity` when missing (partition key from the entity, `/id` when it
 * declares none) and adds composite indexes the specs need that an existing container lacks.
 *
 * Adding indexes never costs documents: on a profile with `indexUpdateInPlace` (`azure`) the
 * container's indexing policy is replaced and the service builds the new indexes online, the
 * documents untouched; on any other (cosmosdb-server, whose container replace starts the
 * container empty) the container is left as it is and the missing indexes are reported to
 * `onIndexesNotAdded` (queries that need them fail until the container is recreated).
 */
export async function ensureContainer(
  database: Database,
  entity: EntityDef,
  options: EnsureContainerOptions = {},
): Promise<Container> {
  const map = docMapping(entity);
  const id = options.id ?? entity.name;
  const wanted = indexingPolicyFor(entity, options);
  const { container, resource } = await database.containers.createIfNotExists({
    id,
    partitionKey: { paths: [jsonPointer(map.partitionKeyPath)] },
    indexingPolicy: wanted,
    ...(options.throughput ? { throughput: options.throughput } : {}),
  });
  const have = resource?.indexingPolicy?.compositeIndexes ?? [];
  const key = (c: CompositePath[]) =>
    JSON.stringify(c.map((p) => [p.path, p.order ?? 'ascending']));
  const haveKeys = new Set(have.map(key));
  const missing = (wanted.compositeIndexes ?? []).filter((c) => !haveKeys.has(key(c)));
  if (missing.length === 0 || !resource) return container;
  if (resolveProfile(options.profile).indexUpdateInPlace !== true) {
    if (options.onIndexesNotAdded) options.onIndexesNotAdded(missing);
    else
      process.emitWarning(
        `ensureContainer: container "${id}" lacks ${missing.length} composite index(es) its specs need; they were not added because this Cosmos DB target would delete the documents to change indexes (recreate the container to add them)`,
        { code: 'MYSTIRA_COSMOS_INDEXES_NOT_ADDED' },
      );
    return container;
  }
  // The container as it is (read, modify, replace), only its indexing policy changed.
  await container.replace({
    ...resource,
    indexingPolicy: {
      ...(resource.indexingPolicy ?? wanted),
      compositeIndexes: [...have, ...missing],
    },
  });
  return container;
}
