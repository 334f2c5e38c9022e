import type { HealthCheck } from '../registry.js';
import { checkFields, type ReadyCheckOptions } from './options.js';

/** Request options the Cosmos SDK (v4) accepts; only the abort signal matters here. */
export interface CosmosRequestOptions {
  /** Aborted when the check times out or the run is cancelled. */
  abortSignal?: AbortSignal;
}

/**
 * A database or container handle of the Cosmos SDK: reading it proves it exists and may be read.
 *
 * @inline
 */
interface Readable {
  /** Reads the resource: fails when it does not exist or the key may not read it. */
  read(options?: CosmosRequestOptions): Promise<unknown>;
}

/** What the Cosmos DB check needs: `@azure/cosmos`'s `CosmosClient` fits. */
export interface CosmosClientLike {
  /** Reads the database account: the endpoint is reachable and the key is accepted. */
  getDatabaseAccount(options?: CosmosRequestOptions): Promise<unknown>;
  /**
   * The handle of database `id` and, through it, of its containers. Creates no request by itself.
   */
  database(id: string): Readable & {
    /** The handle of container `id` of the database. */
    container(id: string): Readable;
  };
}

/** Options of {@link cosmosCheck}. */
export interface CosmosCheckOptions extends ReadyCheckOptions {
  /** Also read this database (proves it exists and the key may read it). */
  database?: string;
  /** Also read this container of `database`. */
  container?: string;
}

/**
 * Reads the database account (endpoint reachable, key accepted), then the database and container
 * when given. Typed structurally so @mystira/health never imports `@azure/cosmos`.
 */
export function cosmosCheck(
  client: CosmosClientLike,
  options: CosmosCheckOptions = {},
): HealthCheck {
  if (options.container !== undefined && options.database === undefined) {
    throw new TypeError('cosmosCheck: `container` needs `database`');
  }
  return {
    ...checkFields({ name: 'cosmos' }, options),
    async check({ signal }) {
      await client.getDatabaseAccount({ abortSignal: signal });
      if (options.database === undefined) return;
      const database = client.database(options.database);
      if (options.container === undefined) await database.read({ abortSignal: signal });
      else await database.container(options.container).read({ abortSignal: signal });
    },
  };
}
