/**
 * A throw-away PostgreSQL server with `wal_level = logical`, in a temporary folder, on a free
 * port: initdb, postgres, and at the end a fast shutdown and the folder removed. The shared server
 * on 5432 is never touched; only the postmaster started here is ever signalled.
 *
 * initdb refuses to run as root, so as root everything runs as the `postgres` user (`runuser`)
 * in a folder that user owns.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// No relative imports: bench/cdc.bench.ts runs this file under plain Node (type stripping).

/** A free TCP port on 127.0.0.1 (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  return join(root, versions[0] as string, 'bin');
}

const asRoot = process.getuid?.() === 0;

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  return { uid, gid };
}

/** argv that runs `command` as the postgres user when we are root. */
const asPostgres = (command: string, args: string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];

export class ThrowawayPostgres {
  readonly dir: string;
  port = 0;
  #postmasterPid: number | null = null;
  readonly #onExit = () => this.#kill('SIGKILL');

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'mystira-cdc-pg-'));
    if (asRoot) {
      const { uid, gid } = ids('postgres');
      chownSync(this.dir, uid, gid);
    }
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(settings: Record<string, string> = {}): Promise<void> {
    const bin = binDir();
    const data = join(this.dir, 'data');
    const [cmd, args] = asPostgres(join(bin, 'initdb'), [
      ...['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    ]);
    execFileSync(cmd, args, { stdio: 'pipe' });
    this.port = await freePort();
    const config = {
      wal_level: 'logical',
      max_replication_slots: '20',
      max_wal_senders: '20',
      listen_addresses: '127.0.0.1',
      unix_socket_directories: this.dir,
      fsync: 'off',
      full_page_writes: 'off',
      ...settings,
    };
    const [pgCmd, pgArgs] = asPostgres(join(bin, 'postgres'), [
      ...['-D', data, '-p', String(this.port)],
      ...Object.entries(config).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ]);
    const child = spawn(pgCmd, pgArgs, { stdio: 'ignore', detached: false });
    child.unref();
    process.once('exit', this.#onExit);
    const deadline = Date.now() + 30_000;
    while (true) {
      try {
        const client = new pg.Client({ connectionString: this.url });
        await client.connect();
        await client.end();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const pidFile = join(data, 'postmaster.pid');
    this.#postmasterPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  }

  #kill(signal: NodeJS.Signals): boolean {
    if (this.#postmasterPid === null) return false;
    try {
      process.kill(this.#postmasterPid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Immediate shutdown (SIGQUIT: a throw-away server needs no checkpoint, and a fast shutdown
   * would wait for walsenders to deliver the last WAL to a consumer that may be stalled), then
   * the folder is removed.
   */
  async stop(): Promise<void> {
    process.off('exit', this.#onExit);
    if (this.#kill('SIGQUIT')) {
      const deadline = Date.now() + 5_000;
      while (this.#kill(0 as unknown as NodeJS.Signals) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      this.#kill('SIGKILL');
    }
    this.#postmasterPid = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
