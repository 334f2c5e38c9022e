/**
 * Connects the App API to its stores and builds the repositories the routes use:
 *
 *   stories  = StoryRepository(cached(CosmosRepository<StoryDocument>))   Cosmos DB
 *   accounts = cached(polyglot(primary: CosmosRepository, secondary: PostgreSQL mirror).accounts)
 *   analytics = mapped(CosmosRepository) of the App's GameSessions and PlayerScenarioScores
 *
 * Both sit behind the same cache store (Redis when REDIS_URL is set, else memory); every write
 * goes through the cache, so it invalidates before it returns. Entries are HMAC-signed with
 * CACHE_SIGNING_KEYS, so nothing written to Redis without the key is served.
 *
 * Accounts are moving from Cosmos DB to PostgreSQL (typed columns); the polyglot layer routes
 * reads and writes by phase (ACCOUNTS_PHASE) and keeps both stores in step through a PostgreSQL
 * outbox while both are written. Startup provisions everything it needs (migrations in
 * PG_SCHEMA, the Cosmos database and containers), retrying while a dependency is still coming up.
 */
import https from 'node:https';
import type { Container, CosmosClient } from '@azure/cosmos';
import {
  CacheDecodeError,
  type CachedRepository,
  type CacheOptions,
  CacheOptionsError,
  cached,
  memoryStore,
  redisStore,
} from '@mystira/cache';
import { observeCache, tracedCache } from '@mystira/cache/otel';
import { createPolyglot, type OutboxReplayer, type Phase, type Polyglot } from '@mystira/polyglot';
import { observePolyglot, tracedMirror } from '@mystira/polyglot/otel';
import { postgresMirror, postgresOutbox, postgresPhases } from '@mystira/polyglot/postgres';
import { type Repository, UnavailableError } from '@mystira/repository';
import { tracedRepository } from '@mystira/repository/otel';
import { CosmosRepository, cosmosClient, ensureContainer } from '@mystira/repository-cosmos';
import {
  createDatabase,
  entityMigration,
  Migrator,
  type PgDatabase,
  postgresRepository,
} from '@mystira/repository-postgres';
import { isDependencyFailure, retry } from '@mystira/resilience';
import type { Meter, Tracer } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type AnalyticsStores,
  analyticsStores,
  provisionAnalyticsContainers,
} from './analytics-stores.ts';
import type { AppApiConfig } from './config.ts';
import { ConfigError } from './config-error.ts';
import type { Account } from './domain.ts';
import { AccountEntity, AccountEntityV1, type StoryDocument, StoryEntity } from './entities.ts';
import { markErrors } from './overload/dependencies.ts';
import { storyListSpecs } from './queries.ts';
import { StoryRepository } from './story-documents.ts';

export interface Stores {
  db: PgDatabase;
  cosmos: CosmosClient;
  redis: Redis | undefined;
  /** Stories as the domain sees them; reads by id are cached, writes invalidate. */
  stories: StoryRepository;
  /** The cache decorator under `stories` (metrics, health). */
  storyCache: CachedRepository<StoryDocument>;
  /** Accounts by polyglot phase, reads by id cached. */
  accounts: Repository<Account>;
  accountCache: CachedRepository<Account>;
  polyglot: Polyglot<{ accounts: { primary: Repository<Account> } }>;
  /** The App's sessions and scores (EF Core documents, @mystira/domain), for the analytics routes. */
  analytics: AnalyticsStores;
  close(): Promise<void>;
}

/** Startup waits this long in total for PostgreSQL and Cosmos DB to accept us. */
const STARTUP_BUDGET_MS = 30_000;

/**
 * Largest cached story, serialized (the cache's default is 512 KiB). A story is bounded by its
 * Cosmos DB document, at most 2 MB (Cosmos DB's item limit; the 1 MiB request body can grow to
 * about that once `scenariosJson` escapes it again), so every story that can be stored fits and
 * none silently bypasses the cache. It also bounds a junk entry in Redis: one over this plus
 * 4 KiB + 48 B is not transferred, not parsed, and deleted.
 */
export const STORY_CACHE_MAX_VALUE_BYTES = 2 * 1024 * 1024 + 64 * 1024;
/**
 * Largest cached account: an account is well under 1 KiB (its longest field, the owner's token
 * subject, is bounded by the 16 KB header limit), so a small cap keeps junk entries cheap.
 */
