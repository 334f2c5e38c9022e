/**
 * The whole Mystira system in one process, on embedded defaults: a local token issuer (keys made
 * at start, a JWKS on its own port: the demo's Auth0 / Entra ID), PostgreSQL (embedded binaries,
 * data in a local folder), Cosmos DB (`@vercel/cosmosdb-server` in-process, snapshotted to the same
 * folder), the memory cache store, the Chain host (on the Story ledger over an embedded EVM chain,
 * or the devnet simulator: chain-ledger.ts), the App API and the Publisher page. Each embedded default gives way to a real service when its variable is set:
 * DATABASE_URL, COSMOS_ENDPOINT + COSMOS_KEY, REDIS_URL, CHAIN_URL.
 *
 * Both APIs accept only the issuer's tokens: the App API for its audience, the Chain host for the
 * chain's (with chain:read / chain:write scopes). Each demo user gets a token (`tokens`); the App
 * API reaches the Chain host with its own client-credentials token.
 *
 * The data folder is locked for the system's lifetime (data-folder.ts) and what it keeps between
 * runs besides the PostgreSQL cluster (the Cosmos snapshot, the last run's ids) is saved as one
 * consistent state (saved-state.ts).
 *
 * Importable (the benchmarks soak it) and quiet: it prints nothing; progress goes to `onProgress`
 * and component logs to `onLog` when given.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createChainServer, jwtVerifier } from '@mystira/chain-server';
import pg from 'pg';
import { type DemoLedger, type DemoLedgerKind, startDemoLedger } from './chain-ledger.ts';
import { type DataFolderLock, DEFAULT_DATA_DIR, lockDataFolder, REPO_ROOT } from './data-folder.ts';
import { type EmbeddedCosmosHandle, startEmbeddedCosmos } from './embedded-cosmos.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import {
  APP_API_AUDIENCE,
  appApiClient,
  CHAIN_AUDIENCE,
  type DemoUserName,
  demoTokens,
} from './identities.ts';
import { startLocalIssuer } from './issuer.ts';
import { resolvePort } from './ports.ts';
import { SavedState } from './saved-state.ts';
import type { ScenarioIds } from './scenario.ts';

export { DEFAULT_DATA_DIR, REPO_ROOT };

export type DemoComponent =
  | 'data'
  | 'issuer'
  | 'postgres'
  | 'cosmos'
  | 'redis'
  | 'chain'
  | 'api'
  | 'web';

export interface DemoProgress {
  component: DemoComponent;
  /**
   * embedded: started here; external: a real service from the environment is used; notice: a
   * line for people about how it was started (e.g. where its data went), in `detail`; warning:
   * something was found wrong and dealt with (e.g. unusable saved state moved aside), in `detail`.
   */
  state:
    | 'starting'
    | 'embedded'
    | 'external'
    | 'memory'
    | 'notice'
    | 'warning'
    | 'stopping'
    | 'stopped';
  /** A URL or a short note for people. */
  detail?: string;
  /** Start-up time of this component, for `embedded`. */
  ms?: number;
}

/** 0 (the default for each) picks a free port. */
export interface DemoPorts {
  issuer?: number;
  chain?: number;
  api?: number;
  web?: number;
  postgres?: number;
  cosmos?: number;
}

export interface DemoSystemOptions {
  /**
   * Where embedded PostgreSQL and the Cosmos snapshot live. Default `.mystira-demo/` at the repo
   * root; with the default, when the checkout sits in a folder PostgreSQL's `postgres` user
   * cannot reach (running as root), the cluster goes to /var/tmp/mystira-demo/<checkout hash>/.
   */
  dataDir?: string;
  /**
   * The lock on `dataDir`, when the caller took it (npm run demo takes it before building, to
   * refuse a second demo at once); it stays the caller's to release. Without it the system locks
   * the folder itself and releases it at the end of stop().
   */
  lock?: DataFolderLock;
  ports?: DemoPorts;
  /** Interface every listener binds to. Default 127.0.0.1. */
  host?: string;
  /** Read for the overrides (DATABASE_URL, COSMOS_*, REDIS_URL, CHAIN_URL, CHAIN_API_KEY, PG_SCHEMA, …). Default process.env. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (step: DemoProgress) => void;
  /** Log lines of the embedded servers (PostgreSQL); nothing is printed without it. */
  onLog?: (component: DemoComponent, line: string) => void;
  /** LOG_LEVEL handed to the App API. Default: env LOG_LEVEL, else "silent". */
  logLevel?: string;
  /** Block interval of the ledger (devnet blocks, or the embedded chain's). Default 500 ms. */
  blockIntervalMs?: number;
  /**
   * The Chain host's ledger: `story` (Story ledger on an embedded EVM chain with Story test
   * contracts) or `devnet` (the in-process simulator). Default `devnet` here, for importers such
   * as the bench soak; `npm run demo` passes `story` unless run with `--ledger devnet`.
   */
  ledger?: DemoLedgerKind;
}

