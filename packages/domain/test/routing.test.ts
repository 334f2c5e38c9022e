/**
 * `domainRouting` as the polyglot registry's configuration: the roadmap's stores by default
 * (Accounts → PostgreSQL, the rest Cosmos DB), changed by overrides, refused when misspelt or
 * when a store is missing; memory repositories stand in for both stores, then the real ones
 * (PostgreSQL, and Cosmos DB through the in-process server) hold the App's documents.
 */
import {
  accountByEmail,
  accounts as accountCodec,
  activeAccounts,
  domainRouting,
  gameSessions,
  type RoutingStores,
  type StoredRepositoryFactory,
  sessionsByAccount,
  sessionsPerStatusPerDay,
} from '@mystira/domain';
import { createPolyglot, memoryOutbox } from '@mystira/polyglot';
import {
  type EntityCodec,
  type MemoryRepository,
  memoryRepository,
  runAggregate,
  type StoredDocument,
} from '@mystira/repository';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MappingStores, openMappingStores } from '../../repository/test/mapping-stores.js';
import { accountCurrent, accountLegacy, sessionCurrent, sessionLegacy } from './golden.js';

/** Memory stand-ins for both stores, remembering which container went where. */
function memoryStores() {
  const made: Record<string, Record<string, MemoryRepository<StoredDocument>>> = {
    postgresql: {},
    cosmos: {},
  };
  const factory =
    (store: 'postgresql' | 'cosmos'): StoredRepositoryFactory =>
    (codec, info) => {
      const repo = memoryRepository<StoredDocument>(codec.stored);
      made[store]![info.container] = repo;
      return repo;
    };
  const stores: RoutingStores = { postgresql: factory('postgresql'), cosmos: factory('cosmos') };
  return { stores, made };
}

describe('domainRouting over memory stores', () => {
  it('routes by the roadmap by default and binds every entity with a codec, PrimaryOnly', async () => {
    const { stores, made } = memoryStores();
    const routing = domainRouting(stores);
    expect(routing.stores).toEqual({
      accounts: 'postgresql',
      gameSessions: 'cosmos',
      userProfiles: 'cosmos',
      scenarios: 'cosmos',
      playerScenarioScores: 'cosmos',
    });
    expect(Object.keys(made.postgresql!)).toEqual(['Accounts']);
    expect(Object.keys(made.cosmos!).sort()).toEqual([
      'GameSessions',
      'PlayerScenarioScores',
      'Scenarios',
      'UserProfiles',
    ]);
    // Containers without a codec are in the table (CompassTrackings is the Analytics one).
    expect(routing.table.size).toBe(25);
    expect(routing.table.get('CompassTrackings')).toBe('postgresql');

    const polyglot = createPolyglot({ entities: routing.entities, outbox: memoryOutbox() });
    expect(polyglot.names.sort()).toEqual(Object.keys(routing.stores).sort());
    expect(new Set(Object.values(polyglot.phases()))).toEqual(new Set(['PrimaryOnly']));

    // The App's documents (both generations) in the PostgreSQL stand-in read as Accounts.
    await made.postgresql!.Accounts!.addMany([accountCurrent, accountLegacy]);
    const repo = polyglot.repositories.accounts;
    const robin = await repo.single(accountByEmail('ROBIN@example.com'));
    expect(robin?.displayName).toBe('Robin');
    expect((await repo.list(activeAccounts())).map((a) => a.id)).toEqual([accountCurrent.id]);
    // A write through the registry lands in the routed store, in the App's shape.
    await repo.update({ ...robin!, displayName: 'Robin H.' });
    expect((await made.postgresql!.Accounts!.getById(robin!.id))?.DisplayName).toBe('Robin H.');
  });

  it('is changeable: overrides move containers, a subset of entities can be bound', () => {
    const { stores, made } = memoryStores();
    const routing = domainRouting(stores, {
      overrides: { Accounts: 'cosmos', Scenarios: 'postgresql' },
      entities: ['accounts', 'scenarios'],
    });
    expect(routing.stores).toEqual({ accounts: 'cosmos', scenarios: 'postgresql' });
    expect(Object.keys(routing.entities).sort()).toEqual(['accounts', 'scenarios']);
    expect(Object.keys(made.cosmos!)).toEqual(['Accounts']);
    expect(Object.keys(made.postgresql!)).toEqual(['Scenarios']);
    expect(routing.table.get('Scenarios')).toBe('postgresql');
  });

  it('refuses a misspelt container, an unknown store, and a route to a store not given', () => {
    const { stores } = memoryStores();
    expect(() => domainRouting(stores, { overrides: { Account: 'cosmos' } })).toThrow(
      /unknown container "Account"/,
    );
    expect(() => domainRouting(stores, { overrides: { Accounts: 'mongodb' as 'cosmos' } })).toThrow(
      /unknown store "mongodb"/,
    );
    expect(() => domainRouting({ cosmos: stores.cosmos })).toThrow(
      /container Accounts is routed to postgresql, and no postgresql store was given/,
    );
    // Routing Accounts to Cosmos DB too needs no PostgreSQL store.
    expect(
      domainRouting({ cosmos: stores.cosmos }, { overrides: { Accounts: 'cosmos' } }).stores
        .accounts,
    ).toBe('cosmos');
  });
});