export const ACCOUNT_CACHE_MAX_VALUE_BYTES = 64 * 1024;

/**
 * Builds a cache, turning its refusal of an option into a ConfigError naming the variables it
 * comes from (loadAppApiConfig checks the keys already; this covers configurations built by hand).
 */
function cache<T extends object>(build: () => CachedRepository<T>): CachedRepository<T> {
  try {
    return build();
  } catch (err) {
    if (err instanceof CacheOptionsError)
      throw new ConfigError(
        `the cache refuses its configuration (CACHE_SIGNING_KEYS, CACHE_KEY_PREFIX): ${err.message}`,
        { cause: err },
      );
    throw err;
  }
}

/**
 * What the cache swallowed, logged. An entry refused for its signature is worth a warning: someone
 * wrote to Redis without the key (or an instance runs with other CACHE_SIGNING_KEYS). Expect one
 * per cached entry right after signing is turned on (unsigned entries are refused once).
 */
function logCacheError(log: Logger, what: string, source: string) {
  return (err: unknown) => {
    if (err instanceof CacheDecodeError && err.reason === 'signature')
      log.warn(
        { key: err.key },
        `${what} cache entry refused: not signed by CACHE_SIGNING_KEYS; deleted, served from ${source}`,
      );
    else log.debug({ err }, `${what} cache error (served from ${source})`);
  };
}

/** Where the stores' spans and metrics go (default: the global OpenTelemetry providers). */
export interface StoreTelemetry {
  tracer?: Tracer;
  meter?: Meter;
}

