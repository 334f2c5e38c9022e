/**
 * Temporary folders for one test file: each call of the function `tempFolders` returns makes a
 * new one, and all of them are deleted after the file's tests.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function tempFolders(
  prefix: string,
  options: {
    /**
     * 755 instead of mkdtemp's private 700, for folders an embedded PostgreSQL runs in: as root,
     * the server runs as `postgres`, which must traverse them, and the demo never chmods a
     * folder it was given.
     */
    traversable?: boolean;
  } = {},
): () => Promise<string> {
  const folders: string[] = [];
  afterAll(async () => {
    for (const dir of folders) await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    folders.push(dir);
    if (options.traversable) await chmod(dir, 0o755);
    return dir;
  };
}
