/**
 * The App's own game data, read for analytics: the `GameSessions` and `PlayerScenarioScores`
 * containers as the .NET App writes them (EF Core documents, both domain generations), through
 * the codecs of `@mystira/domain`. Where each lives is the domain's routing (`domainRouting`): the
 * roadmap keeps sessions and progress in Cosmos DB, so both are Cosmos DB containers here, named
 * and partitioned as the App's (`/accountId`, `/ProfileId`).
 *
 * The App API's own accounts are not the domain's `Account`: they are this example's entity
 * (an email, a display name and the wallet royalties are paid to, owned by a token subject, in
 * typed PostgreSQL columns), not the App's EF Core document (status, subscription, auth provider,
 * profiles). They stay as they are (account.ts).
 */
import type { Container, Database } from '@azure/cosmos';
import {
  domainRouting,
  type GameSession,
  type PlayerScenarioScore,
  routedCodecs,
} from '@mystira/domain';
import type { Repository, StoredDocument } from '@mystira/repository';
import { CosmosRepository, ensureContainer } from '@mystira/repository-cosmos';

/** The domain repositories the analytics routes aggregate over. */
export interface AnalyticsStores {
  gameSessions: Repository<GameSession>;
  playerScenarioScores: Repository<PlayerScenarioScore>;
}

/** The routed entities analytics reads. */
const ANALYTICS_ENTITIES = ['gameSessions', 'playerScenarioScores'] as const;

/** Creates the App's containers analytics reads (if missing), keyed by container name. */
export async function provisionAnalyticsContainers(
  database: Database,
  profile: 'azure' | 'cosmosdb-server',
): Promise<Map<string, Container>> {
  const containers = new Map<string, Container>();
  for (const name of ANALYTICS_ENTITIES) {
    const codec = routedCodecs[name];
    containers.set(codec.stored.name, await ensureContainer(database, codec.stored, { profile }));
  }
  return containers;
}

/**
 * The analytics repositories over provisioned containers, each stored-document repository passed
 * through `wrap` (error marks, tracing) before the domain's `mapped()` translates it.
 */
export function analyticsStores(
  containers: ReadonlyMap<string, Container>,
  profile: 'azure' | 'cosmosdb-server',
  wrap: (repo: Repository<StoredDocument>) => Repository<StoredDocument>,
): AnalyticsStores {
  const routing = domainRouting(
    {
      cosmos: (codec, info) => {
        const container = containers.get(info.container);
        if (!container) throw new Error(`container ${info.container} was not provisioned`);
        return wrap(new CosmosRepository<StoredDocument>(codec.stored, { container, profile }));
      },
    },
    { entities: [...ANALYTICS_ENTITIES] },
  );
  return {
    gameSessions: routing.entities.gameSessions.primary,
    playerScenarioScores: routing.entities.playerScenarioScores.primary,
  };
}