export interface DemoSystem {
  /** The token issuer (`iss` of every token). */
  issuerUrl: string;
  /** A token per demo user (see identities.ts), valid for 12 h. */
  tokens: Record<DemoUserName, string>;
  chainUrl: string;
  /** The ledger under the embedded Chain host; undefined when CHAIN_URL named another host. */
  /** `ip`: whether the ledger implements the licensing services (Ledger.ip). */
  ledger?: { kind: DemoLedgerKind; rpcUrl?: string; ip: boolean };
  apiUrl: string;
  webUrl: string;
  databaseUrl: string;
  cosmosEndpoint: string;
  redisUrl?: string;
  /** Which components are embedded here (the others came from the environment). */
  embedded: DemoComponent[];
  /**
   * The ids the last remembered run created on these same stores, to check they are still there;
   * undefined on a fresh start (or when that run used other stores).
   */
  previousRun?: ScenarioIds;
  /** Saves what only lives in memory (the embedded Cosmos DB) to the data folder now. */
  checkpoint(): Promise<void>;
  /**
   * Saves a snapshot and `ids` as the last run in one step (they cannot disagree); undefined
   * forgets the last run, so the next start does not look for it.
   */
  rememberRun(ids: ScenarioIds | undefined): Promise<void>;
  /** Stops everything this call started, last started first. Safe to call twice. */
  stop(): Promise<void>;
}

/** A component failed to start; `hint` tells the person what to do about it. */
export class DemoComponentError extends Error {
  override readonly name = 'DemoComponentError';
  readonly component: DemoComponent;
  readonly hint: string;
  /** The message without the component name. */
  readonly reason: string;
  constructor(
    component: DemoComponent,
    reason: string,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(`${component}: ${reason}`, options);
    this.component = component;
    this.reason = reason;
    this.hint = hint;
  }
}

/**
 * Where the default folder's PostgreSQL cluster goes when the server's user cannot reach the
 * checkout: per checkout (a hash of its path), in a folder that survives reboots like the
 * checkout's own data would.
 */
export const FALLBACK_POSTGRES_DIR = join(
  '/var/tmp/mystira-demo',
  createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 16),
  'postgres',
);

// The sibling hosts are imported lazily so this module loads (and reports clearly) even when one
// of them is missing or broken.
type AppApiModule = typeof import('../../app-api/src/app.ts');
type AppApiConfigModule = typeof import('../../app-api/src/config.ts');
type PublisherWebModule = typeof import('../../publisher-web/serve.ts');