export async function connectStores(
  config: AppApiConfig,
  log: Logger,
  telemetry: StoreTelemetry = {},
): Promise<Stores> {
  // Every store call is a span (a child of the request's span) and a duration measurement;
  // cache lookups say whether they hit.
  const traced = { tracer: telemetry.tracer, meter: telemetry.meter };
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    // A dependency that is still starting (a fresh container, the demo's embedded services) is
    // waited for with backoff; a wrong password or a bad schema fails at once.
    const startup = retry({
      maxAttempts: 20,
      initialDelayMs: 200,
      maxDelayMs: 3_000,
      budgetMs: STARTUP_BUDGET_MS,
      idempotent: true,
      shouldRetry: (err) => isDependencyFailure(err) || err instanceof UnavailableError,
      name: 'startup',
    });
    const onRetry = (what: string) => (err: unknown) => {
      log.warn({ err }, `${what} not ready yet, retrying`);
      throw err;
    };

    // PostgreSQL: accounts (typed columns), the polyglot outbox and mirror tombstones.
    // Every wait is bounded (overload/config.ts): a locked table or an exhausted pool ends in a
    // 503 instead of a hung request. Errors leaving `db` are marked as PostgreSQL's.
    const limits = config.overload;
    const db = markErrors(
      createDatabase({
        primary: config.databaseUrl,
        max: limits.pgPoolMax,
        connectionTimeoutMs: limits.pgConnectTimeoutMs,
        statementTimeoutMs: limits.pgStatementTimeoutMs,
      }),
      'postgresql',
    );
    closers.push(() => db.close());
    const accountsTable = {
      schema: config.pgSchema,
      layout: 'columns' as const,
      indexes: ['email', 'createdAt'],
    };
    const pgAccounts = postgresRepository<Account>(db, AccountEntity, accountsTable);
    const mirror = tracedMirror(postgresMirror(db, pgAccounts), traced);
    const outbox = postgresOutbox(db, { schema: config.pgSchema });
    // Phases are shared through PostgreSQL: a switch on one instance (admin route, or the
    // mystira-polyglot CLI) is recorded there and followed by every other instance.
    const phases = postgresPhases(db, { schema: config.pgSchema });
    const migrator = new Migrator(
      db,
      [
        entityMigration('0001_accounts', AccountEntityV1, accountsTable),
        {
          id: '0002_accounts_email_unique',
          up: `CREATE UNIQUE INDEX IF NOT EXISTS accounts_email_unique ON "${config.pgSchema}"."accounts" (email)`,
          down: `DROP INDEX IF EXISTS "${config.pgSchema}".accounts_email_unique`,
        },
        {
          id: '0003_polyglot_outbox',
          up: async (q) => {
            for (const s of [...outbox.statements(), ...mirror.statements()]) await q.query(s);
          },
        },
        {
          id: '0004_polyglot_phases',
          up: async (q) => {
            for (const s of phases.statements()) await q.query(s);
          },
        },
        {
          // Accounts belong to the token subject that created them, and an email is unique per
          // owner only: a unique email across owners told any caller which emails had accounts.
          id: '0005_accounts_owner',
          up: [
            `ALTER TABLE "${config.pgSchema}"."accounts" ADD COLUMN IF NOT EXISTS "ownerId" text COLLATE "C"`,
            `DROP INDEX IF EXISTS "${config.pgSchema}".accounts_email_unique`,
            `CREATE UNIQUE INDEX IF NOT EXISTS accounts_owner_email_unique ON "${config.pgSchema}"."accounts" ("ownerId", email)`,
          ].join(';\n'),
          down: [
            `DROP INDEX IF EXISTS "${config.pgSchema}".accounts_owner_email_unique`,
            `ALTER TABLE "${config.pgSchema}"."accounts" DROP COLUMN IF EXISTS "ownerId"`,
          ].join(';\n'),
        },
      ],
      { schema: config.pgSchema },
    );
    await startup.execute(() => migrator.up().catch(onRetry('PostgreSQL')));
    log.info({ schema: config.pgSchema }, 'PostgreSQL migrations applied');

    // Cosmos DB: stories (documents) and the accounts' original home.
    const agent = config.cosmos.tlsInsecure
      ? new https.Agent({ rejectUnauthorized: false, keepAlive: true })
      : undefined;
    const cosmos = cosmosClient({
      endpoint: config.cosmos.endpoint,
      key: config.cosmos.key,
      agent,
      options: { connectionPolicy: { requestTimeout: limits.cosmosRequestTimeoutMs } },
    });
    closers.push(() => {
      cosmos.dispose();
      agent?.destroy();
    });
    const profile = config.cosmos.profile;
    const { storiesContainer, accountsContainer } = await startup.execute(() =>
      provisionCosmos(cosmos, config.cosmos.database, profile).catch(onRetry('Cosmos DB')),
    );
    const analyticsContainers = await startup.execute(() =>
      provisionAnalyticsContainers(cosmos.database(config.cosmos.database), profile).catch(
        onRetry('Cosmos DB'),
      ),
    );
    log.info({ database: config.cosmos.database, profile }, 'Cosmos DB containers ready');
    const analytics = analyticsStores(analyticsContainers, profile, (repo) =>
      tracedRepository(markErrors(repo, 'cosmos'), traced),
    );
    const cosmosStories = tracedRepository(
      markErrors(
        new CosmosRepository<StoryDocument>(StoryEntity, { container: storiesContainer, profile }),
        'cosmos',
      ),
      traced,
    );
    const cosmosAccounts = tracedRepository(
      markErrors(
        new CosmosRepository<Account>(AccountEntity, { container: accountsContainer, profile }),
        'cosmos',
      ),
      traced,
    );

    // The story cache: Redis when configured (shared by every instance), else in-process.
    let redis: Redis | undefined;
    if (config.redisUrl) {
      // Fail fast while disconnected: the cache then falls through to Cosmos DB instead of queueing.
      // Auto-pipelining: the commands of concurrent requests (each one's rate-limit count and
      // cache MGET) issued in one event-loop turn leave in one socket write. A socket write costs
      // more than any of them (the profile of a cached read: a third of its CPU is in writes).
      redis = new Redis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        enableAutoPipelining: true,
      });
      redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
      const r = redis;
      closers.push(() => r.disconnect());
    }
    const store = redis ? redisStore(redis) : memoryStore();
    closers.push(() => store.close());
    // Signed entries (CACHE_SIGNING_KEYS): bytes written to Redis by anyone without the key are
    // refused, deleted and read from the store instead. Both caches share the keys and prefix.
    const signing: Pick<CacheOptions, 'signingKeys'> = config.cacheSigningKeys
      ? { signingKeys: config.cacheSigningKeys }
      : {};
    // L1 (CACHE_L1_TTL_MS): a hit from process memory skips the Redis round trip, the HMAC check
    // and the decode; every write's invalidation message removes the entry on every instance.
    const l1: Pick<CacheOptions, 'l1'> = config.cacheL1 ? { l1: config.cacheL1 } : {};
    if (redis && !config.cacheSigningKeys)
      log.warn(
        'cache entries in Redis are not signed (CACHE_SIGNING=off): anyone who can write to this Redis can make the API serve forged stories and accounts, or 404 existing ones',
      );
    const storyCache = tracedCache<StoryDocument, CachedRepository<StoryDocument>>(
      cache(() =>
        cached(cosmosStories, {
          store,
          keyPrefix: config.cacheKeyPrefix,
          ttlMs: 300_000,
          maxValueBytes: STORY_CACHE_MAX_VALUE_BYTES,
          ...signing,
          ...l1,
          onError: logCacheError(log, 'story', 'Cosmos DB'),
        }),
      ),
      traced,
    );
    closers.push(() => storyCache.close());

    const polyglot = createPolyglot({
      outbox,
      phases,
      entities: {
        accounts: { primary: cosmosAccounts, secondary: mirror, phase: config.accountsPhase },
      },
    });
    polyglot.on('secondary-failure', (e) =>
      log.warn({ entity: e.entity, id: e.id }, 'secondary write failed; queued in the outbox'),
    );
    // ACCOUNTS_PHASE is the phase of a fresh deployment; once a phase was recorded (a switch at
    // runtime), the recorded one wins, so a restart never silently undoes an operator's switch.
    const recorded = (await phases.load()).accounts;
    if (recorded && recorded !== config.accountsPhase) {
      log.warn(
        { configured: config.accountsPhase, recorded },
        'ACCOUNTS_PHASE differs from the recorded phase; following the recorded one',
      );
      await polyglot.syncPhases();
    }
    polyglot.on('phase', (e) => log.warn(e, 'polyglot phase changed'));
    const stopWatching = polyglot.watchPhases({
      intervalMs: config.phasePollMs,
      onError: (err) => log.warn({ err }, 'cannot read the recorded polyglot phases'),
    });
    closers.push(stopWatching);
    // Above the polyglot layer, so a cached account is the same whichever store the phase reads.
    const accountCache = tracedCache<Account, CachedRepository<Account>>(
      cache(() =>
        cached(tracedRepository(polyglot.repositories.accounts, traced), {
          store,
          keyPrefix: config.cacheKeyPrefix,
          ttlMs: 300_000,
          maxValueBytes: ACCOUNT_CACHE_MAX_VALUE_BYTES,
          ...signing,
          ...l1,
          onError: logCacheError(log, 'account', 'the store'),
        }),
      ),
      traced,
    );
    closers.push(() => accountCache.close());
    // Gauges: outbox depth and age, cache hit ratios (on /metrics with the rest).
    const gauges = [
      observePolyglot(polyglot, { meter: telemetry.meter }),
      observeCache([storyCache, accountCache], { meter: telemetry.meter }),
    ];
    closers.push(() => {
      for (const g of gauges) g.dispose();
    });
    const replayer: OutboxReplayer = polyglot.replayer();
    replayer.start();
    closers.push(() => replayer.stop());
    log.info({ phase: polyglot.phase('accounts') }, 'accounts routed by the polyglot layer');

    return {
      db,
      cosmos,
      redis,
      stories: new StoryRepository(storyCache),
      storyCache,
      accounts: accountCache,
      accountCache,
      polyglot: polyglot as unknown as Stores['polyglot'],
      analytics,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function provisionCosmos(
  cosmos: CosmosClient,
  databaseId: string,
  profile: 'azure' | 'cosmosdb-server',
): Promise<{ storiesContainer: Container; accountsContainer: Container }> {
  const { database } = await cosmos.databases.createIfNotExists({ id: databaseId });
  const storiesContainer = await ensureContainer(database, StoryEntity, {
    specs: storyListSpecs(),
    profile,
  });
  const accountsContainer = await ensureContainer(database, AccountEntity, { profile });
  return { storiesContainer, accountsContainer };
}

export type AccountsPhase = Phase;