describe('domainRouting over PostgreSQL and the Cosmos server', () => {
  let stores: MappingStores | undefined;

  beforeAll(async () => {
    stores = await openMappingStores('routing');
  }, 60_000);

  afterAll(async () => {
    await stores?.close();
  });

  it('reads and writes the App documents where the roadmap puts them', async () => {
    // Provisioned first (the factories are synchronous): Accounts' table, GameSessions' container
    // with the composite index the ordered query needs.
    const accountsTable = await stores!.postgres(accountCodec as EntityCodec<object>, 'accounts');
    const sessionsStore = await stores!.cosmosRepository(gameSessions as EntityCodec<object>, [
      sessionsByAccount(String(sessionCurrent.accountId)).build(),
    ]);

    const routing = domainRouting(
      {
        postgresql: (_codec, info) => {
          expect(info.container).toBe('Accounts');
          return accountsTable;
        },
        cosmos: (_codec, info) => {
          expect(info.container).toBe('GameSessions');
          return sessionsStore;
        },
      },
      { entities: ['accounts', 'gameSessions'] },
    );
    const polyglot = createPolyglot({ entities: routing.entities, outbox: memoryOutbox() });

    // Documents as the .NET App wrote them, straight into each store.
    await accountsTable.addMany([accountCurrent, accountLegacy]);
    await sessionsStore.addMany([
      sessionCurrent,
      { ...sessionLegacy, accountId: sessionCurrent.accountId },
    ]);

    const accounts = polyglot.repositories.accounts;
    expect((await accounts.list(activeAccounts())).map((a) => a.id)).toEqual([accountCurrent.id]);
    const sam = await accounts.getById(accountLegacy.id as string);
    await accounts.update({ ...sam!, displayName: 'Sam B.' });
    // The stored document, as the .NET App will read it: current shape, the legacy id kept.
    const stored = await accountsTable.getById(accountLegacy.id as string);
    expect(stored).toMatchObject({ DisplayName: 'Sam B.', ExternalUserId: 'google-oauth2|42' });

    const sessions = polyglot.repositories.gameSessions;
    const mine = await sessions.list(sessionsByAccount(sessionCurrent.accountId as string));
    expect(mine.map((s) => s.id).sort()).toEqual([sessionCurrent.id, sessionLegacy.id].sort());
    // Aggregates run on the bound repository itself (the registry's repository has none).
    const perDay = await runAggregate(
      routing.entities.gameSessions.primary,
      sessionsPerStatusPerDay(),
    );
    expect(perDay.reduce((n, r) => n + r.sessions, 0)).toBe(2);
  }, 60_000);
});
