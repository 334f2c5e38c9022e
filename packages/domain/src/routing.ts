/**
 * The roadmap's routing (ADR-0013: Accounts and Analytics to PostgreSQL; profiles, progress,
 * scenarios and content stay in Cosmos DB) as the configuration of a polyglot registry
 * (`createPolyglot` of `@mystira/polyglot`): each entity that has a codec here gets a
 * `mapped()` repository over the caller's store of its container, PostgreSQL or Cosmos DB, as
 * `routingDefaults` (with the caller's overrides) says.
 *
 * The bindings are structurally `EntityBinding`s of `@mystira/polyglot`, so this package does not
 * depend on it. They have a primary only (phase `PrimaryOnly`): mirroring an entity into the other
 * store needs a version field, which the App's documents do not have (EF Core keeps `_etag`).
 */
import {
  type EntityCodec,
  mapped,
  type Repository,
  type StoredDocument,
} from '@mystira/repository';
import { type Account, accounts } from './accounts.js';
import { type ContainerInfo, containerInfo, routingDefaults, type Store } from './containers.js';
import { type GameSession, gameSessions } from './game-sessions.js';
import { type PlayerScenarioScore, playerScenarioScores } from './player-scenario-scores.js';
import { type Scenario, scenarios } from './scenarios.js';
import { type UserProfile, userProfiles } from './user-profiles.js';

/** The entities this package has codecs for, by the name their repository is registered under. */
export interface RoutedEntities {
  /** Container `Accounts` (roadmap: PostgreSQL). */
  accounts: Account;
  /** Container `GameSessions` (roadmap: Cosmos DB). */
  gameSessions: GameSession;
  /** Container `UserProfiles` (roadmap: Cosmos DB). */
  userProfiles: UserProfile;
  /** Container `Scenarios` (roadmap: Cosmos DB). */
  scenarios: Scenario;
  /** Container `PlayerScenarioScores` (roadmap: Cosmos DB). */
  playerScenarioScores: PlayerScenarioScore;
}

/** The name of a routed entity. */
export type RoutedEntityName = keyof RoutedEntities;

/** The codec of every routed entity, by name. */
export const routedCodecs: { readonly [K in RoutedEntityName]: EntityCodec<RoutedEntities[K]> } =
  Object.freeze({ accounts, gameSessions, userProfiles, scenarios, playerScenarioScores });

/**
 * Makes the repository of one container's stored documents in one store (a `PostgresRepository`
 * of `codec.stored` with `layout: 'document'`, a `CosmosRepository` over the container, …). The
 * table or container must exist: provision it before (its partition key is
 * `container.partitionKey`).
 */
export type StoredRepositoryFactory = (
  codec: EntityCodec<object>,
  container: ContainerInfo,
) => Repository<StoredDocument>;

/** The caller's stores: one factory per store an entity is routed to. */
export interface RoutingStores {
  /** The repositories of the containers routed to PostgreSQL. */
  readonly postgresql?: StoredRepositoryFactory;
  /** The repositories of the containers routed to Cosmos DB. */
  readonly cosmos?: StoredRepositoryFactory;
}

/** Options of {@link domainRouting}. */
export interface DomainRoutingOptions<N extends RoutedEntityName> {
  /** Stores by container name that replace the roadmap's (e.g. `{ Accounts: 'cosmos' }`). */
  readonly overrides?: Readonly<Record<string, Store>>;
  /** The entities to bind (default: all of {@link RoutedEntities}). */
  readonly entities?: readonly N[];
}

/** One entity's binding: structurally an `EntityBinding` of `@mystira/polyglot`. */
export interface DomainBinding<T extends object> {
  /** The entity's TypeScript items over its store (`mapped()` over the stored documents). */
  primary: Repository<T>;
}

/** What {@link domainRouting} returns. */
export interface DomainRouting<N extends RoutedEntityName> {
  /** The registry's entities: `createPolyglot({ entities: routing.entities, outbox })`. */
  readonly entities: { readonly [K in N]: DomainBinding<RoutedEntities[K]> };
  /** The store each bound entity was routed to. */
  readonly stores: { readonly [K in N]: Store };
  /** The store of every container (all 25, with the overrides), codec or not. */
  readonly table: ReadonlyMap<string, Store>;
}

/**
 * The polyglot registry's configuration for the entities that have codecs: each one's
 * container is routed to the store `routingDefaults(overrides)` gives, and bound as a
 * `mapped()` repository over the repository `stores` makes for it.
 * @throws TypeError when an override names an unknown container or store, or when an entity is
 * routed to a store `stores` has no factory for.
 */
export function domainRouting<N extends RoutedEntityName = RoutedEntityName>(
  stores: RoutingStores,
  options: DomainRoutingOptions<N> = {},
): DomainRouting<N> {
  const overrides = options.overrides ?? {};
  for (const [container, store] of Object.entries(overrides)) {
    // A misspelt container would silently keep the roadmap's store.
    if (!containerInfo(container))
      throw new TypeError(`routing override for unknown container "${container}"`);
    if (store !== 'cosmos' && store !== 'postgresql')
      throw new TypeError(`routing override of "${container}": unknown store "${String(store)}"`);
  }
  const table = routingDefaults(overrides);
  const names = options.entities ?? (Object.keys(routedCodecs) as N[]);
  const entities: Record<string, DomainBinding<object>> = {};
  const routed: Record<string, Store> = {};
  for (const name of names) {
    const codec = routedCodecs[name] as EntityCodec<object> | undefined;
    if (!codec) throw new TypeError(`no codec for entity "${String(name)}"`);
    const info = containerInfo(codec.stored.name)!;
    const store = table.get(info.container)!;
    const factory = stores[store];
    if (!factory)
      throw new TypeError(
        `${name}: container ${info.container} is routed to ${store}, and no ${store} store was given`,
      );
    entities[name] = { primary: mapped(factory(codec, info), codec) };
    routed[name] = store;
  }
  return {
    entities: entities as DomainRouting<N>['entities'],
    stores: routed as DomainRouting<N>['stores'],
    table,
  };
}
