/**
 * The options and events of `CosmosRepository`, and what its Cosmos-specific methods take and
 * return.
 */
import type { Container, SqlQuerySpec } from '@azure/cosmos';
import type { CallOptions, CursorCodec, WriteOptions } from '@mystira/repository';
import type { RetryOptions } from '@mystira/resilience';
import type { CapabilityProfile } from './profile.js';

/** One repository call's cost, reported to `onRequest`. */
export interface CosmosRequestEvent {
  /** The entity. */
  readonly entity: string;
  /** The repository method (`getById`, `list`, `update`, ...). */
  readonly operation: string;
  /** Request units consumed by every round trip of the call (retries included). */
  readonly requestCharge: number;
  /** Round trips made (query pages, point operations, retries). */
  readonly requests: number;
  /** Whether the call ran at least one cross-partition query. */
  readonly crossPartition: boolean;
  /** True when the call failed (the charge of the failed attempts is still reported). */
  readonly failed: boolean;
}

/** A query that fans out over every partition because the filter does not fix the partition key. */
export interface CrossPartitionEvent {
  /** The entity. */
  readonly entity: string;
  /** The repository method that runs the query. */
  readonly operation: string;
  /** The query, with its parameters. */
  readonly query: SqlQuerySpec;
}

/** Options of {@link CosmosRepository} (`cosmosRepository`). */
export interface CosmosRepositoryOptions {
  /** The container (create it with `ensureContainer`, which sets the partition key and indexes). */
  container: Container;
  /** What the server's query engine runs. Default `azure`. */
  profile?: CapabilityProfile | 'azure' | 'cosmosdb-server';
  /** Signs and checks page cursors (default: the process-wide codec). */
  cursors?: CursorCodec;
  /**
   * The retry for transient Cosmos errors (429/449 always, 408/410/503 for reads only), or false
   * to call once. Default: 6 attempts, server hints honoured, 30 s budget.
   */
  retry?: Omit<RetryOptions, 'idempotent' | 'shouldRetry'> | false;
  /** Called once per repository call with the RU charge and round trips. */
  onRequest?: (event: CosmosRequestEvent) => void;
  /** Called when a query cannot be pinned to one partition (before it runs). */
  onCrossPartitionQuery?: (event: CrossPartitionEvent) => void;
  /**
   * Most rows a query may sort in memory (bigint order keys, see the README). Above it the call
   * rejects with `UnsupportedQueryError` instead of holding an unbounded result. Default 50,000.
   */
  maxInMemoryRows?: number;
  /** Rows per query page when the caller does not say (`maxItemCount`). Default 500. */
  pageSize?: number;
  /**
   * The deadline of every read call, in ms: the most time it may spend waiting on Cosmos DB, all
   * its pages and retries together (a stream's consumer time is not counted). Past it the round
   * trip in flight is aborted and the call rejects with `UnavailableError`. Default 60,000; 0 for
   * none.
   */
  readTimeoutMs?: number;
}

/** Options of the Cosmos-specific read methods. */
export interface CosmosCallOptions extends CallOptions {
  /**
   * The item's partition key value, when the entity's partition key is not its id: makes
   * `getById`/`delete` a point operation instead of a cross-partition lookup.
   */
  partitionKey?: string | number | boolean;
}

/** Options of the Cosmos-specific writes. */
export interface CosmosWriteOptions extends WriteOptions {
  /** Write only if the stored document still has this `_etag` (from `getEntry`). */
  ifMatch?: string;
  /**
   * The item's partition key value, when the entity's partition key is not its id: spares the
   * lookup of a point operation.
   */
  partitionKey?: string | number | boolean;
}

/** An item with its storage metadata. */
export interface CosmosEntry<T> {
  /** The item. */
  readonly item: T;
  /** Its version (see `Repository`). */
  readonly version: number;
  /** The document's `_etag`, for `update(item, { ifMatch })`. */
  readonly etag: string | undefined;
}
