/**
 * What the demo keeps between runs besides the PostgreSQL cluster: the embedded Cosmos DB's
 * snapshot and the ids the last scenario created (checked at the next start).
 *
 * They must never disagree: a last run naming a story the snapshot lacks fails every later run.
 * So there is one commit point, `state.json` (the manifest): it names the snapshot it belongs to
 * (`cosmos-snapshot-<generation>.json`, with its SHA-256) and holds the last run. A save writes a
 * new snapshot file first, then the manifest, each to a temporary file that is fsync-ed and
 * renamed over the old one; the previous snapshot is deleted only after the manifest names the
 * new one. A crash at any point leaves the previous manifest and the snapshot it names intact.
 *
 * Saved state that is missing a part, unreadable, or from the demo's earlier layout (two files
 * written separately) is moved aside to `discarded/<time>/` with one line saying what was found,
 * and the run starts afresh: never a demo that fails at every start until someone deletes files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ScenarioIds } from './scenario.ts';

export const MANIFEST_FILE = 'state.json';
export const DISCARDED_DIR = 'discarded';
const SNAPSHOT = /^cosmos-snapshot-[\w-]+\.json$/;
/** Left by writeFileAtomic when a process died between writing and renaming. */
const TEMPORARY = /^(state\.json|cosmos-snapshot-[\w-]+\.json)\.\d+-[0-9a-f]+\.tmp$/;
/** The layout before state.json: a snapshot and the last run, each written on its own. */
const EARLIER_LAYOUT = ['cosmos-snapshot.json', 'last-run.json', 'cosmos-snapshot.json.tmp'];

export interface LastRun {
  /** Which stores the ids live in (see system.ts); ids from other stores are not looked for. */
  stores: string;
  ids: ScenarioIds;
  /** The PostgreSQL cluster's system identifier: a re-created cluster no longer has the ids. */
  postgresCluster?: string;
}

interface Manifest {
  version: 1;
  /** Made anew by every save; the snapshot file of that save carries it in its name. */
  generation: string;
  savedAt: string;
  cosmos?: { file: string; sha256: string };
  lastRun?: LastRun;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Replaces `path` with `data` all at once: readers, and a crash at any moment, see the old
 * content or the new one, never a part. The temporary file is fsync-ed before the rename, and the
 * folder after it, so the new content is on disk once this resolves.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const file = await open(temporary, 'wx', 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } catch {
    // Not every platform syncs a folder (Windows); the rename is still atomic there.
  } finally {
    await folder.close();
  }
}

function isManifest(value: unknown): value is Manifest {
  const manifest = value as Partial<Manifest> | null;
  return (
    typeof manifest === 'object' &&
    manifest !== null &&
    manifest.version === 1 &&
    typeof manifest.generation === 'string' &&
    (manifest.cosmos === undefined ||
      (typeof manifest.cosmos.file === 'string' &&
        SNAPSHOT.test(manifest.cosmos.file) &&
        typeof manifest.cosmos.sha256 === 'string'))
  );
}

/** The stores a run is made on now (see LastRun). */
export interface CurrentStores {
  stores: string;
  postgresCluster?: string;
}

export class SavedState {
  readonly dataDir: string;
  /** The one line for people when the saved state was unusable and moved aside; else undefined. */
  notice?: string;
  private readonly current: CurrentStores | undefined;
  private manifest: Manifest | undefined;
  private snapshot: unknown;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(dataDir: string, current: CurrentStores | undefined) {
    this.dataDir = dataDir;
    this.current = current;
  }

  /** The saved Cosmos DB snapshot (as saved: opaque here), if any. */
  get cosmosSnapshot(): unknown {
    return this.snapshot;
  }

  get lastRun(): LastRun | undefined {
    return this.manifest?.lastRun;
  }

  /** The last run's ids when it ran on the current stores (ids from other stores mean nothing). */
  get previousRun(): ScenarioIds | undefined {
    const last = this.manifest?.lastRun;
    return last && last.stores === this.current?.stores ? last.ids : undefined;
  }

  /**
   * Reads the saved state of `dataDir` (which the caller has locked). Whatever is unusable is
   * moved aside, and `notice` says what was found. `current` names the stores this run uses: a
   * last run on the same stores but another PostgreSQL cluster (deleted and re-created since)
   * names accounts that are gone, so that state is moved aside too.
   */
  static async open(dataDir: string, current?: CurrentStores): Promise<SavedState> {
    const state = new SavedState(dataDir, current);
    await mkdir(dataDir, { recursive: true });
    const names = await readdir(dataDir);
    for (const name of names.filter((n) => TEMPORARY.test(n))) {
      await rm(join(dataDir, name), { force: true });
    }
    const snapshots = names.filter((name) => SNAPSHOT.test(name));
    const earlier = names.filter((name) => EARLIER_LAYOUT.includes(name));

    if (!names.includes(MANIFEST_FILE)) {
      if (earlier.length > 0) {
        await state.discard(
          `found ${earlier.join(' and ')} from an earlier version of the demo, which saved them one by one (they may disagree)`,
        );
      } else if (snapshots.length > 0) {
        await state.discard(
          `found ${snapshots.join(', ')} but no ${MANIFEST_FILE} (a save cut short)`,
        );
      }
      return state;
    }

    const problem = (await state.load()) ?? state.otherCluster();
    if (problem) {
      await state.discard(problem);
      return state;
    }
    // Snapshots of saves cut short before their manifest, and files of the earlier layout: the
    // manifest does not name them, so nothing reads them.
    for (const name of [...snapshots, ...earlier]) {
      if (name !== state.manifest?.cosmos?.file) await rm(join(dataDir, name), { force: true });
    }
    return state;
  }