export async function startDemoSystem(options: DemoSystemOptions = {}): Promise<DemoSystem> {
  // A copy: the Story SDK, once imported, loads a .env file into process.env, which must not
  // reach the App API's environment built from this one.
  const env = { ...(options.env ?? process.env) };
  const ports = options.ports ?? {};
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const progress = options.onProgress ?? (() => undefined);
  const onLog = options.onLog;
  const stack: { component: DemoComponent; stop: () => Promise<void> }[] = [];
  const embedded: DemoComponent[] = [];

  async function stop() {
    while (stack.length > 0) {
      const { component, stop: stopOne } = stack.pop()!;
      progress({ component, state: 'stopping' });
      await stopOne().catch((error: unknown) =>
        onLog?.(component, `stop failed: ${error instanceof Error ? error.message : error}`),
      );
      progress({ component, state: 'stopped' });
    }
  }

  /** Runs one start-up step; on failure stops what already runs and names the component. */
  async function step<T extends { stop(): Promise<void> }>(
    component: DemoComponent,
    hint: string,
    run: () => Promise<T>,
  ) {
    options.signal?.throwIfAborted();
    progress({ component, state: 'starting' });
    const started = performance.now();
    try {
      const value = await run();
      // On the stack at once, so an abort right now still stops it.
      stack.push({ component, stop: () => value.stop() });
      embedded.push(component);
      options.signal?.throwIfAborted();
      return { value, ms: Math.round(performance.now() - started) };
    } catch (error) {
      await stop();
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof DemoComponentError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new DemoComponentError(component, message, hint, { cause: error });
    }
  }

  // --- Data folder ------------------------------------------------------------------------------
  // First: nothing may touch the folder while another demo uses it.
  if (options.lock && resolve(options.lock.dataDir) !== dataDir) {
    throw new Error(`the lock given is on ${options.lock.dataDir}, not on ${dataDir}`);
  }
  if (options.lock) {
    progress({ component: 'data', state: 'embedded', detail: `${dataDir} (locked)` });
  } else {
    let lock: DataFolderLock;
    try {
      lock = lockDataFolder(dataDir);
    } catch (error) {
      throw new DemoComponentError(
        'data',
        error instanceof Error ? error.message : String(error),
        'Stop the demo that uses the folder, or give this one another data folder (dataDir).',
        { cause: error },
      );
    }
    stack.push({ component: 'data', stop: async () => lock.release() });
    progress({ component: 'data', state: 'embedded', detail: `${dataDir} (locked)` });
    if (lock.replaced)
      progress({
        component: 'data',
        state: 'warning',
        detail: `took over a stale lock: ${lock.replaced.reason}`,
      });
  }

  // --- Token issuer -----------------------------------------------------------------------------
  // First: every other component trusts it. The App API's client secret is made up here, once.
  const clientSecret = randomBytes(24).toString('base64url');
  const issuer = await step('issuer', 'Is the issuer port (DEMO_ISSUER_PORT) free?', async () => {
    const started = await startLocalIssuer({
      host,
      port: ports.issuer ?? 0,
      clients: [appApiClient(clientSecret)],
    });
    return { issuer: started, stop: () => started.close() };
  });
  const tokens = await demoTokens(issuer.value.issuer);
  progress({
    component: 'issuer',
    state: 'embedded',
    detail: issuer.value.issuer.url,
    ms: issuer.ms,
  });

  // --- PostgreSQL -------------------------------------------------------------------------------
  let databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    progress({ component: 'postgres', state: 'external', detail: redact(databaseUrl) });
  } else {
    const pgDir = join(dataDir, 'postgres');
    const { value, ms } = await step(
      'postgres',
      `${ports.postgres ? `Is port ${ports.postgres} (DEMO_POSTGRES_PORT) free? ` : ''}Delete ${pgDir} to start from an empty database, or set DATABASE_URL to use your own PostgreSQL.`,
      async () =>
        startEmbeddedPostgres({
          dataDir: pgDir,
          // Only the default folder may move: a folder the person chose is never silently replaced.
          fallbackDataDir: options.dataDir === undefined ? FALLBACK_POSTGRES_DIR : undefined,
          port: await resolvePort(ports.postgres ?? 0),
          onLog: onLog && ((line) => onLog('postgres', line)),
        }),
    );
    databaseUrl = value.url;
    progress({ component: 'postgres', state: 'embedded', detail: redact(databaseUrl), ms });
    for (const notice of value.notices) {
      progress({ component: 'postgres', state: 'notice', detail: notice });
    }
  }

  // --- Saved state ------------------------------------------------------------------------------
  let cosmosEndpoint = env.COSMOS_ENDPOINT ?? '';
  let cosmosKey = env.COSMOS_KEY ?? '';
  const cosmosEmbedded = !(cosmosEndpoint && cosmosKey);
  const stores = [
    env.DATABASE_URL ? redact(databaseUrl) : 'embedded',
    env.PG_SCHEMA ?? 'app',
    cosmosEmbedded ? 'embedded' : cosmosEndpoint,
    // Ids of runs from before sign-in name accounts nobody owns: not looked for.
    'owned',
  ].join('|');
  let savedState: SavedState;
  try {
    savedState = await SavedState.open(dataDir, {
      stores,
      postgresCluster: await clusterIdentifier(databaseUrl),
    });
  } catch (error) {
    await stop();
    throw new DemoComponentError(
      'data',
      `the saved state in ${dataDir} could not be read or moved aside: ${error instanceof Error ? error.message : error}`,
      `Is ${dataDir} writable? Delete what the demo keeps there (state.json, cosmos-snapshot-*.json) to start afresh.`,
      { cause: error },
    );
  }
  if (savedState.notice)
    progress({ component: 'data', state: 'warning', detail: savedState.notice });

  // --- Cosmos DB --------------------------------------------------------------------------------
  let cosmos: EmbeddedCosmosHandle | undefined;
  if (!cosmosEmbedded) {
    progress({ component: 'cosmos', state: 'external', detail: cosmosEndpoint });
  } else {
    const { value, ms } = await step(
      'cosmos',
      'Is the Cosmos port free? Set COSMOS_ENDPOINT and COSMOS_KEY to use the Cosmos DB emulator or an account.',
      () =>
        startEmbeddedCosmos({
          port: ports.cosmos ?? 0,
          saved: savedState.cosmosSnapshot,
          save: (take) => savedState.save({ cosmos: take }),
        }),
    );
    cosmos = value;
    cosmosEndpoint = value.endpoint;
    cosmosKey = value.key;
    progress({ component: 'cosmos', state: 'embedded', detail: cosmosEndpoint, ms });
  }

  // --- Redis ------------------------------------------------------------------------------------
  const redisUrl = env.REDIS_URL || undefined;
  // The App API signs its cache entries in Redis (required there: see "Security" in its README).
  // Unless a key is given, one is made for this run; entries of earlier runs are then refused
  // once each and reloaded (misses, never wrong answers).
  const cacheSigningKeys =
    redisUrl && !env.CACHE_SIGNING_KEYS && env.CACHE_SIGNING !== 'off'
      ? randomBytes(32).toString('base64')
      : undefined;
  progress(
    redisUrl
      ? { component: 'redis', state: 'external', detail: redact(redisUrl) }
      : {
          component: 'redis',
          state: 'memory',
          detail: 'memory cache store (set REDIS_URL for Redis)',
        },
  );
  if (cacheSigningKeys)
    progress({
      component: 'redis',
      state: 'notice',
      detail: 'cache entries signed with a key made for this run (CACHE_SIGNING_KEYS to give one)',
    });

  // --- Ports the page and the Chain host must know about each other -----------------------------
  const webPort = await resolvePort(ports.web ?? 0);
  // The browser may name the page by the bound address or by localhost / 127.0.0.1.
  const webOrigins = [...new Set([host, 'localhost', '127.0.0.1'])].map(
    (name) => `http://${name.includes(':') ? `[${name}]` : name}:${webPort}`,
  );

  // --- Chain host -------------------------------------------------------------------------------
  let chainUrl = env.CHAIN_URL;
  let chainLedger: DemoLedger | undefined;
  if (chainUrl) {
    progress({ component: 'chain', state: 'external', detail: chainUrl });
  } else {
    const { value, ms } = await step(
      'chain',
      'Is the Chain port free (DEMO_CHAIN_PORT)? Or set CHAIN_URL to use a running Chain service.',
      async () => {
        const demoLedger = await startDemoLedger(options.ledger ?? 'devnet', {
          blockIntervalMs: options.blockIntervalMs ?? 500,
          requiredConfirmations: 2,
        });
        chainLedger = demoLedger;
        const { ledger } = demoLedger;
        const server = createChainServer({
          ledger,
          corsOrigins: webOrigins,
          version: 'demo',
          // The page's users and the App API alike: the issuer's tokens for the chain audience,
          // scopes chain:read (queries) and chain:write (transactions).
          auth: {
            verifyBearer: jwtVerifier({
              jwksUrl: issuer.value.issuer.jwksUrl,
              issuer: issuer.value.issuer.url,
              audience: CHAIN_AUDIENCE,
            }),
          },
        });
        let bound: { port: number };
        try {
          bound = await server.listen(ports.chain ?? 0, host);
        } catch (error) {
          await demoLedger.stop();
          throw error;
        }
        demoLedger.start();
        return {
          url: `http://${host}:${bound.port}`,
          async stop() {
            await server.close({ deadlineMs: 2_000 });
            // After the server: calls still finishing may need the ledger (and its chain).
            await demoLedger.stop();
          },
        };
      },
    );
    chainUrl = value.url;
    progress({ component: 'chain', state: 'embedded', detail: chainUrl, ms });
    if (chainLedger)
      progress({ component: 'chain', state: 'notice', detail: chainLedger.description });
  }

  // --- App API ----------------------------------------------------------------------------------
  const apiEnv: NodeJS.ProcessEnv = {
    ...env,
    AUTH_JWKS_URL: issuer.value.issuer.jwksUrl,
    AUTH_ISSUER: issuer.value.issuer.url,
    AUTH_AUDIENCE: APP_API_AUDIENCE,
    // Its own identity towards the Chain host, unless an API key was given for an external one.
    ...(env.CHAIN_API_KEY
      ? {}
      : {
          CHAIN_TOKEN_URL: issuer.value.issuer.tokenUrl,
          CHAIN_CLIENT_ID: appApiClient(clientSecret).id,
          CHAIN_CLIENT_SECRET: clientSecret,
          CHAIN_TOKEN_AUDIENCE: CHAIN_AUDIENCE,
        }),
    ...(cacheSigningKeys ? { CACHE_SIGNING_KEYS: cacheSigningKeys } : {}),
    DATABASE_URL: databaseUrl,
    COSMOS_ENDPOINT: cosmosEndpoint,
    COSMOS_KEY: cosmosKey,
    CHAIN_URL: chainUrl,
    HOST: host,
    PORT: String(ports.api ?? 0),
    LOG_LEVEL: options.logLevel ?? env.LOG_LEVEL ?? 'silent',
  };
  if (cosmosEmbedded) {
    apiEnv.COSMOS_PROFILE = 'cosmosdb-server';
    apiEnv.COSMOS_TLS_INSECURE = '1';
  }
  const api = await step(
    'api',
    'Is the database reachable (DATABASE_URL), the API port (DEMO_API_PORT) free? LOG_LEVEL=info shows the App API log.',
    async () => {
      const { createAppApi } = (await import('../../app-api/src/app.ts')) as AppApiModule;
      const { loadAppApiConfig } = (await import(
        '../../app-api/src/config.ts'
      )) as AppApiConfigModule;
      const app = await createAppApi(loadAppApiConfig(apiEnv));
      try {
        const url = await app.listen(ports.api ?? 0, host);
        return { url: url.replace(/\/$/, ''), stop: () => app.close() };
      } catch (error) {
        await app.close().catch(() => undefined);
        throw error;
      }
    },
  );
  progress({ component: 'api', state: 'embedded', detail: api.value.url, ms: api.ms });

  // --- Publisher page ---------------------------------------------------------------------------
  const web = await step(
    'web',
    'Is the page port (DEMO_WEB_PORT) free? Has the page been built (npm run build -w examples/publisher-web)?',
    async () => {
      const { servePublisherWeb } = (await import(
        '../../publisher-web/serve.ts'
      )) as PublisherWebModule;
      // No key in the page: people sign in with their own token (see the printed sign-in links).
      const page = await servePublisherWeb({ chainUrl: chainUrl!, port: webPort, host });
      return { url: page.url.replace(/\/$/, ''), stop: () => page.close() };
    },
  );
  progress({ component: 'web', state: 'embedded', detail: web.value.url, ms: web.ms });

  let stopping: Promise<void> | undefined;
  return {
    issuerUrl: issuer.value.issuer.url,
    tokens,
    chainUrl,
    ledger: chainLedger && {
      kind: chainLedger.kind,
      rpcUrl: chainLedger.rpcUrl,
      ip: chainLedger.ledger.ip !== undefined,
    },
    apiUrl: api.value.url,
    webUrl: web.value.url,
    databaseUrl,
    cosmosEndpoint,
    redisUrl,
    embedded,
    previousRun: savedState.previousRun,
    checkpoint: async () => {
      await cosmos?.checkpoint();
    },
    rememberRun: (ids) => savedState.remember(ids, cosmos?.snapshot),
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/**
 * The PostgreSQL cluster's system identifier (made by initdb, unique per cluster), or undefined
 * when it cannot be read (not a superuser, say): a cluster re-created in the same place has
 * another one, and none of the earlier run's rows.
 */
async function clusterIdentifier(databaseUrl: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ id: string }>(
      'SELECT system_identifier::text AS id FROM pg_control_system()',
    );
    return rows[0]?.id;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Hides a password in a connection URL before it is shown. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
