/**
 * The saved state (src/saved-state.ts): one manifest naming its snapshot, written atomically, and
 * every state a crash between or during writes can leave read back as either the last complete
 * save or, when unusable, moved aside with one line and a fresh start.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCARDED_DIR, type LastRun, MANIFEST_FILE, SavedState } from '../src/saved-state.ts';
import { moduleScriptArgs, srcModuleUrl } from './module-script.ts';
import { tempFolders } from './temp-folders.ts';

const folder = tempFolders('mystira-demo-state-');

const RUN: LastRun = {
  stores: 'embedded|app|embedded|owned',
  ids: { authorId: 'a-1', artistId: 'a-2', storyId: 's-1' },
  postgresCluster: '7716394564640476896',
};
const SNAPSHOT = { version: 2, databases: [{ id: 'mystira', containers: [] }] };

const stateFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name !== DISCARDED_DIR)
    .sort();

/** A folder holding one good save, as a run leaves it. */
async function savedFolder() {
  const dir = await folder();
  const state = await SavedState.open(dir);
  await state.save({ cosmos: async () => SNAPSHOT, lastRun: RUN });
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  return { dir, manifest, snapshotFile: join(dir, manifest.cosmos.file as string) };
}

describe('saved state', () => {
  it('reads back what was saved, one snapshot file named by the manifest, nothing else left', async () => {
    const { dir, manifest } = await savedFolder();
    expect(stateFiles(dir)).toEqual([manifest.cosmos.file, MANIFEST_FILE].sort());
    expect(manifest.cosmos.file).toBe(`cosmos-snapshot-${manifest.generation}.json`);

    const reopened = await SavedState.open(dir);
    expect(reopened.notice).toBeUndefined();
    expect(reopened.lastRun).toEqual(RUN);
    expect(reopened.cosmosSnapshot).toEqual(SNAPSHOT);

    // A checkpoint (snapshot only) keeps the last run and replaces the previous snapshot file.
    await reopened.save({ cosmos: async () => ({ ...SNAPSHOT, databases: [] }) });
    const next = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
    expect(next.lastRun).toEqual(RUN);
    expect(stateFiles(dir)).toEqual([next.cosmos.file, MANIFEST_FILE].sort());

    await reopened.save({ lastRun: null }); // forgotten, snapshot kept
    expect((await SavedState.open(dir)).lastRun).toBeUndefined();
    expect((await SavedState.open(dir)).cosmosSnapshot).toEqual({ ...SNAPSHOT, databases: [] });
  });

  it('saves one at a time: a slow earlier save never overwrites a later one', async () => {
    const dir = await folder();
    const state = await SavedState.open(dir);
    let releaseSlow!: () => void;
    const slow = state.save({
      cosmos: () => new Promise((done) => (releaseSlow = () => done({ taken: 'first' }))),
    });
    const fast = state.save({ cosmos: async () => ({ taken: 'second' }), lastRun: RUN });
    await new Promise((resolve) => setTimeout(resolve, 20));
    releaseSlow();
    await Promise.all([slow, fast]);
    const reopened = await SavedState.open(dir);
    expect(reopened.cosmosSnapshot).toEqual({ taken: 'second' });
    expect(reopened.lastRun).toEqual(RUN);
  });

  it('a crash after the new snapshot but before the manifest leaves the previous save, whole', async () => {
    const { dir, manifest } = await savedFolder();
    // What a save cut short leaves: its snapshot, a temporary manifest, no new manifest.
    await writeFile(join(dir, 'cosmos-snapshot-zzz-00000000.json'), '{"version":2,"databases":[]}');
    await writeFile(join(dir, `${MANIFEST_FILE}.999-abcdef01.tmp`), '{"version":1,"gen');
    const reopened = await SavedState.open(dir);
    expect(reopened.notice).toBeUndefined();
    expect(reopened.cosmosSnapshot).toEqual(SNAPSHOT);
    expect(reopened.lastRun).toEqual(RUN);
    expect(stateFiles(dir)).toEqual([manifest.cosmos.file, MANIFEST_FILE].sort());
  });

  const unusable: [
    string,
    (saved: Awaited<ReturnType<typeof savedFolder>>) => Promise<void>,
    RegExp,
  ][] = [
    [
      'the snapshot the manifest names is missing',
      ({ snapshotFile }) => rm(snapshotFile),
      /^state\.json names cosmos-snapshot-[\w-]+\.json, which is missing: moved/,
    ],
    [
      'the snapshot is cut short',
      async ({ snapshotFile }) =>
        writeFile(snapshotFile, (await readFile(snapshotFile, 'utf8')).slice(0, 20)),
      /^cosmos-snapshot-[\w-]+\.json is not the snapshot state\.json names \(changed or cut short\): moved/,
    ],
    [
      'the manifest is cut short',
      ({ dir }) => writeFile(join(dir, MANIFEST_FILE), '{"version": 1, "gener'),
      /^state\.json is unreadable \(.*JSON.*\): moved/,
    ],
    [
      'there is a snapshot but no manifest (the first save cut short)',
      ({ dir }) => rm(join(dir, MANIFEST_FILE)),
      /^found cosmos-snapshot-[\w-]+\.json but no state\.json \(a save cut short\): moved/,
    ],
    [
      'the earlier layout disagrees (last-run.json names a story the snapshot lacks)',
      async ({ dir, snapshotFile }) => {
        await rm(join(dir, MANIFEST_FILE));
        await rm(snapshotFile);
        await writeFile(join(dir, 'cosmos-snapshot.json'), JSON.stringify(SNAPSHOT));
        await writeFile(
          join(dir, 'last-run.json'),
          JSON.stringify({ stores: RUN.stores, ids: RUN.ids }),
        );
      },
      /^found cosmos-snapshot\.json and last-run\.json from an earlier version of the demo, .*: moved/,
    ],
  ];
  for (const [situation, damage, notice] of unusable) {
    it(`starts afresh, saying so in one line, when ${situation}`, async () => {
      const saved = await savedFolder();
      await damage(saved);
      const before = stateFiles(saved.dir);
      const state = await SavedState.open(saved.dir);
      expect(state.notice).toMatch(notice);
      expect(state.notice).toMatch(
        /: moved the saved state to .*\/discarded\/[\w-]+\/ and starting afresh$/,
      );
      expect(state.notice).not.toContain('\n');
      expect(state.lastRun).toBeUndefined();
      expect(state.cosmosSnapshot).toBeUndefined();
      // Moved aside, not deleted: the folder holds nothing of it any more.
      expect(stateFiles(saved.dir)).toEqual([]);
      const [moved] = await readdir(join(saved.dir, DISCARDED_DIR));
      expect((await readdir(join(saved.dir, DISCARDED_DIR, moved!))).sort()).toEqual(before);
      // And the next save and start are clean.
      await state.save({ cosmos: async () => SNAPSHOT, lastRun: RUN });
      const next = await SavedState.open(saved.dir);
      expect(next.notice).toBeUndefined();
      expect(next.lastRun).toEqual(RUN);
    });
  }

  it('gives the previous run only on the same stores, and starts afresh when its PostgreSQL cluster was re-created', async () => {
    const dir = await folder();
    const current = { stores: RUN.stores, postgresCluster: RUN.postgresCluster! };
    const first = await SavedState.open(dir, current);
    await first.remember(RUN.ids, async () => SNAPSHOT);
    expect((await SavedState.open(dir, current)).previousRun).toEqual(RUN.ids);
    // Other stores (DATABASE_URL set, say): not looked for, and kept for when they come back.
    const elsewhere = await SavedState.open(dir, { ...current, stores: 'postgres://db|app|…' });
    expect(elsewhere.previousRun).toBeUndefined();
    expect(elsewhere.notice).toBeUndefined();

    const recreated = await SavedState.open(dir, { ...current, postgresCluster: '1' });
    expect(recreated.notice).toMatch(
      /^the PostgreSQL cluster is not the one the last run used .*: moved the saved state to .* and starting afresh$/,
    );
    expect(recreated.previousRun).toBeUndefined();
    expect(recreated.cosmosSnapshot).toBeUndefined();
    expect(stateFiles(dir)).toEqual([]);
  });

  it('leaves no partial file: a writer killed mid-way leaves the old content or the new one, whole', async () => {
    const dir = await folder();
    const target = join(dir, MANIFEST_FILE);
    // Large enough that a plain writeFile would be seen half done.
    const payload = (letter: string) => JSON.stringify({ fill: letter.repeat(4_000_000) });
    await writeFile(target, payload('a'));
    const module = srcModuleUrl('saved-state.ts');
    const writer = spawn(
      process.execPath,
      moduleScriptArgs(
        `const { writeFileAtomic } = await import(${JSON.stringify(module)});
         const target = ${JSON.stringify(target)};
         for (let i = 0; ; i += 1) await writeFileAtomic(target, JSON.stringify({ fill: (i % 2 ? 'a' : 'b').repeat(4_000_000) }));`,
      ),
      { stdio: 'ignore' },
    );
    const ended = new Promise((done) => writer.on('close', done));
    const seen = new Set<string>();
    // Read for 1.5 s once the writer has replaced the file at least once (its start-up alone can
    // take longer than that on a loaded machine), and at most 30 s in all.
    let until = Date.now() + 30_000;
    while (Date.now() < until) {
      const text = readFileSync(target, 'utf8');
      expect(text.length).toBe(payload('a').length); // never a part
      const letter = (JSON.parse(text) as { fill: string }).fill[0]!;
      if (letter === 'b' && !seen.has('b')) until = Math.min(until, Date.now() + 1_500);
      seen.add(letter);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writer.kill('SIGKILL');
    await ended;
    expect(seen).toEqual(new Set(['a', 'b'])); // it did write, many times
    expect(readFileSync(target, 'utf8').length).toBe(payload('a').length);
    // Its temporary file (if the kill came mid-write; one is added to be sure) is cleared by the
    // next start.
    await rm(target);
    await writeFile(join(dir, `${MANIFEST_FILE}.123-deadbeef.tmp`), '{"fill":"bb');
    await SavedState.open(dir);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(target)).toBe(false);
  });
});