  /** Reads the manifest and the snapshot it names; returns what is wrong with them, if anything. */
  private async load(): Promise<string | undefined> {
    let manifest: unknown;
    try {
      manifest = JSON.parse(await readFile(join(this.dataDir, MANIFEST_FILE), 'utf8'));
    } catch (error) {
      return `${MANIFEST_FILE} is unreadable (${error instanceof Error ? error.message : error})`;
    }
    if (!isManifest(manifest)) return `${MANIFEST_FILE} is not one this demo wrote`;
    if (manifest.cosmos) {
      const { file, sha256: expected } = manifest.cosmos;
      let text: string;
      try {
        text = await readFile(join(this.dataDir, file), 'utf8');
      } catch {
        return `${MANIFEST_FILE} names ${file}, which is missing`;
      }
      if (sha256(text) !== expected)
        return `${file} is not the snapshot ${MANIFEST_FILE} names (changed or cut short)`;
      try {
        this.snapshot = JSON.parse(text);
      } catch {
        return `${file} is unreadable`;
      }
    }
    this.manifest = manifest;
    return undefined;
  }

  private otherCluster(): string | undefined {
    const last = this.manifest?.lastRun;
    const now = this.current?.postgresCluster;
    if (last?.stores !== this.current?.stores || !last?.postgresCluster || !now) return undefined;
    if (last.postgresCluster === now) return undefined;
    return 'the PostgreSQL cluster is not the one the last run used (re-created since: its accounts are gone)';
  }

  /**
   * Moves every file of the saved state to `discarded/<time>/` and forgets it: the run goes on
   * afresh. `found` says why, for people; it becomes `notice`.
   */
  async discard(found: string): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const folder = join(this.dataDir, DISCARDED_DIR, stamp);
    await mkdir(folder, { recursive: true });
    for (const name of await readdir(this.dataDir)) {
      if (name === MANIFEST_FILE || SNAPSHOT.test(name) || EARLIER_LAYOUT.includes(name)) {
        await rename(join(this.dataDir, name), join(folder, name));
      }
    }
    this.manifest = undefined;
    this.snapshot = undefined;
    this.notice = `${found}: moved the saved state to ${folder}/ and starting afresh`;
  }

  /**
   * Saves a new generation: a Cosmos snapshot taken now (when `cosmos` is given; else the current
   * one is kept) and the last run (`null` forgets it; undefined keeps it). Saves run one at a
   * time, each taking its snapshot inside its turn, so an older snapshot never overwrites a newer
   * one nor pairs with a newer last run.
   */
  save(change: { cosmos?: () => Promise<unknown>; lastRun?: LastRun | null }): Promise<void> {
    const turn = this.queue.then(() => this.write(change));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Saves `ids` as the last run on the current stores, with a snapshot taken now by `cosmos`
   * (when Cosmos DB is embedded) in the same save, so the two cannot disagree. Undefined forgets
   * the last run: the next start does not look for it.
   */
  remember(ids: ScenarioIds | undefined, cosmos?: () => Promise<unknown>): Promise<void> {
    const postgresCluster = this.current?.postgresCluster;
    const lastRun: LastRun | null = ids
      ? { stores: this.current?.stores ?? '', ids, ...(postgresCluster ? { postgresCluster } : {}) }
      : null;
    return this.save({ cosmos, lastRun });
  }

  private async write(change: { cosmos?: () => Promise<unknown>; lastRun?: LastRun | null }) {
    const generation = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const previous = this.manifest;
    let cosmos = previous?.cosmos;
    await mkdir(this.dataDir, { recursive: true });
    if (change.cosmos) {
      const text = JSON.stringify(await change.cosmos());
      cosmos = { file: `cosmos-snapshot-${generation}.json`, sha256: sha256(text) };
      await writeFileAtomic(join(this.dataDir, cosmos.file), text);
    }
    const lastRun =
      change.lastRun === undefined ? previous?.lastRun : (change.lastRun ?? undefined);
    const manifest: Manifest = {
      version: 1,
      generation,
      savedAt: new Date().toISOString(),
      ...(cosmos ? { cosmos } : {}),
      ...(lastRun ? { lastRun } : {}),
    };
    await writeFileAtomic(
      join(this.dataDir, MANIFEST_FILE),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    this.manifest = manifest;
    // Only now is the previous snapshot no longer named by anything.
    if (previous?.cosmos && previous.cosmos.file !== cosmos?.file) {
      await rm(join(this.dataDir, previous.cosmos.file), { force: true });
    }
  }
}
